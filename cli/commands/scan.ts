import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/limits.js';
import { displayPath } from '../../src/core/raw-path.js';
import type { Subject } from '../../src/core/types.js';
import { imapPasswordSource } from '../../src/crawl/imap/password.js';
import { isImapUrl } from '../../src/crawl/imap/url.js';
import { defaultConcurrency, type ItemSource, runScan } from '../../src/engine/scan.js';
import { checkOutputPath, STDOUT, stdoutSink } from '../../src/io/output.js';
import { subjectFromOptions } from '../../src/match/subject.js';
import { EXIT } from '../exit-codes.js';
import { byteSize, collect, positiveInt } from '../options.js';
import { addSummary, outputMode, stdoutTaken, tell } from '../output-mode.js';
import { ProgressLine } from '../progress.js';
import { formatSummary, identifierMasker, scanSummary, writerTotals } from '../summary.js';

export interface ScanFlags {
  subject?: string;
  name?: string[];
  alias?: string[];
  email?: string[];
  phone?: string[];
  cpr?: string[];
  out?: string;
  force?: boolean;
  all?: boolean;
  exclude?: string[];
  concurrency?: number;
  fileList: boolean;
  progress: boolean;
  timeout?: number;
  maxExtractBytes?: number;
  maxInflatedBytes?: number;
  maxDepth?: number;
  maxMembers?: number;
  maxRatio?: number;
  maxText?: number;
  maxFindings?: number;
  index?: string | true;
  key?: string;
  db?: string;
  agent?: string[];
  wait?: number;
}

/** Remote roots (imap://…) are handled by a source module. */
export const remoteSources: {
  test: (root: string) => boolean;
  create: (root: string, opts: { timeoutMs?: number; maxMessageBytes?: number }) => Promise<ItemSource>;
}[] = [];
// imapflow is loaded only for an imap:// root: it takes a fifth of a second to compile.
remoteSources.push({
  test: isImapUrl,
  create: async (root, opts) =>
    (await import('../../src/crawl/imap/source.js')).createImapSource(root, {
      password: imapPasswordSource(process.env),
      timeoutMs: opts.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_LIMITS.maxExtractBytes,
    }),
});

export function defaultScanFileName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `dsr-scan-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.json`;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description("Search folders, files and mailboxes for one person's data and write a scan file.")
    .argument('[roots...]', 'folders or files to search (and imap://user@host/MAILBOX URLs)')
    .option('-s, --subject <file>', 'subject profile JSON: {name, aliases, emails, phones, cpr}')
    .option('--name <name>', "the subject's full name (repeatable: more become aliases)", collect)
    .option('--alias <name>', 'another name the subject is known by (repeatable)', collect)
    .option('--email <address>', "the subject's e-mail address (repeatable)", collect)
    .option('--phone <number>', "the subject's phone number (repeatable)", collect)
    .option('--cpr <number>', "the subject's CPR number, DDMMYY-SSSS (repeatable)", collect)
    .option(
      '-o, --out <file>',
      'scan file to write, - for standard output (default: dsr-scan-YYYYMMDD-HHMMSS.json here)',
    )
    .option('--force', 'replace the scan file if it exists')
    .option('--all', 'inventory mode: also record every e-mail, phone and CPR number of anyone')
    .option(
      '--exclude <glob>',
      'skip paths matching this glob (repeatable; a bare name matches at any depth)',
      collect,
    )
    .option(
      '-j, --concurrency <n>',
      `files scanned at once (default: ${defaultConcurrency()}, the CPU cores)`,
      positiveInt('--concurrency'),
    )
    .option('--no-file-list', 'leave out the list of every file visited ("scanned") for huge trees')
    .option('--no-progress', 'no progress line, even on a terminal')
    .option(
      '--index [file]',
      'answer from an index built by dsr index: re-read only candidate and changed files (with --db: no file, the shared index)',
    )
    .option('--key <file>', 'the index key file (default: INDEX.key; with --db: as for dsr index --db)')
    .option(
      '--timeout <seconds>',
      'time limit per item, and how long an IMAP server may stay silent (default 60)',
      positiveInt('--timeout'),
    )
    .option('--max-extract-bytes <size>', 'largest non-text file or member read (default 100M)', byteSize)
    .option('--max-inflated-bytes <size>', 'bytes inflated per top-level file (default 400M)', byteSize)
    .option('--max-depth <n>', 'archive/attachment nesting depth (default 5)', positiveInt('--max-depth'))
    .option(
      '--max-members <n>',
      'members per archive or mailbox (default 10000)',
      positiveInt('--max-members'),
    )
    .option('--max-ratio <n>', 'compression ratio per member (default 100)', positiveInt('--max-ratio'))
    .option('--max-text <size>', 'characters of text per document (default 20M)', byteSize)
    .option(
      '--max-findings <n>',
      "findings listed per item, the subject's and (--all) others' (default 20000)",
      positiveInt('--max-findings'),
    )
    .option('--db <url>', "scan through agents: every registered agent's roots (docs/cluster.md)")
    .option('--agent <name>', 'with --db: only this agent (repeatable)', collect)
    .option(
      '--wait <seconds>',
      'with --db: how long an agent may stay silent before it is named as not answering (default 60)',
      positiveInt('--wait'),
    )
    .action(async (roots: string[], flags: ScanFlags) => {
      if (flags.db) {
        const { scanClusterCommand } = await import('./scan-cluster.js');
        process.exitCode = await scanClusterCommand(roots, {
          ...flags,
          db: flags.db,
          subjectOf: () => subjectFromScanFlags(flags),
          limits: limitsFromFlags(flags),
          defaultOut: defaultScanFileName(),
        });
        return;
      }
      if (!roots.length)
        throw new UsageError('no roots given', 'name the folders, files or imap:// mailboxes to search');
      process.exitCode = await scanCommand(roots, flags);
    });
}

/** The --max-… flags as limits. */
export function limitsFromFlags(flags: ScanFlags): Partial<Limits> {
  return {
    ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}),
    ...(flags.maxExtractBytes ? { maxExtractBytes: flags.maxExtractBytes } : {}),
    ...(flags.maxInflatedBytes ? { maxInflatedBytes: flags.maxInflatedBytes } : {}),
    ...(flags.maxDepth ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.maxMembers ? { maxMembers: flags.maxMembers } : {}),
    ...(flags.maxRatio ? { maxRatio: flags.maxRatio } : {}),
    ...(flags.maxText ? { maxTextChars: flags.maxText } : {}),
    ...(flags.maxFindings ? { maxFindings: flags.maxFindings } : {}),
  };
}

/** The subject of the flags; null for an inventory (--all without one). */
export async function subjectFromScanFlags(flags: ScanFlags): Promise<Subject | null> {
  const hasIdentifiers =
    flags.subject || flags.name || flags.email || flags.phone || flags.cpr || flags.alias;
  if (!hasIdentifiers && !flags.all) {
    throw new UsageError(
      'no subject given',
      'pass --subject subject.json, or --name/--email/--phone/--cpr, or --all for an inventory',
    );
  }
  return hasIdentifiers ? await subjectFromOptions(flags) : null;
}

async function scanCommand(rootArgs: string[], flags: ScanFlags): Promise<number> {
  const subject = await subjectFromScanFlags(flags);
  const roots: string[] = [];
  const sources: ItemSource[] = [];
  for (const root of rootArgs) {
    const remote = remoteSources.find((r) => r.test(root));
    if (remote)
      sources.push(
        await remote.create(root, {
          timeoutMs: flags.timeout && flags.timeout * 1000,
          maxMessageBytes: flags.maxExtractBytes,
        }),
      );
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) throw new UsageError(`${root}: unsupported URL scheme`);
    else roots.push(root);
  }
  // Standard output is the scan file with `-o -`: the summary then goes to stderr.
  const outPath = flags.out === STDOUT ? undefined : resolve(flags.out ?? defaultScanFileName());
  if (outPath) await checkOutputPath(outPath, { force: Boolean(flags.force) });
  await checkRoots(roots, subject);
  if (flags.index === true)
    throw new UsageError(
      '--index needs the index file here',
      'give --index FILE (made by dsr index ROOT… --index FILE), or --db URL for the shared index',
    );
  if (flags.index && (flags.all || !subject)) {
    throw new UsageError(
      '--index answers subject scans only',
      'an inventory (--all) needs the values themselves: run it without --index',
    );
  }
  // The index modules (SQLite, and the extractors for reading candidates here) load only for --index:
  // a plain scan's first files reach the workers that much sooner.
  const indexFile = flags.index ? await import('../../src/index/index-file.js') : undefined;
  const index = indexFile && (await indexFile.openIndex(flags.index!, { keyPath: flags.key, create: false }));
  const indexed =
    index && subject
      ? await (await import('../../src/index/query.js')).indexedShortcut(index, subject)
      : undefined;
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      '\ndsr: stopping — writing what was scanned so far (Ctrl-C again to quit at once)\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress =
    flags.progress && process.stderr.isTTY && !outputMode.quiet && !outputMode.json
      ? new ProgressLine(process.stderr)
      : undefined;
  // The file being read may be named after the subject (or carry a CPR number): never show it raw.
  const maskCurrent = identifierMasker(subject);
  const started = Date.now();
  try {
    const outcome = await runScan({
      roots,
      sources,
      subject,
      all: flags.all,
      excludes: flags.exclude,
      concurrency: flags.concurrency,
      fileList: flags.fileList,
      ownFiles: [
        ...(flags.subject ? [{ path: flags.subject, reason: 'subject file' }] : []),
        ...(outPath ? [{ path: outPath, reason: 'scan file' }] : []),
        ...(index ? indexFile!.indexOwnFiles(index) : []),
      ],
      ...(index ? { ocrCache: indexFile!.ocrCacheOf(index), textCache: indexFile!.textCacheOf(index) } : {}),
      shortcut: indexed?.shortcut,
      readHere: indexed?.readHere,
      signal: abort.signal,
      limits: limitsFromFlags(flags),
      onProgress: progress
        ? (p) => progress.update({ ...p, current: p.current && displayPath(maskCurrent(p.current)) })
        : undefined,
    });
    progress?.clear();
    const { writer } = outcome;
    if (!outPath) stdoutTaken();
    await writer.write(outPath ?? stdoutSink(), {
      overwrite: Boolean(flags.force),
      interrupted: outcome.interrupted,
      finishedAt: outcome.finishedAt,
      ...(indexed ? { index: indexed.stats } : {}),
    });
    addSummary(scanSummary(outPath, outcome.interrupted, writer));
    tell(
      outPath ? process.stdout : process.stderr,
      formatSummary({
        subject: subject ?? {},
        ...writerTotals(writer),
        elapsedMs: Date.now() - started,
        outPath: outPath ?? 'standard output',
        interrupted: outcome.interrupted,
      }),
    );
    return outcome.interrupted || writer.stats.errors ? EXIT.partial : EXIT.ok;
  } finally {
    progress?.clear();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await indexed?.end();
    await index?.store.close();
  }
}

/**
 * Every local root must exist and be readable before anything is scanned: a typo in a root would
 * otherwise give a scan of nothing that looks done. Each bad root is named (masked, as the summary
 * masks paths) and the command exits 2.
 */
async function checkRoots(roots: string[], subject: Subject | null): Promise<void> {
  const mask = identifierMasker(subject);
  const problems: string[] = [];
  for (const root of roots) {
    const problem = await rootProblem(resolve(root));
    if (problem) problems.push(`${mask(resolve(root))}: ${problem}`);
  }
  if (problems.length)
    throw new UsageError(
      `cannot scan ${problems.length === 1 ? 'this root' : 'these roots'}, nothing was scanned:\n  ${problems.join('\n  ')}`,
      'check the path and its permissions, or leave that root out',
    );
}

async function rootProblem(root: string): Promise<string | undefined> {
  try {
    const st = await stat(root);
    // Reading a folder needs r (list it) and x (enter it); a file needs r.
    await access(root, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'ENOTDIR') return 'does not exist (a part of the path is a file)';
    if (code === 'EACCES' || code === 'EPERM') return `cannot be read (permission denied, ${code})`;
    if (code === 'ELOOP') return 'cannot be read (a loop of symbolic links)';
    return `cannot be read (${code ?? (err as Error).message})`;
  }
}

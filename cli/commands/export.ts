import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { imapPasswordSource } from '../../src/crawl/imap/password.js';
import { type ExportManifest, type ExportOptions, runExport } from '../../src/export/export.js';
import { STDOUT } from '../../src/io/output.js';
import type { Lang } from '../../src/report/access/i18n.js';
import type { SubjectField } from '../../src/report/access/model.js';
import { loadScanFile } from '../../src/scan-file/load.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, outputMode, tell } from '../output-mode.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';
import { openClusterSession } from './cluster-session.js';
import { parseGiven, parseLang } from './report.js';

interface ExportFlags {
  out: string;
  lang: Lang;
  controller?: string;
  includePossible?: boolean;
  allowChanged?: boolean;
  force?: boolean;
  given?: SubjectField[];
  unredacted?: boolean;
  db?: string;
  wait?: number;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Write a zip with a copy of every reported item, a manifest and the report (GDPR art. 15(3), 20).',
    )
    .argument('<scan>', 'scan file written by dsr scan (decisions in scan.review.json are read when present)')
    .requiredOption('-o, --out <file>', 'zip file to write, e.g. subject-export.zip')
    .option('-l, --lang <lang>', 'language of the report inside the zip: da or en', parseLang, 'da')
    .option('-c, --controller <file>', 'controller profile JSON for the report inside the zip')
    .option(
      '--given <kinds>',
      'identifiers the subject gave, for the report inside the zip (see dsr report)',
      parseGiven,
    )
    .option(
      '--include-possible',
      'also export possible items (name or face tag only) that nobody has reviewed',
    )
    .option(
      '--allow-changed',
      'export items that changed since the scan as they are now (flagged in the manifest)',
    )
    .option(
      '--unredacted',
      "copy every item as it is, other people's identifiers included (default: they are masked, and an item that cannot be masked is left out)",
    )
    .option(
      '--db <url>',
      'a scan through agents (dsr scan --db): each copy is fetched through the agent that holds it',
    )
    .option(
      '--wait <seconds>',
      'with --db: how long an agent with items to send may stay silent (default 60)',
      parseWait,
    )
    .option('--force', 'replace the zip if it exists')
    .action(async (scanPath: string, flags: ExportFlags) => {
      process.exitCode = await exportCommand(scanPath, flags);
    });
}

async function exportCommand(scanPath: string, flags: ExportFlags): Promise<number> {
  if (flags.out === STDOUT)
    throw new UsageError(
      '--out - is not supported by dsr export: the export is a zip file',
      'give the path of the zip to write, e.g. --out subject-export.zip',
    );
  const options: ExportOptions = {
    out: flags.out,
    lang: flags.lang,
    controller: flags.controller,
    given: flags.given,
    includePossible: Boolean(flags.includePossible),
    allowChanged: Boolean(flags.allowChanged),
    force: Boolean(flags.force),
    imapPassword: imapPasswordSource(process.env),
    unredacted: Boolean(flags.unredacted),
    warn: (message) => process.stderr.write(`Warning: ${message}\n`),
  };
  const manifest = flags.db
    ? await exportThroughCluster(scanPath, options, flags.db, flags.wait ?? DEFAULT_WAIT_SECONDS)
    : await runExport(scanPath, options);
  const changedCopies = manifest.items.filter((i) => i.changed).length;
  const masked = manifest.items.filter((i) => i.copy === 'masked').length;
  const notes = [
    ...(masked ? [`${masked} with other people's identifiers masked`] : []),
    ...(manifest.unredacted ? ["raw: other people's identifiers NOT masked (--unredacted)"] : []),
    ...(changedCopies ? [`${changedCopies} changed since the scan, copied as they are now`] : []),
  ];
  const where = (n: { host?: string; original: { path: string; itemPath: string[] } }) =>
    `${n.host ? `${n.host}:` : ''}${[n.original.path, ...n.original.itemPath].join(' > ')}`;
  const lines = [
    `Export: ${flags.out}`,
    `  ${manifest.items.length} item(s) copied${notes.length ? ` (${notes.join('; ')})` : ''}, with manifest.json, report.json and report.html`,
  ];
  for (const i of manifest.items)
    for (const l of i.leftOut) lines.push(`  left out of ${where(i)}: ${l.part}: ${l.reason}`);
  if (manifest.notExported.length) {
    lines.push(`  Not exported: ${manifest.notExported.length} (listed in manifest.json under notExported)`);
    // Where the data lives, for the officer to look at, with identifiers in names masked (a folder
    // named after the subject, a CPR number as a file name): the manifest has them in full.
    const mask = identifierMasker((await loadScanFile(scanPath)).subject);
    for (const n of manifest.notExported)
      lines.push(`    ${n.reason.padEnd(10)} ${mask(where(n))}: ${mask(n.message)}`);
    if (manifest.notExported.some((n) => n.reason === 'changed'))
      lines.push('  Scan again, or pass --allow-changed to copy changed items as they are now.');
    if (manifest.notExported.some((n) => n.reason === 'others'))
      lines.push(
        "  Items with other people's data that dsr cannot mask need a manual copy (--unredacted copies everything raw).",
      );
  }
  const out = manifest.notExported.length ? process.stderr : process.stdout;
  addSummary({
    out: flags.out,
    copied: manifest.items.length,
    notExported: manifest.notExported.length,
    unredacted: Boolean(manifest.unredacted),
  });
  // What was not exported is a warning: shown under --json too, not under --quiet.
  if (manifest.notExported.length && !outputMode.quiet) writeSafe(out, `${lines.join('\n')}\n`);
  else tell(out, `${lines.join('\n')}\n`);
  return manifest.notExported.length ? EXIT.partial : EXIT.ok;
}

const DEFAULT_WAIT_SECONDS = 60;

function parseWait(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--wait ${JSON.stringify(value)} is not a number of seconds`, 'e.g. --wait 120');
  return n;
}

/** `dsr export SCAN --db URL`: the copies come through the agents that hold the items (docs/cluster.md). */
async function exportThroughCluster(
  scanPath: string,
  options: ExportOptions,
  url: string,
  waitSeconds: number,
): Promise<ExportManifest> {
  const { selectAgents } = await import('../../src/cluster/coordinator.js');
  const { exportThroughAgents } = await import('../../src/cluster/export.js');
  const session = await openClusterSession(url);
  const { db } = session;
  let copies: Awaited<ReturnType<typeof exportThroughAgents>> | undefined;
  try {
    const manifest = await runExport(scanPath, {
      ...options,
      copies: async (items, scan) => {
        copies = await exportThroughAgents(
          {
            db,
            agents: await selectAgents(db),
            waitSeconds,
            unredacted: Boolean(options.unredacted),
            allowChanged: options.allowChanged,
            signal: session.signal,
          },
          items,
          scan,
        );
        return (item) => copies!.copyOf(item);
      },
    });
    if (copies?.silent.length)
      process.stderr.write(`agents not answering within ${waitSeconds} s: ${copies.silent.join(', ')}\n`);
    return manifest;
  } finally {
    await copies?.close();
    await session.close();
  }
}

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { type AuditAnchor, parseHeadLine, verifyAuditLog } from '../../src/erase/audit.js';
import { defaultAuditKeyPath, loadVerifier } from '../../src/erase/audit-key.js';
import { Journal } from '../../src/erase/journal.js';
import { EXIT } from '../exit-codes.js';
import { collect } from '../options.js';
import { addSummary, tell } from '../output-mode.js';

/** Exit code of `dsr audit verify` when a record is removed, edited, forged or cannot be proven. */
export const AUDIT_BROKEN = 4;

interface VerifyFlags {
  auditKey?: string;
  head?: string[];
  headFile?: string;
  journal?: string;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Check the audit log written by dsr erase --execute.');
  audit
    .command('verify')
    .description(
      'Check the chain and the signatures of an audit log, and that it still reaches its anchors; name the first bad record.',
    )
    .argument('<file>', 'audit log (JSONL)')
    .option(
      '--audit-key <file>',
      'the key that signed the log, or its public half KEY.pub (default: $DSR_AUDIT_KEY, else ~/.config/dsr/audit.key, else its .pub)',
    )
    .option('--head <line>', 'a head line printed by dsr erase --execute (repeatable)', collect)
    .option('--head-file <file>', 'a file of head lines kept apart from the log')
    .option(
      '--journal <file>',
      "the plan's journal, whose audit heads anchor the log (default: <plan>.journal.jsonl beside <plan>.audit.jsonl)",
    )
    .action(async (file: string, flags: VerifyFlags) => {
      process.exitCode = await verifyCommand(file, flags);
    });
}

async function verifyCommand(file: string, flags: VerifyFlags): Promise<number> {
  const path = resolve(file);
  const verifier = await loadVerifier(keyPathFor(flags.auditKey));
  const anchors = await anchorsFor(path, flags);
  let verdict: Awaited<ReturnType<typeof verifyAuditLog>>;
  try {
    verdict = await verifyAuditLog(path, verifier, anchors);
  } catch (err) {
    throw new UsageError(
      `${file}: cannot read the audit log (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  addSummary({
    log: file,
    ok: verdict.ok,
    records: verdict.records,
    anchors: anchors.length,
    ...(verdict.broken ? { brokenAt: verdict.broken.line, brokenReason: verdict.broken.reason } : {}),
  });
  if (verdict.ok) {
    const sources = [...new Set(anchors.map((a) => a.source))];
    tell(
      process.stdout,
      `${file}: OK, ${verdict.records} record(s), chain intact, every record signed by key ${verifier.keyId}\n` +
        (sources.length
          ? `  reaches its ${anchors.length} anchor(s) (${sources.join(', ')}): no record removed from the end\n`
          : '  no anchor given: records removed from the end cannot be detected (give --head, --head-file or --journal)\n'),
    );
    return EXIT.ok;
  }
  tell(
    process.stdout,
    `${file}: BROKEN at record ${verdict.broken!.line} (line ${verdict.broken!.line}): ${verdict.broken!.reason}\n` +
      `  ${verdict.records} record(s) before it verify\n`,
  );
  return AUDIT_BROKEN;
}

function keyPathFor(given: string | undefined): string {
  if (given) return given;
  const key = defaultAuditKeyPath();
  return existsSync(key) || !existsSync(`${key}.pub`) ? key : `${key}.pub`;
}

async function anchorsFor(path: string, flags: VerifyFlags): Promise<AuditAnchor[]> {
  const anchors: AuditAnchor[] = [];
  const addLine = (line: string, source: string) => {
    const head = parseHeadLine(line);
    if (!head)
      throw new UsageError(
        `${source}: not a head line: ${JSON.stringify(line.slice(0, 120))}`,
        'a head line reads: dsr-audit-head/1 records=N last=SHA256 key=KEYID',
      );
    anchors.push({ ...head, source });
  };
  for (const line of flags.head ?? []) addLine(line, 'the head line given');
  if (flags.headFile) {
    const text = await readFile(flags.headFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the head file ${flags.headFile} (${err.code})`);
    });
    for (const line of text.split('\n')) if (line.trim()) addLine(line, flags.headFile);
  }
  const besideLog = path.endsWith('.audit.jsonl')
    ? `${path.slice(0, -'.audit.jsonl'.length)}.journal.jsonl`
    : undefined;
  const journal = flags.journal ?? (besideLog && existsSync(besideLog) ? besideLog : undefined);
  if (journal) {
    const heads = await Journal.auditHeads(journal).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the journal ${journal} (${err.code})`);
    });
    for (const h of heads)
      if (flags.journal || h.auditLog === path)
        anchors.push({
          records: h.records!,
          last: h.last!,
          keyId: h.keyId,
          source: `the journal ${journal}`,
        });
  }
  return anchors;
}

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { verifyAuditLog } from '../../src/erase/audit.js';
import { EXIT } from '../exit-codes.js';

/** Exit code of `dsr audit verify` when the chain is broken. */
export const AUDIT_BROKEN = 4;

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Check the audit log written by dsr erase --execute.');
  audit
    .command('verify')
    .description('Check the hash chain of an audit log and name the first broken record.')
    .argument('<file>', 'audit log (JSONL)')
    .action(async (file: string) => {
      process.exitCode = await verifyCommand(file);
    });
}

async function verifyCommand(file: string): Promise<number> {
  const path = resolve(file);
  let verdict: Awaited<ReturnType<typeof verifyAuditLog>>;
  try {
    verdict = await verifyAuditLog(path);
  } catch (err) {
    throw new UsageError(
      `${file}: cannot read the audit log (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  if (verdict.ok) {
    process.stdout.write(`${file}: OK, ${verdict.records} record(s), chain intact\n`);
    return EXIT.ok;
  }
  process.stdout.write(
    `${file}: BROKEN at record ${verdict.broken!.line} (line ${verdict.broken!.line}): ${verdict.broken!.reason}\n` +
      `  ${verdict.records} record(s) before it verify\n`,
  );
  return AUDIT_BROKEN;
}

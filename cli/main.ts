#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UsageError } from '../src/core/errors.js';
import { registerAudit } from './commands/audit.js';
import { registerErase } from './commands/erase.js';
import { registerExport } from './commands/export.js';
import { registerIndex } from './commands/index.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { registerReview } from './commands/review.js';
import { registerScan } from './commands/scan.js';
import { EXIT } from './exit-codes.js';

/** Each command module adds itself to the program; the list below is the whole CLI. */
const commands: ((program: Command) => void)[] = [
  registerScan,
  registerIndex,
  registerPlan,
  registerErase,
  registerAudit,
  registerReport,
  registerReview,
  registerExport,
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('dsr')
    .description(
      "Find, report and erase one person's data across drives and mailboxes (GDPR art. 15, 17, 20).",
    )
    .version('0.1.0')
    .showHelpAfterError('(run dsr --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`dsr: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return EXIT.usage;
    }
    process.stderr.write(`dsr: internal error: ${(err as Error)?.stack ?? err}\n`);
    return EXIT.internal;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`dsr: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = EXIT.internal;
  },
);

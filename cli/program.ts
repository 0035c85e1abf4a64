import { Command, CommanderError } from 'commander';
import { UsageError } from '../src/core/errors.js';
import { EXIT } from './exit-codes.js';
import { writeSafe } from './terminal.js';

type Register = (program: Command) => void;

/**
 * Every command, by name, loaded on demand: each module pulls in heavy libraries (Ink, PDF, mail,
 * image tools), and a run needs only its own. Help and unknown commands load them all.
 */
const commands: Record<string, () => Promise<Register>> = {
  scan: async () => (await import('./commands/scan.js')).registerScan,
  index: async () => (await import('./commands/index.js')).registerIndex,
  review: async () => (await import('./commands/review.js')).registerReview,
  report: async () => (await import('./commands/report.js')).registerReport,
  export: async () => (await import('./commands/export.js')).registerExport,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  erase: async () => (await import('./commands/erase.js')).registerErase,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  agent: async () => (await import('./commands/agent.js')).registerAgent,
  'agent-role': async () => (await import('./commands/agent.js')).registerAgentRole,
};

async function commandsFor(argv: string[]): Promise<Register[]> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = name && commands[name] ? [commands[name]] : Object.values(commands);
  return Promise.all(wanted.map((load) => load()));
}

/** Parses the command line and runs one command; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = new Command('dsr')
    .description(
      "Find, report and erase one person's data across drives and mailboxes (GDPR art. 15, 17, 20).",
    )
    .version('0.1.0')
    .showHelpAfterError('(run dsr --help for usage)')
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program);
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
      writeSafe(process.stderr, `dsr: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return EXIT.usage;
    }
    writeSafe(process.stderr, `dsr: internal error: ${(err as Error)?.stack ?? err}\n`);
    return EXIT.internal;
  }
}

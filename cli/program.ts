import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../src/core/errors.js';
import { EXIT } from './exit-codes.js';
import { outputMode, takeGlobalFlags, writeJsonSummary } from './output-mode.js';
import { escapeControls, writeSafe } from './terminal.js';

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
  completion: async () => (await import('./commands/completion.js')).registerCompletion,
};

async function commandsFor(argv: string[]): Promise<Register[]> {
  const name = commandName(argv);
  const wanted = name && commands[name] && name !== 'completion' ? [commands[name]] : Object.values(commands);
  return Promise.all(wanted.map((load) => load()));
}

function commandName(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** The version in package.json (dist/cli/program.js is two folders below it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

export function buildProgram(): Command {
  return new Command('dsr')
    .description(
      "Find, report and erase one person's data across drives and mailboxes (GDPR art. 15, 17, 20).",
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option('-q, --quiet', 'print errors and warnings only: no progress, no summary')
    .option('--json', 'print a one-line JSON summary of what the command did on standard output')
    .showHelpAfterError('(run dsr --help for usage)')
    .exitOverride();
}

/** Parses the command line and runs one command; resolves to the exit code. */
export async function run(rawArgv: string[]): Promise<number> {
  const argv = takeGlobalFlags(rawArgv);
  const program = buildProgram();
  for (const register of await commandsFor(argv)) register(program);
  const name = commandName(argv);
  // `dsr` alone is a mistake in a script: the help goes to stderr and the exit code says usage.
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    writeJsonSummary(undefined, EXIT.usage, 'no command given');
    return EXIT.usage;
  }
  const code = await parse(program, argv);
  if (!outputMode.json || code.helpShown) return code.exit;
  writeJsonSummary(name, code.exit, code.error);
  return code.exit;
}

async function parse(
  program: Command,
  argv: string[],
): Promise<{ exit: number; error?: string; helpShown?: boolean }> {
  try {
    await program.parseAsync(argv);
    return { exit: typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok };
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return { exit: EXIT.ok, helpShown: true };
      return { exit: EXIT.usage, error: err.message.replace(/^error: /, '') };
    }
    if (err instanceof UsageError) {
      writeSafe(process.stderr, `dsr: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return { exit: EXIT.usage, error: escapeControls(err.message) };
    }
    writeSafe(process.stderr, `dsr: internal error: ${(err as Error)?.stack ?? err}\n`);
    return { exit: EXIT.internal, error: 'internal error' };
  }
}

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { imapPasswordSource } from '../../src/crawl/imap/password.js';
import { EXIT } from '../exit-codes.js';
import { positiveInt } from '../options.js';
import { addSummary, outputMode } from '../output-mode.js';
import { writeSafe } from '../terminal.js';

interface AgentFlags {
  db: string;
  name: string;
  key?: string;
  concurrency?: number;
  splitAbove?: number;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'Run on a server next to its data: scan, index and erase there for requests made with --db (docs/cluster.md).',
    )
    .argument('<roots...>', 'the folders this host offers to requests')
    .requiredOption(
      '--db <url>',
      'the PostgreSQL database of the cluster (postgres://…, sslmode=verify-full welcome)',
    )
    .requiredOption('--name <name>', "this agent's name, unique in the cluster (letters, digits, - and _)")
    .option(
      '--key <file>',
      "the agent's private key (default: ~/.local/state/dsr/agent-NAME.key, made on first run)",
    )
    .option(
      '-j, --concurrency <n>',
      'files scanned at once within a job (default: the CPU cores)',
      positiveInt('--concurrency'),
    )
    .option(
      '--split-above <files>',
      'a root with more files than this becomes one job per top folder (default 5000)',
      positiveInt('--split-above'),
    )
    .action(async (roots: string[], flags: AgentFlags) => {
      process.exitCode = await agentCommand(roots, flags);
    });
}

export function registerAgentRole(program: Command): void {
  program
    .command('agent-role')
    .description(
      "Make an agent's database role, limited to its own queue and rows; prints the URL the agent uses (docs/cluster.md).",
    )
    .requiredOption(
      '--db <url>',
      "the cluster's database, as the role that owns dsr's tables (with CREATEROLE)",
    )
    .requiredOption('--name <name>', "the agent's name (as given to dsr agent --name)")
    .action(async (flags: { db: string; name: string }) => {
      const { checkAgentName, connectCluster } = await import('../../src/cluster/db.js');
      const { createAgentRole } = await import('../../src/cluster/roles.js');
      const name = checkAgentName(flags.name);
      const db = await connectCluster(flags.db, { supervise: false });
      try {
        const url = await createAgentRole(db, flags.db, name);
        // The URL is the command's output; under --json it is the summary's `url`, alone on stdout.
        addSummary({ agent: name, role: `dsr-agent-${name}`, url });
        if (!outputMode.json) writeSafe(process.stdout, `${url}\n`);
        writeSafe(
          process.stderr,
          `dsr agent-role: role dsr-agent-${name} made; give the URL ${outputMode.json ? 'in the summary' : 'above'} to that agent only (it holds a password)\n`,
        );
        process.exitCode = EXIT.ok;
      } finally {
        await db.close();
      }
    });
}

/**
 * Test only: `DSR_TEST_AGENT_PAUSE_AT_JOB=N` stops the agent for good when its Nth job's result is
 * ready but not committed (it writes `dsr-test-paused job N`), so that a test can kill it mid-job.
 */
function pauseHookFromEnv(env: NodeJS.ProcessEnv): ((job: number) => Promise<void>) | undefined {
  const at = Number(env.DSR_TEST_AGENT_PAUSE_AT_JOB);
  if (!at) return undefined;
  return async (job) => {
    if (job !== at) return;
    process.stderr.write(`dsr-test-paused job ${job}\n`);
    await new Promise(() => {});
  };
}

function defaultKeyPath(name: string): string {
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'dsr', `agent-${name}.key`);
}

async function agentCommand(rootArgs: string[], flags: AgentFlags): Promise<number> {
  const { checkAgentName, connectCluster } = await import('../../src/cluster/db.js');
  const { keyPairFromPem, newKeyPair, privateKeyPem } = await import('../../src/cluster/seal.js');
  const { runAgent } = await import('../../src/cluster/agent.js');
  const name = checkAgentName(flags.name);
  const roots = rootArgs.map((r) => resolve(r));
  const bad = roots.filter((r) => !existsSync(r));
  if (bad.length)
    throw new UsageError(
      `${bad.length === 1 ? 'this root does' : 'these roots do'} not exist: ${bad.join(', ')}`,
      'check the paths given to dsr agent',
    );
  // The key opens the subjects sent to this agent: it stays on this host, mode 0600, across restarts
  // (a job sent before a restart must still open).
  const keyPath = resolve(flags.key ?? defaultKeyPath(name));
  let keys: ReturnType<typeof newKeyPair>;
  if (existsSync(keyPath)) {
    if ((statSync(keyPath).mode & 0o077) !== 0)
      throw new UsageError(`${keyPath}: the agent key may be read by others`, `chmod 600 ${keyPath}`);
    keys = keyPairFromPem(readFileSync(keyPath, 'utf8'));
  } else {
    keys = newKeyPair();
    mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
    writeFileSync(keyPath, privateKeyPem(keys.privateKey), { mode: 0o600, flag: 'wx' });
  }
  // Agents leave the queue's upkeep (expiring the jobs of silent agents) to the coordinator: an
  // agent's own role may touch only its own queue.
  const db = await connectCluster(flags.db, { supervise: false });
  const stop = new AbortController();
  const onSignal = () => {
    writeSafe(process.stderr, `dsr agent ${name}: stopping (the job in hand goes back to the queue)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  addSummary({ agent: name, roots: roots.length, key: keyPath });
  try {
    await runAgent({
      db,
      name,
      roots,
      keys,
      concurrency: flags.concurrency,
      splitAbove: flags.splitAbove,
      stateDir: dirname(keyPath),
      imapPassword: imapPasswordSource(process.env),
      signal: stop.signal,
      log: (line) => writeSafe(process.stderr, `dsr agent ${name}: ${line}\n`),
      beforeCommit: pauseHookFromEnv(process.env),
      onReady: () =>
        writeSafe(process.stderr, `dsr agent ${name}: ${roots.length} root(s), waiting for jobs\n`),
    });
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db.close();
  }
}

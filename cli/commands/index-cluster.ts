import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { createKey, type IndexKey, loadKey } from '../../src/index/keys.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, tell } from '../output-mode.js';
import { writeSafe } from '../terminal.js';
import { openClusterSession } from './cluster-session.js';

/** How long an agent may stay silent, with jobs to do, before the run goes on without it. */
const DEFAULT_WAIT_SECONDS = 60;

/** Where the coordinator keeps the shared index's key unless --key says: never in the database. */
export function defaultClusterKeyPath(): string {
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'dsr', 'cluster-index.key');
}

/** The shared index's key: read from its file, or (for `dsr index --db` only) made there, mode 0600. */
export async function clusterIndexKey(
  keyFlag: string | undefined,
  create: boolean,
): Promise<{ key: IndexKey; path: string; created: boolean }> {
  const path = resolve(keyFlag ?? defaultClusterKeyPath());
  if (existsSync(path)) return { key: await loadKey(path), path, created: false };
  if (!create)
    throw new UsageError(
      `${path}: no key of a shared index here`,
      'build the shared index first (dsr index --db URL), or pass the key it was built with as --key FILE',
    );
  if (!keyFlag) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return { key: await createKey(path), path, created: true };
}

export interface ClusterIndexFlags {
  db: string;
  key?: string;
  agent?: string[];
  wait?: number;
  exclude?: string[];
}

/** `dsr index --db URL`: each agent indexes its own roots into the shared index in the database. */
export async function indexClusterCommand(rootArgs: string[], flags: ClusterIndexFlags): Promise<number> {
  if (rootArgs.length)
    throw new UsageError(
      'dsr index --db takes no roots: each agent indexes the roots it was started with',
      'leave the roots out, or restrict the run with --agent NAME',
    );
  const { selectAgents } = await import('../../src/cluster/coordinator.js');
  const { checkSharedIndexKey, indexThroughAgents } = await import('../../src/cluster/index-jobs.js');
  const session = await openClusterSession(flags.db, 'the agents keep what they indexed so far');
  const { db, signal } = session;
  const started = Date.now();
  try {
    const agents = await selectAgents(db, flags.agent);
    const { key, path, created } = await clusterIndexKey(flags.key, true);
    await checkSharedIndexKey(db, key, path, { create: true });
    const waitSeconds = flags.wait ?? DEFAULT_WAIT_SECONDS;
    const outcome = await indexThroughAgents({
      db,
      agents,
      key,
      excludes: flags.exclude ?? [],
      waitSeconds,
      signal: signal,
    });
    const { stats } = outcome;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    addSummary({
      ...stats,
      failed: outcome.failed.length,
      silent: outcome.silent,
      interrupted: outcome.interrupted,
    });
    const answered = outcome.hosts.filter((h) => h.answered).map((h) => h.name);
    tell(
      process.stdout,
      [
        `dsr index --db${outcome.interrupted ? ' (interrupted: the index holds what was read)' : ''}`,
        `${stats.files} files: ${stats.read} read, ${stats.unchanged} unchanged, ${stats.removed} removed, ${stats.errors} errors, in ${secs} s`,
        `agents: ${answered.length} answered${answered.length ? ` (${answered.join(', ')})` : ''}`,
        ...outcome.failed.map((f) => `agent ${f.host} could not index: ${f.error}`),
        ...(outcome.silent.length
          ? [
              `agents not answering within ${waitSeconds} s: ${outcome.silent.join(', ')} — their roots were not (all) indexed`,
            ]
          : []),
        `Key:   ${path}${created ? ' (new)' : ''}  — keep it secret; it never enters the database`,
        '',
      ].join('\n'),
    );
    return outcome.interrupted || stats.errors || outcome.failed.length || outcome.silent.length
      ? EXIT.partial
      : EXIT.ok;
  } catch (err) {
    if (signal.aborted) writeSafe(process.stderr, 'dsr: stopped\n');
    throw err;
  } finally {
    await session.close();
  }
}

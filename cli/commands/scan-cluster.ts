import { resolve } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import type { Limits } from '../../src/core/limits.js';
import type { Subject } from '../../src/core/types.js';
import { checkOutputPath, STDOUT, stdoutSink } from '../../src/io/output.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, stdoutTaken, tell } from '../output-mode.js';
import { formatSummary, scanSummary, writerTotals } from '../summary.js';
import { openClusterSession } from './cluster-session.js';

/** What `dsr scan` hands over for --db (scan.ts reads the subject and the limits as for any scan). */
export interface ClusterScanFlags {
  db: string;
  agent?: string[];
  wait?: number;
  out?: string;
  force?: boolean;
  all?: boolean;
  exclude?: string[];
  fileList: boolean;
  index?: string | true;
  key?: string;
  limits: Partial<Limits>;
  defaultOut: string;
  subjectOf: () => Promise<Subject | null>;
}

/** How long an agent may stay silent, with jobs to do, before the scan goes on without it. */
const DEFAULT_WAIT_SECONDS = 60;

/**
 * `dsr scan --db URL`: the scan made by the registered agents (or those named with --agent), each on its
 * own roots, written as one scan file. An agent that does not answer within --wait is named, exit 3.
 */
export async function scanClusterCommand(rootArgs: string[], flags: ClusterScanFlags): Promise<number> {
  if (rootArgs.length)
    throw new UsageError(
      'dsr scan --db takes no roots: each agent scans the roots it was started with',
      'leave the roots out, or restrict the scan with --agent NAME',
    );
  if (typeof flags.index === 'string')
    throw new UsageError(
      `--index ${flags.index}: with --db the index is the shared one in the database`,
      'give --index without a file (and --key FILE for its key, when not in the default place)',
    );
  const subject = await flags.subjectOf();
  if (flags.index && (flags.all || !subject))
    throw new UsageError(
      '--index answers subject scans only',
      'an inventory (--all) needs the values themselves: run it without --index',
    );
  const indexKey = flags.index
    ? (await (await import('./index-cluster.js')).clusterIndexKey(flags.key, false)).key
    : undefined;
  const outPath = flags.out === STDOUT ? undefined : resolve(flags.out ?? flags.defaultOut);
  if (outPath) await checkOutputPath(outPath, { force: Boolean(flags.force) });
  const { scanThroughAgents, selectAgents } = await import('../../src/cluster/coordinator.js');
  const session = await openClusterSession(flags.db, 'writing what the agents sent so far');
  const { db, signal } = session;
  const started = Date.now();
  try {
    const agents = await selectAgents(db, flags.agent);
    const waitSeconds = flags.wait ?? DEFAULT_WAIT_SECONDS;
    const indexed =
      indexKey && subject ? await indexedScans(db, indexKey, flags.key, subject, agents) : undefined;
    const outcome = await scanThroughAgents({
      db,
      agents,
      subject,
      all: Boolean(flags.all),
      excludes: flags.exclude ?? [],
      fileList: flags.fileList,
      limits: flags.limits,
      waitSeconds,
      signal: signal,
      ...(indexed ? { indexed } : {}),
    });
    const { writer } = outcome;
    await writer.write(outPath ?? stdoutSink(), {
      overwrite: Boolean(flags.force),
      interrupted: outcome.interrupted,
      finishedAt: outcome.finishedAt,
      hosts: outcome.hosts,
    });
    if (!outPath) stdoutTaken();
    const answered = outcome.hosts.filter((h) => h.answered).map((h) => h.name);
    addSummary({
      ...scanSummary(outPath, outcome.interrupted, writer),
      agents: { answered, silent: outcome.silent },
    });
    const out = outPath ? process.stdout : process.stderr;
    tell(
      out,
      formatSummary({
        subject: subject ?? {},
        ...writerTotals(writer),
        elapsedMs: Date.now() - started,
        outPath: outPath ?? 'standard output',
        interrupted: outcome.interrupted,
      }),
    );
    tell(out, `agents: ${answered.length} answered${answered.length ? ` (${answered.join(', ')})` : ''}\n`);
    if (outcome.silent.length)
      tell(
        out,
        `agents not answering within ${waitSeconds} s: ${outcome.silent.join(', ')} — their roots were not (all) scanned\n`,
      );
    return outcome.interrupted || writer.stats.errors ? EXIT.partial : EXIT.ok;
  } finally {
    await session.close();
  }
}

/**
 * What each agent's scan jobs carry for `scan --db --index`: the coordinator hashes the subject's
 * identifiers with the index key and looks up each host's candidate files; the key and the candidates
 * go to the agent sealed for it.
 */
async function indexedScans(
  db: import('../../src/cluster/db.js').ClusterDb,
  key: import('../../src/index/keys.js').IndexKey,
  keyFlag: string | undefined,
  subject: Subject,
  agents: import('../../src/cluster/coordinator.js').AgentRow[],
): Promise<
  (agent: { name: string; publicKey: string }, request: string) => { key: string; candidates: string }
> {
  const { candidatesByHost, checkSharedIndexKey, sealCandidates, sealIndexKey } = await import(
    '../../src/cluster/index-jobs.js'
  );
  const { defaultClusterKeyPath } = await import('./index-cluster.js');
  await checkSharedIndexKey(db, key, resolve(keyFlag ?? defaultClusterKeyPath()), { create: false });
  const byHost = await candidatesByHost(
    db,
    key,
    subject,
    agents.map((a) => a.name),
  );
  return (agent, request) => ({
    key: sealIndexKey(key, agent.publicKey, request),
    candidates: sealCandidates(byHost.get(agent.name)!, agent.publicKey, request),
  });
}

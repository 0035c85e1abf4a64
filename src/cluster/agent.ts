import { opendirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type PgBoss from 'pg-boss';
import type { Subject } from '../core/types.js';
import type { ImapPasswordSource } from '../crawl/imap/password.js';
import { defaultConcurrency, KeptPools, runScan } from '../engine/scan.js';
import type { OutputSink } from '../io/output.js';
import { agentQueue, type ClusterDb, ensureQueue, listen, wake, wakeChannel } from './db.js';
import { eraseOnAgent } from './erase.js';
import { exportOnAgent } from './export.js';
import { indexedScanOnAgent, indexOnAgent } from './index-jobs.js';
import {
  type AgentJob,
  childJobId,
  type EraseJobResult,
  type ExportJobResult,
  type IndexJob,
  type IndexJobResult,
  JOB_EXPIRE_SECONDS,
  JOB_RETRIES,
  type ScanJob,
  type ScanJobResult,
} from './jobs.js';
import { type KeyPair, openJson, seal, sealJson } from './seal.js';

export interface AgentOptions {
  db: ClusterDb;
  name: string;
  roots: string[];
  keys: KeyPair;
  /** Files scanned at once within a job. */
  concurrency?: number;
  /** Ends the agent: the job in hand is stopped and handed back to the queue. */
  signal: AbortSignal;
  /** One line per job, without paths or identifiers. */
  log?: (line: string) => void;
  /** How often the queue is polled when idle and no job is announced, in ms. @default 2000 */
  pollMs?: number;
  /**
   * A root (or folder above the split depth) is split into a job per folder only when it holds more
   * files than this: a job costs a round trip through the queue, worth it only for what takes long
   * to scan again after a crash. @default DEFAULT_SPLIT_ABOVE
   */
  splitAbove?: number;
  /** Where erasure journals, audit copies and the agent's audit key are kept. */
  stateDir: string;
  /** Where the password of an IMAP server comes from, for erasing IMAP messages. */
  imapPassword?: ImapPasswordSource;
  /** Called once the agent is registered and its queue made: jobs sent now reach it. */
  onReady?: () => void;
  /** Test hook: called with the job's number (from 1) when its result is ready, before it commits. */
  beforeCommit?: (job: number) => Promise<void>;
}

/**
 * Registers the agent (its name, public key and number of roots; no path) and works its queue until
 * `signal`: one job at a time, each a root or a folder of one, scanned with the usual engine. A job's
 * sealed result, the jobs it splits off and its completion commit in one transaction.
 */
/** Files in a root above which the agent splits it into subtree jobs. */
export const DEFAULT_SPLIT_ABOVE = 5000;

export async function runAgent(opts: AgentOptions): Promise<void> {
  const { db, name } = opts;
  const queue = agentQueue(name);
  const roots = opts.roots.map((r) => resolve(r));
  await db.pool.query(
    `INSERT INTO dsr.agent (name, public_key, roots, seen_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET public_key = $2, roots = $3, seen_at = now()`,
    [name, opts.keys.publicKey, roots.length],
  );
  // Alive from here on, while the queue is made (creating its partition waits for locks on a busy database).
  const heartbeat = setInterval(() => {
    db.pool.query('UPDATE dsr.agent SET seen_at = now() WHERE name = $1', [name]).catch(() => {});
  }, 2000);
  try {
    await ensureQueue(db, queue);
    await releaseOrphans(db, queue);
  } catch (err) {
    clearInterval(heartbeat);
    throw err;
  }
  // Woken when a job is sent: the queue is fetched at once, and polled only now and then when idle.
  const waker = await listen(db, wakeChannel(queue));
  opts.onReady?.();
  let jobs = 0;
  // One set of worker threads for all the agent's jobs, started now rather than in the first request
  // (the size a subject scan uses: see sharesRawPass).
  const pools = new KeptPools();
  const threads = opts.concurrency ?? defaultConcurrency();
  pools.starter(threads >= 2 ? threads - 1 : threads, 'pool');
  try {
    while (!opts.signal.aborted) {
      const [job] = await db.boss.fetch<AgentJob>(queue, { batchSize: 1 });
      if (!job) {
        await waker.wait(opts.pollMs ?? 2000, opts.signal);
        continue;
      }
      await workJob({ ...opts, pools }, roots, queue, job, ++jobs);
    }
  } finally {
    clearInterval(heartbeat);
    await waker.close();
    await pools.closeAll();
  }
}

/**
 * Jobs of this agent's queue still active from a run that was killed: only this agent works its queue,
 * so they are handed back for a retry at once rather than after their expiration.
 */
async function releaseOrphans(db: ClusterDb, queue: string): Promise<void> {
  const { rows } = await db.pool.query<{ id: string }>(
    "SELECT id FROM pgboss.job WHERE name = $1 AND state = 'active'",
    [queue],
  );
  for (const { id } of rows) await db.boss.fail(queue, id, { reason: 'agent restarted' });
}

type JobContext = AgentOptions & { pools: KeptPools };

async function workJob(
  opts: JobContext,
  roots: string[],
  queue: string,
  job: PgBoss.Job<AgentJob>,
  n: number,
): Promise<void> {
  const { db } = opts;
  const live = await db.pool.query('SELECT 1 FROM dsr.job WHERE id = $1 AND done_at IS NULL', [job.id]);
  if (!live.rowCount) {
    // Its request was finished or given up by the coordinator (or this job's result is in already).
    await db.boss.complete(queue, job.id);
    return;
  }
  const started = Date.now();
  let outcome: Outcome;
  try {
    if (job.data.kind === 'erase')
      outcome = {
        result: sealedResult(
          job,
          await eraseOnAgent({ id: job.id, data: job.data }, { ...opts, roots }, opts.signal),
        ),
        children: [],
      };
    else if (job.data.kind === 'export')
      outcome = {
        result: sealedResult(
          job,
          await exportOnAgent({ id: job.id, data: job.data }, { ...opts, roots }, opts.signal),
        ),
        children: [],
      };
    else if (job.data.kind === 'index') outcome = await indexJob(opts, roots, { id: job.id, data: job.data });
    else outcome = await scanJob(opts, roots, job.id, job.data);
  } catch (err) {
    // A job that fails is answered with its error, not retried forever: the coordinator lists it.
    if (opts.signal.aborted) outcome = { stopped: true };
    else {
      const error = (err as Error).message;
      const answer =
        job.data.kind === 'erase'
          ? { refused: error, actions: [], records: [] }
          : job.data.kind === 'export'
            ? { attempt: '', items: [], error }
            : { root: '', error };
      outcome = { result: sealedResult(job, answer), children: [] };
    }
  }
  if ('stopped' in outcome) {
    await db.boss.fail(queue, job.id, { reason: 'agent stopped' }).catch(() => {});
    opts.log?.(`job ${job.id}: stopped, handed back`);
    return;
  }
  await opts.beforeCommit?.(n);
  await db.transaction(async (client, tx) => {
    const done = await client.query(
      'UPDATE dsr.job SET result = $2, done_at = now() WHERE id = $1 AND done_at IS NULL RETURNING request_id',
      [job.id, outcome.result],
    );
    if (done.rowCount) {
      for (const child of outcome.children) {
        await client.query(
          'INSERT INTO dsr.job (id, request_id, host) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [child.id, job.data.request, opts.name],
        );
        await db.boss.send(queue, child.data, {
          id: child.id,
          retryLimit: JOB_RETRIES,
          expireInSeconds: JOB_EXPIRE_SECONDS,
          db: tx,
        });
      }
    }
    await db.boss.complete(queue, job.id, {}, { db: tx });
    await wake(client, wakeChannel(job.data.request));
  });
  opts.log?.(
    `job ${job.id}: done in ${Date.now() - started} ms${outcome.children.length ? `, ${outcome.children.length} folders queued` : ''}`,
  );
}

type Outcome = { stopped: true } | { result: Buffer; children: { id: string; data: AgentJob }[] };

async function indexJob(
  opts: JobContext,
  roots: string[],
  job: { id: string; data: IndexJob },
): Promise<Outcome> {
  const result = await indexOnAgent(job, { ...opts, roots }, opts.signal);
  if (!result) return { stopped: true };
  return { result: sealedResult(job, result), children: [] };
}

async function scanJob(opts: JobContext, roots: string[], jobId: string, data: ScanJob): Promise<Outcome> {
  const root = roots[data.root];
  const subject = openJson<Subject | null>(data.subject, opts.keys, data.request);
  const rel = data.part ? openJson<string>(data.part, opts.keys, jobId) : '';
  const subfolders: string[] = [];
  const splits =
    data.depth < data.options.splitDepth &&
    root !== undefined &&
    isFolder(root) &&
    holdsMoreFiles(join(root, rel), opts.splitAbove ?? DEFAULT_SPLIT_ABOVE);
  if (root === undefined) {
    const error = `the agent has no root number ${data.root + 1} (was it restarted with fewer roots?)`;
    return { result: sealedResult({ id: jobId, data }, { root: '', error }), children: [] };
  }
  let scanFile: string;
  // From the shared index: only the candidates named, and files changed or added since, are read.
  const indexed = data.index
    ? await indexedScanOnAgent({ index: data.index, request: data.request }, opts)
    : undefined;
  try {
    const outcome = await runScan({
      roots: [root],
      subject,
      all: data.options.all,
      excludes: data.options.excludes,
      fileList: data.options.fileList,
      limits: data.options.limits,
      concurrency: opts.concurrency,
      pools: opts.pools,
      part: { rel, ...(splits ? { onSubfolder: (sub: string) => subfolders.push(sub) } : {}) },
      signal: opts.signal,
      ...(indexed
        ? {
            shortcut: indexed.answers.shortcut,
            readHere: indexed.answers.readHere,
            ocrCache: indexed.ocrCache,
            ownFiles: indexed.ownFiles,
          }
        : {}),
    });
    if (outcome.interrupted) {
      await outcome.writer.discard();
      return { stopped: true };
    }
    const parts: Buffer[] = [];
    const sink: OutputSink = {
      write: async (d) => {
        parts.push(typeof d === 'string' ? Buffer.from(d) : Buffer.from(d));
      },
    };
    await outcome.writer.write(sink, { finishedAt: outcome.finishedAt });
    scanFile = Buffer.concat(parts).toString('utf8');
  } finally {
    await indexed?.end();
  }
  const result: ScanJobResult = { root, scanFile };
  const children = subfolders.map((sub) => {
    const id = childJobId(jobId, sub);
    const child: ScanJob = { ...data, part: sealJson(sub, opts.keys.publicKey, id), depth: data.depth + 1 };
    return { id, data: child };
  });
  return { result: sealedResult({ id: jobId, data }, result), children };
}

function sealedResult(
  job: { id: string; data: AgentJob },
  result: ScanJobResult | EraseJobResult | ExportJobResult | IndexJobResult,
): Buffer {
  return seal(JSON.stringify(result), job.data.reply, job.id);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the tree at `path` holds more than `limit` files; stops counting there. */
function holdsMoreFiles(path: string, limit: number): boolean {
  let files = 0;
  const folders = [path];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let dir: ReturnType<typeof opendirSync>;
    try {
      dir = opendirSync(folder);
    } catch {
      continue;
    }
    try {
      for (let e = dir.readSync(); e; e = dir.readSync()) {
        if (e.isDirectory()) folders.push(join(folder, e.name));
        else if (++files > limit) return true;
      }
    } finally {
      dir.closeSync();
    }
  }
  return false;
}

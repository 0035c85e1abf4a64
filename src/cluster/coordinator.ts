import { randomUUID } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { newScanId, sha256Hex } from '../core/ids.js';
import type { Limits } from '../core/limits.js';
import type { HostRecord, ScanFile, Subject } from '../core/types.js';
import { ScanWriter } from '../scan-file/writer.js';
import { agentQueue, type ClusterDb, ensureQueue, listen, type Waker, wake, wakeChannel } from './db.js';
import {
  type IndexedScan,
  JOB_EXPIRE_SECONDS,
  JOB_RETRIES,
  type ScanJob,
  type ScanJobResult,
} from './jobs.js';
import { type KeyPair, newKeyPair, open, sealJson } from './seal.js';

export interface AgentRow {
  name: string;
  publicKey: string;
  roots: number;
}

/** The registered agents, or those named (each must exist). */
export async function selectAgents(db: ClusterDb, names?: string[]): Promise<AgentRow[]> {
  const { rows } = await db.pool.query<{ name: string; public_key: string; roots: number }>(
    'SELECT name, public_key, roots FROM dsr.agent ORDER BY name',
  );
  const agents = rows.map((r) => ({ name: r.name, publicKey: r.public_key, roots: r.roots }));
  if (!agents.length)
    throw new UsageError(
      'no agent has registered with this database',
      'start dsr agent --db URL --name NAME ROOT… on each host first (docs/cluster.md)',
    );
  if (!names?.length) return agents;
  const unknown = names.filter((n) => !agents.some((a) => a.name === n));
  if (unknown.length)
    throw new UsageError(
      `no agent named ${unknown.join(', ')} has registered`,
      `registered: ${agents.map((a) => a.name).join(', ')}`,
    );
  return agents.filter((a) => names.includes(a.name));
}

/** A request in the database: its row, its key pair, and the jobs it sent. */
export class Request {
  readonly id = randomUUID();
  readonly keys: KeyPair = newKeyPair();

  private waker: Waker | undefined;

  private constructor(private readonly db: ClusterDb) {}

  static async open(db: ClusterDb, kind: string): Promise<Request> {
    const req = new Request(db);
    req.waker = await listen(db, wakeChannel(req.id));
    await db.pool.query('INSERT INTO dsr.request (id, kind, public_key) VALUES ($1, $2, $3)', [
      req.id,
      kind,
      req.keys.publicKey,
    ]);
    return req;
  }

  private readonly queues = new Set<string>();

  /** Sends one job to an agent's queue, with its row, in one transaction. */
  async send(host: string, data: object, id: string = randomUUID()): Promise<string> {
    const queue = agentQueue(host);
    // An agent makes its queue when it starts; one registered but still starting may not have it yet.
    if (!this.queues.has(queue)) await ensureQueue(this.db, queue);
    this.queues.add(queue);
    await this.db.transaction(async (client, tx) => {
      await client.query('INSERT INTO dsr.job (id, request_id, host) VALUES ($1, $2, $3)', [
        id,
        this.id,
        host,
      ]);
      await this.db.boss.send(agentQueue(host), data, {
        id,
        retryLimit: JOB_RETRIES,
        expireInSeconds: JOB_EXPIRE_SECONDS,
        db: tx,
      });
      await wake(client, wakeChannel(queue));
    });
    return id;
  }

  /**
   * Sends many jobs in one transaction (the queues made first, side by side): what a request sends at
   * its start costs one round of commits, not one per job.
   */
  async sendMany(jobs: { host: string; data: object; id?: string }[]): Promise<string[]> {
    const queues = [...new Set(jobs.map((j) => agentQueue(j.host)))].filter((q) => !this.queues.has(q));
    await Promise.all(queues.map((q) => ensureQueue(this.db, q)));
    for (const q of queues) this.queues.add(q);
    const ids = jobs.map((j) => j.id ?? randomUUID());
    await this.db.transaction(async (client, tx) => {
      await client.query(
        'INSERT INTO dsr.job (id, request_id, host) SELECT unnest($1::uuid[]), $2, unnest($3::text[])',
        [ids, this.id, jobs.map((j) => j.host)],
      );
      for (const [i, job] of jobs.entries())
        await this.db.boss.send(agentQueue(job.host), job.data, {
          id: ids[i],
          retryLimit: JOB_RETRIES,
          expireInSeconds: JOB_EXPIRE_SECONDS,
          db: tx,
        });
      for (const host of new Set(jobs.map((j) => j.host))) await wake(client, wakeChannel(agentQueue(host)));
    });
    return ids;
  }

  /** Returns when an agent has committed a result (or after `ms`: the caller checks for silent agents). */
  async waitForResults(ms: number, signal?: AbortSignal): Promise<void> {
    await this.waker?.wait(ms, signal);
  }

  /** Results not yet read, opened; each is marked read (and its sealed bytes dropped) once handed over. */
  async *results(): AsyncGenerator<{ host: string; body: Buffer }> {
    const { rows } = await this.db.pool.query<{ id: string; host: string; result: Buffer }>(
      `SELECT id, host, result FROM dsr.job
       WHERE request_id = $1 AND done_at IS NOT NULL AND collected_at IS NULL LIMIT 100`,
      [this.id],
    );
    for (const row of rows) {
      yield { host: row.host, body: open(row.result, this.keys, row.id) };
      await this.db.pool.query('UPDATE dsr.job SET result = NULL, collected_at = now() WHERE id = $1', [
        row.id,
      ]);
    }
  }

  /**
   * Hands over every result until every job is done, withdrawing the jobs of hosts silent for
   * `waitSeconds` (each named to `onSilent`). The last results are read after the last job is seen done:
   * a result committed between a read and that check is never left behind.
   */
  async gather(opts: {
    waitSeconds: number;
    signal?: AbortSignal;
    onResult: (host: string, body: Buffer) => Promise<void> | void;
    onSilent: (host: string) => void;
  }): Promise<void> {
    const readAll = async () => {
      let got = 0;
      for (let page = 1; page > 0; got += page) {
        page = 0;
        for await (const { host, body } of this.results()) {
          await opts.onResult(host, body);
          page++;
        }
      }
      return got;
    };
    while (!opts.signal?.aborted) {
      if (await readAll()) continue;
      const pending = await this.pending(opts.waitSeconds);
      if (!pending.hosts.length) {
        await readAll();
        return;
      }
      for (const host of pending.silent) {
        await this.withdraw(host);
        opts.onSilent(host);
      }
      await this.waitForResults(1000, opts.signal);
    }
  }

  /**
   * Hosts with jobs still to do, and which of them have been silent for `waitSeconds` (no sign of life
   * since the request began or since they last had one).
   */
  async pending(waitSeconds: number): Promise<{ hosts: string[]; silent: string[] }> {
    const { rows } = await this.db.pool.query<{ host: string; silent: boolean }>(
      `SELECT j.host,
              bool_and(greatest(a.seen_at, r.created_at) < now() - make_interval(secs => $2)) AS silent
       FROM dsr.job j JOIN dsr.request r ON r.id = j.request_id LEFT JOIN dsr.agent a ON a.name = j.host
       WHERE j.request_id = $1 AND j.done_at IS NULL GROUP BY j.host`,
      [this.id, waitSeconds],
    );
    return { hosts: rows.map((r) => r.host), silent: rows.filter((r) => r.silent).map((r) => r.host) };
  }

  /** Withdraws a host's jobs that are still to do: they are cancelled in the queue and forgotten here. */
  async withdraw(host: string): Promise<void> {
    const { rows } = await this.db.pool.query<{ id: string }>(
      'DELETE FROM dsr.job WHERE request_id = $1 AND host = $2 AND done_at IS NULL RETURNING id',
      [this.id, host],
    );
    if (rows.length)
      await this.db.boss.cancel(
        agentQueue(host),
        rows.map((r) => r.id),
      );
  }

  /** Ends the request: jobs not done are withdrawn, and its rows are deleted. */
  async close(): Promise<void> {
    const { hosts } = await this.pending(0);
    for (const host of hosts) await this.withdraw(host).catch(() => {});
    await this.db.pool.query('DELETE FROM dsr.request WHERE id = $1', [this.id]);
    await this.waker?.close();
  }
}

export interface ClusterScanOptions {
  db: ClusterDb;
  agents: AgentRow[];
  subject: Subject | null;
  all: boolean;
  excludes: string[];
  fileList: boolean;
  limits: Partial<Limits>;
  /** Folders this many levels below a root are jobs of their own. @default 1 */
  splitDepth?: number;
  /** Seconds an agent may stay silent while it has jobs to do before it is named as not answering. */
  waitSeconds: number;
  signal?: AbortSignal;
  onProgress?: (done: number, hosts: number) => void;
  /** `scan --index`: what each agent needs to answer from the shared index (see index-jobs.ts). */
  indexed?: (agent: AgentRow, request: string) => IndexedScan;
}

export interface ClusterScanOutcome {
  writer: ScanWriter;
  interrupted: boolean;
  finishedAt: string;
  hosts: HostRecord[];
  /** Agents that did not answer within the wait. */
  silent: string[];
}

/**
 * A scan through agents: one job per root of each agent (an agent splits big roots further), results
 * gathered into one scan file as they come, each finding, item and error marked with its host.
 */
export async function scanThroughAgents(opts: ClusterScanOptions): Promise<ClusterScanOutcome> {
  const { db } = opts;
  const writer = new ScanWriter(
    {
      scanId: newScanId(),
      startedAt: new Date().toISOString(),
      roots: [],
      subject: opts.subject ?? {},
      options: { all: opts.all, excludes: opts.excludes },
    },
    opts.fileList,
  );
  const hosts = new Map<string, HostRecord>(
    opts.agents.map((a) => [a.name, { name: a.name, roots: [], answered: true }]),
  );
  const request = await Request.open(db, 'scan');
  const silent: string[] = [];
  let done = 0;
  try {
    const jobs: { host: string; data: ScanJob }[] = [];
    for (const agent of opts.agents) {
      for (let root = 0; root < agent.roots; root++) {
        const job: ScanJob = {
          kind: 'scan',
          request: request.id,
          reply: request.keys.publicKey,
          root,
          subject: sealJson(opts.subject, agent.publicKey, request.id),
          depth: 0,
          options: {
            all: opts.all,
            excludes: opts.excludes,
            fileList: opts.fileList,
            limits: opts.limits,
            splitDepth: opts.splitDepth ?? 1,
          },
          ...(opts.indexed ? { index: opts.indexed(agent, request.id) } : {}),
        };
        jobs.push({ host: agent.name, data: job });
      }
    }
    await request.sendMany(jobs);
    await request.gather({
      waitSeconds: opts.waitSeconds,
      signal: opts.signal,
      onResult: (host, body) => {
        mergeResult(writer, hosts.get(host)!, JSON.parse(body.toString('utf8')) as ScanJobResult);
        opts.onProgress?.(++done, hosts.size);
      },
      onSilent: (host) => {
        silent.push(host);
        hosts.get(host)!.answered = false;
        writer.addError({
          host,
          path: '',
          itemPath: [],
          kind: 'timeout',
          message: `agent ${host} did not answer within ${opts.waitSeconds} s: what it had still to scan was not scanned`,
        });
      },
    });
  } catch (err) {
    await writer.discard();
    throw err;
  } finally {
    await request.close().catch(() => {});
  }
  return {
    writer,
    interrupted: Boolean(opts.signal?.aborted),
    finishedAt: new Date().toISOString(),
    hosts: [...hosts.values()],
    silent,
  };
}

/**
 * One job's part of the scan file, marked with its host. Ids include the host: two servers may hold
 * the same path, and an id stays the same in the next scan of the same host.
 */
function mergeResult(writer: ScanWriter, host: HostRecord, result: ScanJobResult): void {
  const name = host.name;
  if (result.root && !host.roots.includes(result.root)) host.roots.push(result.root);
  if (result.root && !writer.header.roots.includes(result.root)) writer.header.roots.push(result.root);
  if (result.error || !result.scanFile) {
    writer.addError({
      host: name,
      path: result.root,
      itemPath: [],
      kind: 'corrupt',
      message: `agent ${name} could not scan: ${result.error ?? 'no result'}`,
    });
    return;
  }
  const part = JSON.parse(result.scanFile) as ScanFile;
  const itemIdOf = (ref: { path: string; itemPath: string[] }) =>
    sha256Hex([name, ref.path, ...ref.itemPath].join('\u0000')).slice(0, 16);
  for (const f of part.findings)
    writer.addFinding({
      ...f,
      id: sha256Hex(`${name}\u0000${f.id}`).slice(0, 16),
      host: name,
      itemId: itemIdOf(f),
    });
  for (const i of part.items) writer.addItem({ ...i, id: itemIdOf(i), host: name });
  for (const e of part.errors) writer.addError({ ...e, host: name });
  for (const s of part.skippedFiles ?? []) writer.addSkipped(s.path, s.reason, name);
  for (const p of part.scanned ?? []) writer.addScanned(`${name}:${p}`);
  writer.stats.files += part.stats.files;
  writer.stats.items += part.stats.items;
  writer.stats.bytes += part.stats.bytes;
}

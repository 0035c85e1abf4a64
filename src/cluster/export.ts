import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { fsPath } from '../core/raw-path.js';
import type { ScanFile, Subject } from '../core/types.js';
import { exportCopy, type ItemCopy, type ItemCopyContext, type ItemNotCopied } from '../export/export.js';
import { compileSubject } from '../match/subject.js';
import type { ReportItem } from '../report/access/model.js';
import { type AgentRow, Request } from './coordinator.js';
import { type ClusterDb, listen, type Waker, wake, wakeChannel } from './db.js';
import type { ExportedCopy, ExportJob, ExportJobItem, ExportJobResult } from './jobs.js';
import { type KeyPair, open, openJson, seal, sealJson } from './seal.js';

/** Bytes of a copy sealed and sent at once. */
export const CHUNK_BYTES = 1024 * 1024;
/**
 * Pieces of one job that may wait in the database for the coordinator: an agent sends more only when
 * fewer wait, so that a large file never sits whole in the database.
 */
export const CHUNKS_IN_FLIGHT = 4;

function chunkLabel(job: string, attempt: string, n: number, seq: number): string {
  return `${job}/${attempt}/${n}/${seq}`;
}

/**
 * An agent's part of an export: each item read from its own roots only (anything else is refused),
 * checked against its fingerprint and masked as a local export does, its bytes sent sealed for the
 * coordinator in pieces; what the manifest says of each item is the job's result.
 */
export async function exportOnAgent(
  job: { id: string; data: ExportJob },
  agent: { db: ClusterDb; name: string; roots: string[]; keys: KeyPair },
  signal: AbortSignal,
): Promise<ExportJobResult> {
  const { data } = job;
  const items = openJson<ExportJobItem[]>(data.items, agent.keys, job.id);
  const subject = openJson<Subject>(data.subject, agent.keys, data.request);
  const limits: Limits = { ...DEFAULT_LIMITS, ...data.options.limits };
  const ctx: ItemCopyContext = {
    copy: { limits },
    mask: { subject: compileSubject(subject), limits },
    allowChanged: data.options.allowChanged,
    unredacted: data.options.unredacted,
  };
  const roots = await Promise.all(agent.roots.map((r) => realpath(r).catch(() => resolve(r))));
  const attempt = randomUUID();
  const sender = await ChunkSender.open(agent.db, job, agent.name, attempt, signal);
  const out: ExportedCopy[] = [];
  try {
    for (const item of items) {
      if (signal.aborted) throw new Error('the agent is stopping');
      if (!(await insideRoots(item.path, roots))) {
        out.push({
          n: item.n,
          reason: 'refused',
          message: `agent ${agent.name} refused: the item is outside the roots it was started with`,
        });
        continue;
      }
      let copy: ItemCopy | ItemNotCopied;
      try {
        copy = await exportCopy(item, ctx);
        if ('reason' in copy) {
          out.push({ n: item.n, reason: copy.reason, message: copy.message });
          continue;
        }
        const sent = await sender.send(item.n, copy.content());
        out.push({
          n: item.n,
          name: copy.name,
          ...(copy.mtime ? { mtime: copy.mtime.toISOString() } : {}),
          sourceSha256: copy.sourceSha256,
          changed: copy.changed,
          kept: copy.kept,
          ...sent,
        });
      } catch (err) {
        if (signal.aborted || err instanceof Withdrawn) throw err;
        out.push({ n: item.n, reason: 'unreadable', message: (err as Error).message });
      }
    }
  } finally {
    await sender.close();
  }
  return { attempt, items: out };
}

/** Whether `path` (and, when it exists, what it resolves to through links) lies within one of `roots`. */
async function insideRoots(path: string, roots: string[]): Promise<boolean> {
  if (!isAbsolute(path)) return false;
  const within = (p: string) => roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
  if (!within(resolve(path))) return false;
  const real = await realpath(fsPath(path)).catch(() => undefined);
  return real === undefined || within(real);
}

class Withdrawn extends Error {}

/** Sends one job's copies as sealed pieces, waiting while the coordinator has enough of them to write. */
class ChunkSender {
  private constructor(
    private readonly db: ClusterDb,
    private readonly job: { id: string; data: ExportJob },
    private readonly host: string,
    private readonly attempt: string,
    private readonly signal: AbortSignal,
    private readonly waker: Waker,
  ) {}

  static async open(
    db: ClusterDb,
    job: { id: string; data: ExportJob },
    host: string,
    attempt: string,
    signal: AbortSignal,
  ): Promise<ChunkSender> {
    return new ChunkSender(db, job, host, attempt, signal, await listen(db, wakeChannel(job.id)));
  }

  /** Sends an item's bytes; returns how many and their sha256 (what the coordinator must receive). */
  async send(
    n: number,
    pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<{ size: number; sha256: string }> {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let held: Buffer[] = [];
    let heldBytes = 0;
    const flush = async () => {
      const chunk = held.length === 1 ? held[0] : Buffer.concat(held);
      held = [];
      heldBytes = 0;
      await this.put(n, seq++, chunk);
    };
    for await (const piece of pieces) {
      let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      hash.update(rest);
      size += rest.length;
      while (rest.length) {
        const take = rest.subarray(0, CHUNK_BYTES - heldBytes);
        held.push(take);
        heldBytes += take.length;
        rest = rest.subarray(take.length);
        if (heldBytes === CHUNK_BYTES) await flush();
      }
    }
    if (heldBytes) await flush();
    return { size, sha256: hash.digest('hex') };
  }

  private async put(n: number, seq: number, bytes: Buffer): Promise<void> {
    await this.room();
    const { id, data } = this.job;
    await this.db.pool.query(
      'INSERT INTO dsr.export_chunk (job_id, host, attempt, item, seq, data) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, this.host, this.attempt, n, seq, seal(bytes, data.reply, chunkLabel(id, this.attempt, n, seq))],
    );
    await wake(this.db.pool, wakeChannel(data.request));
  }

  /** Returns once fewer than CHUNKS_IN_FLIGHT pieces of this job wait; throws when the job was withdrawn. */
  private async room(): Promise<void> {
    for (;;) {
      if (this.signal.aborted) throw new Error('the agent is stopping');
      const { rows } = await this.db.pool.query<{ waiting: number; live: number }>(
        `SELECT (SELECT count(*) FROM dsr.export_chunk WHERE job_id = $1)::int AS waiting,
                (SELECT count(*) FROM dsr.job WHERE id = $1 AND done_at IS NULL)::int AS live`,
        [this.job.id],
      );
      if (!rows[0].live) throw new Withdrawn('the export was withdrawn by its coordinator');
      if (rows[0].waiting < CHUNKS_IN_FLIGHT) return;
      await this.waker.wait(1000, this.signal);
    }
  }

  async close(): Promise<void> {
    await this.waker.close();
  }
}

export interface ClusterExportOptions {
  db: ClusterDb;
  /** The registered agents (selectAgents). */
  agents: AgentRow[];
  /** Seconds an agent may stay silent, with items to send, before they are listed as not exported. */
  waitSeconds: number;
  unredacted: boolean;
  allowChanged: boolean;
  limits?: Partial<Limits>;
  signal?: AbortSignal;
}

export interface ClusterCopies {
  /** Each item's copy (read from the coordinator's private spool folder), or why there is none. */
  copyOf(item: ReportItem): ItemCopy | ItemNotCopied;
  /** Hosts that did not answer within the wait. */
  silent: string[];
  /** Removes the spool folder. */
  close(): Promise<void>;
}

interface Spool {
  path: string;
  next: number;
  size: number;
  hash: ReturnType<typeof createHash>;
}

/**
 * The copies of a scan's items through the agents that hold them: one export job per host with its
 * items, the pieces each sends written to a private spool folder (0700) as they come and deleted from
 * the database, then handed to the zip in the report's order.
 */
export async function exportThroughAgents(
  opts: ClusterExportOptions,
  items: ReportItem[],
  scan: ScanFile,
): Promise<ClusterCopies> {
  const { db } = opts;
  const hostOfItem = new Map(scan.items.map((i) => [i.id, i.host]));
  const numberOf = new Map(items.map((item, n) => [item.id, n]));
  const byHost = new Map<string, ExportJobItem[]>();
  for (const [n, item] of items.entries()) {
    const host = hostOfItem.get(item.id);
    if (!host) continue;
    const list = byHost.get(host) ?? [];
    list.push({
      n,
      path: item.path,
      itemPath: item.itemPath,
      format: item.format,
      fingerprint: item.fingerprint,
    });
    byHost.set(host, list);
  }
  const spoolDir = await mkdtemp(join(tmpdir(), 'dsr-export-'));
  const spools = new Map<string, Spool>();
  const results = new Map<number, ExportedCopy & { attempt: string }>();
  const hostErrors = new Map<string, string>();
  const silent: string[] = [];
  const request = await Request.open(db, 'export');
  try {
    const jobs: { host: string; data: ExportJob; id: string }[] = [];
    for (const [host, list] of byHost) {
      const agent = opts.agents.find((a) => a.name === host);
      if (!agent) continue;
      const id = randomUUID();
      const job: ExportJob = {
        kind: 'export',
        request: request.id,
        reply: request.keys.publicKey,
        items: sealJson(list, agent.publicKey, id),
        subject: sealJson(scan.subject, agent.publicKey, request.id),
        options: { unredacted: opts.unredacted, allowChanged: opts.allowChanged, limits: opts.limits ?? {} },
      };
      jobs.push({ host, data: job, id });
    }
    await request.sendMany(jobs);
    const readResults = async () => {
      let got = 0;
      for (let page = 1; page > 0; got += page) {
        page = 0;
        for await (const { host, body } of request.results()) {
          const r = JSON.parse(body.toString('utf8')) as ExportJobResult;
          if (r.error) hostErrors.set(host, r.error);
          for (const c of r.items ?? []) results.set(c.n, { ...c, attempt: r.attempt });
          page++;
        }
      }
      return got;
    };
    const drain = () => drainChunks(db, request, spoolDir, spools);
    while (!opts.signal?.aborted) {
      if ((await drain()) + (await readResults())) continue;
      const pending = await request.pending(opts.waitSeconds);
      if (!pending.hosts.length) {
        // Every job is done: its pieces were all committed before it, so this reads the last of them.
        while (await drain());
        await readResults();
        break;
      }
      for (const host of pending.silent) {
        await request.withdraw(host);
        silent.push(host);
      }
      await request.waitForResults(1000, opts.signal);
    }
  } catch (err) {
    await rm(spoolDir, { recursive: true, force: true });
    throw err;
  } finally {
    await request.close().catch(() => {});
  }
  const registered = new Set(opts.agents.map((a) => a.name));
  return {
    silent,
    copyOf(item) {
      const n = numberOf.get(item.id)!;
      const host = hostOfItem.get(item.id) ?? '';
      const r = results.get(n);
      if (!r) {
        if (!registered.has(host))
          return { reason: 'unanswered', message: `no agent named ${host} is registered in this database` };
        if (silent.includes(host))
          return {
            reason: 'unanswered',
            message: `agent ${host} did not answer within ${opts.waitSeconds} s`,
          };
        const error = hostErrors.get(host);
        if (error) return { reason: 'unreadable', message: `agent ${host} could not export: ${error}` };
        return { reason: 'unanswered', message: `agent ${host} sent no answer for this item` };
      }
      if ('reason' in r) return { reason: r.reason, message: r.message };
      const spool = spools.get(`${r.attempt}/${n}`);
      const got = spool ? { size: spool.size, sha256: spool.hash.copy().digest('hex') } : emptyCopy();
      if (got.size !== r.size || got.sha256 !== r.sha256)
        return { reason: 'unreadable', message: `the copy agent ${host} sent arrived incomplete` };
      return {
        name: r.name,
        ...(r.mtime ? { mtime: new Date(r.mtime) } : {}),
        sourceSha256: r.sourceSha256,
        changed: r.changed,
        kept: r.kept,
        content: () => (spool ? (createReadStream(spool.path) as AsyncIterable<Buffer>) : []),
      };
    },
    close: () => rm(spoolDir, { recursive: true, force: true }),
  };
}

function emptyCopy(): { size: number; sha256: string } {
  return { size: 0, sha256: createHash('sha256').digest('hex') };
}

/**
 * Writes the pieces waiting for this request to their spool files, in order, deleting each from the
 * database once written and waking its agent to send more. Returns how many it took.
 */
async function drainChunks(
  db: ClusterDb,
  request: Request,
  spoolDir: string,
  spools: Map<string, Spool>,
): Promise<number> {
  let taken = 0;
  for (;;) {
    const { rows } = await db.pool.query<{
      job_id: string;
      attempt: string;
      item: number;
      seq: number;
      data: Buffer;
    }>(
      `SELECT c.job_id, c.attempt, c.item, c.seq, c.data FROM dsr.export_chunk c
       JOIN dsr.job j ON j.id = c.job_id
       WHERE j.request_id = $1 ORDER BY c.job_id, c.attempt, c.item, c.seq LIMIT 8`,
      [request.id],
    );
    let took = 0;
    const jobs = new Set<string>();
    for (const row of rows) {
      const key = `${row.attempt}/${row.item}`;
      let spool = spools.get(key);
      if (!spool) {
        spool = {
          path: join(spoolDir, `${row.attempt}-${row.item}`),
          next: 0,
          size: 0,
          hash: createHash('sha256'),
        };
        spools.set(key, spool);
      }
      // Pieces come in order (an agent commits one before the next); one seen twice is dropped.
      if (row.seq > spool.next) continue;
      if (row.seq === spool.next) {
        const bytes = open(row.data, request.keys, chunkLabel(row.job_id, row.attempt, row.item, row.seq));
        await appendFile(spool.path, bytes, { mode: 0o600 });
        spool.hash.update(bytes);
        spool.size += bytes.length;
        spool.next++;
      }
      await db.pool.query(
        'DELETE FROM dsr.export_chunk WHERE job_id = $1 AND attempt = $2 AND item = $3 AND seq = $4',
        [row.job_id, row.attempt, row.item, row.seq],
      );
      jobs.add(row.job_id);
      took++;
    }
    for (const job of jobs) await wake(db.pool, wakeChannel(job));
    taken += took;
    if (!took) return taken;
  }
}

import type { PoolClient, Pool as PoolType } from 'pg';
import type PgBoss from 'pg-boss';
import { UsageError } from '../core/errors.js';
import { INDEX_SCHEMA_SQL } from './index-store.js';

/**
 * The cluster's database: pg-boss's queue (schema `pgboss`) and dsr's own tables (schema `dsr`) in one
 * PostgreSQL database. `pg` and `pg-boss` load only here, for `--db`: a single-machine run never loads them.
 *
 * dsr.agent    one row per agent: its name, public key (to seal the subject for it), number of roots
 *              and last sign of life. No path: the roots themselves travel sealed in results.
 * dsr.request  one row per request (scan, erase) while it runs: the coordinator's public key.
 * dsr.job      one row per job of a request: its host and, once done, its sealed result, written in
 *              the transaction that completes the pg-boss job (no duplicate on redelivery).
 * dsr.export_chunk  the bytes of an export job's copies, sealed in pieces, while they pass: the
 *              coordinator deletes each piece once written, and an agent sends more only when few wait.
 * dsr.index_*  the shared index (see index-store.ts).
 */
export const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS dsr;
CREATE TABLE IF NOT EXISTS dsr.agent (
  name text PRIMARY KEY,
  public_key text NOT NULL,
  roots integer NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS dsr.request (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  public_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS dsr.job (
  id uuid PRIMARY KEY,
  request_id uuid NOT NULL REFERENCES dsr.request ON DELETE CASCADE,
  host text NOT NULL,
  result bytea,
  done_at timestamptz,
  collected_at timestamptz
);
CREATE INDEX IF NOT EXISTS job_request ON dsr.job (request_id) WHERE collected_at IS NULL;
CREATE TABLE IF NOT EXISTS dsr.export_chunk (
  job_id uuid NOT NULL REFERENCES dsr.job ON DELETE CASCADE,
  host text NOT NULL,
  attempt uuid NOT NULL,
  item integer NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (job_id, attempt, item, seq)
);
${INDEX_SCHEMA_SQL}`;

/** The advisory lock key under which dsr's tables are created ("dsr" in ASCII). */
const SCHEMA_LOCK = 0x647372;

const AGENT_NAME = /^[A-Za-z0-9_-]{1,40}$/;

export function checkAgentName(name: string): string {
  if (!AGENT_NAME.test(name))
    throw new UsageError(
      `agent name ${JSON.stringify(name)} is not allowed`,
      'use 1-40 letters, digits, - or _ (the host name without dots, say)',
    );
  return name;
}

/** Each agent works one queue of its own: scan, erase and index jobs for its roots. */
export function agentQueue(name: string): string {
  return `dsr-agent-${name}`;
}

/**
 * Makes an agent's queue when missing. pg-boss gives each queue a partition of its job table; agents
 * starting together can deadlock making theirs (PostgreSQL then cancels one), so that one tries again.
 */
export async function ensureQueue(db: ClusterDb, queue: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await db.boss.getQueue(queue))) await db.boss.createQueue(queue);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 20 || (code !== '40P01' && code !== '23505')) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
    }
  }
}

/** The notification channel of an agent's queue (a job was sent) or of a request (a result is in). */
export function wakeChannel(name: string): string {
  return `dsr_wake_${name}`;
}

/** Wakes whoever waits on `channel` once the caller's transaction (if any) commits. */
export async function wake(q: { query: PoolType['query'] } | PoolClient, channel: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [channel, '']);
}

/**
 * Waits on a channel with PostgreSQL's LISTEN: `wait(ms)` returns when a notification comes or after
 * `ms`, so the queue is polled at once when work is sent and only now and then when idle. A lost
 * connection leaves plain polling every `ms`.
 */
export interface Waker {
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function listen(db: ClusterDb, channel: string): Promise<Waker> {
  let pending = false;
  let wakeUp: (() => void) | undefined;
  let client: PoolClient | undefined;
  const onNotification = () => {
    pending = true;
    wakeUp?.();
  };
  const ignoreError = () => {};
  try {
    client = await db.pool.connect();
    client.on('notification', onNotification);
    client.on('error', ignoreError);
    await client.query(`LISTEN "${channel}"`);
  } catch {
    client?.release(true);
    client = undefined;
  }
  return {
    async wait(ms, signal) {
      if (pending) {
        pending = false;
        return;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        wakeUp = done;
      });
      pending = false;
    },
    async close() {
      if (!client) return;
      await client.query(`UNLISTEN "${channel}"`).catch(() => {});
      // The connection goes back to the pool: the next waker that takes it adds listeners of its own.
      client.off('notification', onNotification);
      client.off('error', ignoreError);
      client.release();
    },
  };
}

export interface ClusterDb {
  pool: PoolType;
  boss: PgBoss;
  /** Runs `fn` in one transaction; pg-boss calls made with `db` join it. */
  transaction<T>(fn: (client: PoolClient, db: PgBoss.Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Run pg-boss's maintenance (expiring jobs whose holder went silent). @default true */
  supervise?: boolean;
  /** Connections in this process's pool. @default 4 */
  max?: number;
}

/** Connects to `url` (any libpq URL, `sslmode=verify-full` included), creating dsr's tables when missing. */
export async function connectCluster(url: string, opts: ConnectOptions = {}): Promise<ClusterDb> {
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError(
      `--db ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))} is not a PostgreSQL URL`,
      'give postgres://USER@HOST:PORT/DATABASE (add ?sslmode=verify-full for TLS)',
    );
  const [{ default: pg }, { default: PgBossClass }] = await Promise.all([import('pg'), import('pg-boss')]);
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 4 });
  // An idle connection that the server drops must not end the process: the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      // Agents starting together must not race to create the same tables: one at a time.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${SCHEMA_LOCK}); ${SCHEMA_SQL} COMMIT;`);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    // A restricted role (an agent's) may not create: `dsr agent-role` made the tables (docs/cluster.md).
    if ((err as { code?: string }).code !== '42501') {
      await pool.end();
      throw connectError(url, err);
    }
  }
  const db: PgBoss.Db = {
    executeSql: (text, values) => pool.query(text, values),
  };
  const boss = new PgBossClass({
    db,
    schema: 'pgboss',
    supervise: opts.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: 5,
  });
  boss.on('error', () => {});
  // pg-boss creates its schema on first start without a lock of its own: agents starting together
  // raced into `duplicate key … pg_namespace_nspname_index`. One process starts it at a time.
  const starter = await pool.connect();
  try {
    await starter.query(`SELECT pg_advisory_lock(${SCHEMA_LOCK + 1})`);
    await boss.start();
  } finally {
    await starter.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK + 1})`).catch(() => {});
    starter.release();
  }
  return {
    pool,
    boss,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client, { executeSql: (text, values) => client.query(text, values) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

function connectError(url: string, err: unknown): UsageError {
  const safe = url.replace(/:[^:@/]*@/, ':***@');
  return new UsageError(
    `cannot use the database ${safe}: ${(err as Error).message}`,
    'check that PostgreSQL runs there, the role may log in, and the URL (docs/cluster.md)',
  );
}

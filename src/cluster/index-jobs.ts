import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Subject } from '../core/types.js';
import type { KeptPools } from '../engine/scan.js';
import { buildIndex } from '../index/build.js';
import { indexOwnFiles, type OpenIndex, ocrCacheOf } from '../index/index-file.js';
import { type IndexKey, keyCheck } from '../index/keys.js';
import { answersFrom, type Candidates, type IndexedAnswers, subjectCandidates } from '../index/query.js';
import { type AgentRow, Request } from './coordinator.js';
import type { ClusterDb } from './db.js';
import { PgIndexStore } from './index-store.js';
import type { IndexedScan, IndexJob, IndexJobResult } from './jobs.js';
import { type KeyPair, openJson, sealJson } from './seal.js';

/** The index key as it travels to an agent: sealed for it, never written to the database in clear. */
interface KeyText {
  indexId: string;
  macKey: string;
  encKey: string;
}

export function sealIndexKey(key: IndexKey, recipient: string, label: string): string {
  const text: KeyText = {
    indexId: key.indexId,
    macKey: key.macKey.toString('base64'),
    encKey: key.encKey.toString('base64'),
  };
  return sealJson(text, recipient, label);
}

export function openIndexKey(sealed: string, keys: KeyPair, label: string): IndexKey {
  const t = openJson<KeyText>(sealed, keys, label);
  return {
    indexId: t.indexId,
    macKey: Buffer.from(t.macKey, 'base64'),
    encKey: Buffer.from(t.encKey, 'base64'),
  };
}

/**
 * Ties the shared index to `key` on first use (its id and a key check, as an index file keeps them),
 * and refuses a key that is not the one the index was built with.
 */
export async function checkSharedIndexKey(
  db: ClusterDb,
  key: IndexKey,
  keyPath: string,
  opts: { create: boolean },
): Promise<void> {
  const store = new PgIndexStore(await db.pool.connect(), '');
  try {
    await store.transaction(async () => {
      const id = await store.getMeta('indexId');
      if (id === undefined && !opts.create)
        throw new UsageError(
          'this database holds no shared index yet',
          'build it first: dsr index --db URL (the agents index their roots)',
        );
      if (id === undefined) {
        await store.setMeta('indexId', key.indexId);
        await store.setMeta('keyCheck', keyCheck(key));
        return;
      }
      if (id !== key.indexId || (await store.getMeta('keyCheck')) !== keyCheck(key))
        throw new UsageError(
          `${keyPath}: this key does not belong to the shared index in this database`,
          'use the key file the shared index was first built with (dsr index --db … --key FILE)',
        );
    });
  } finally {
    await store.close();
  }
}

/** An agent's view of its host's part of the shared index, with its OCR cache kept in the agent's state folder. */
async function agentIndex(
  db: ClusterDb,
  agent: { name: string; stateDir: string },
  key: IndexKey,
): Promise<OpenIndex> {
  const path = join(agent.stateDir, `index-${agent.name}`);
  return {
    store: new PgIndexStore(await db.pool.connect(), agent.name),
    key,
    path,
    keyPath: `${path}.key`,
    created: false,
  };
}

/** An agent's index job: one root's part of the shared index built or refreshed, as `dsr index` does. */
export async function indexOnAgent(
  job: { id: string; data: IndexJob },
  agent: {
    db: ClusterDb;
    name: string;
    roots: string[];
    keys: KeyPair;
    stateDir: string;
    concurrency?: number;
    pools?: KeptPools;
  },
  signal: AbortSignal,
): Promise<IndexJobResult | undefined> {
  const root = agent.roots[job.data.root];
  if (root === undefined)
    return {
      error: `the agent has no root number ${job.data.root + 1} (was it restarted with fewer roots?)`,
    };
  const key = openIndexKey(job.data.key, agent.keys, job.id);
  const index = await agentIndex(agent.db, agent, key);
  try {
    const stats = await buildIndex(index, {
      roots: [root],
      excludes: job.data.options.excludes,
      concurrency: agent.concurrency,
      pools: agent.pools,
      signal,
    });
    // Stopped: what was read is kept (committed in batches), the job goes back to the queue.
    if (stats.interrupted) return undefined;
    const { interrupted: _, ...counts } = stats;
    return { root, stats: counts };
  } finally {
    await index.store.close();
  }
}

/**
 * An agent's answers to a scan job from the shared index: the candidates the coordinator named are
 * read, as are files changed or added since indexing; the others are answered from their rows.
 */
export async function indexedScanOnAgent(
  data: { index: IndexedScan; request: string },
  agent: { db: ClusterDb; name: string; keys: KeyPair; stateDir: string },
): Promise<{
  answers: IndexedAnswers;
  ownFiles: { path: string; reason: string }[];
  ocrCache: ReturnType<typeof ocrCacheOf>;
  end: () => Promise<void>;
}> {
  const key = openIndexKey(data.index.key, agent.keys, data.request);
  const named = openJson<{ all: string[]; rich: string[] }>(data.index.candidates, agent.keys, data.request);
  const candidates: Candidates = { all: new Set(named.all), rich: new Set(named.rich) };
  const index = await agentIndex(agent.db, agent, key);
  const endSnapshot = await index.store.readSnapshot();
  return {
    answers: answersFrom(index.store, key, candidates),
    ownFiles: indexOwnFiles(index),
    ocrCache: ocrCacheOf(index),
    end: async () => {
      await endSnapshot();
      await index.store.close();
    },
  };
}

/** The files of each host that may hold the subject, looked up by the coordinator with the index key. */
export async function candidatesByHost(
  db: ClusterDb,
  key: IndexKey,
  subject: Subject,
  hosts: string[],
): Promise<Map<string, Candidates>> {
  const out = new Map<string, Candidates>();
  for (const host of hosts) {
    const store = new PgIndexStore(await db.pool.connect(), host);
    try {
      out.set(host, await subjectCandidates(store, key, subject));
    } finally {
      await store.close();
    }
  }
  return out;
}

/** What the candidates of a host travel as, sealed for its agent. */
export function sealCandidates(c: Candidates, recipient: string, label: string): string {
  return sealJson({ all: [...c.all], rich: [...c.rich] }, recipient, label);
}

export interface ClusterIndexOutcome {
  hosts: { name: string; roots: string[]; answered: boolean }[];
  stats: { files: number; read: number; unchanged: number; removed: number; errors: number };
  /** Roots an agent could not index, and why. */
  failed: { host: string; root?: string; error: string }[];
  silent: string[];
  interrupted: boolean;
}

/** `dsr index --db`: one index job per root of each agent, the key sealed for it. */
export async function indexThroughAgents(opts: {
  db: ClusterDb;
  agents: AgentRow[];
  key: IndexKey;
  excludes: string[];
  waitSeconds: number;
  signal?: AbortSignal;
}): Promise<ClusterIndexOutcome> {
  const request = await Request.open(opts.db, 'index');
  const hosts = new Map(
    opts.agents.map((a) => [a.name, { name: a.name, roots: [] as string[], answered: true }]),
  );
  const out: ClusterIndexOutcome = {
    hosts: [...hosts.values()],
    stats: { files: 0, read: 0, unchanged: 0, removed: 0, errors: 0 },
    failed: [],
    silent: [],
    interrupted: false,
  };
  try {
    for (const agent of opts.agents)
      for (let root = 0; root < agent.roots; root++) {
        const id = randomUUID();
        const job: IndexJob = {
          kind: 'index',
          request: request.id,
          reply: request.keys.publicKey,
          root,
          key: sealIndexKey(opts.key, agent.publicKey, id),
          options: { excludes: opts.excludes },
        };
        await request.send(agent.name, job, id);
      }
    await request.gather({
      waitSeconds: opts.waitSeconds,
      signal: opts.signal,
      onResult: (host, body) => {
        const r = JSON.parse(body.toString('utf8')) as IndexJobResult & { root?: string };
        if (r.root) hosts.get(host)!.roots.push(r.root);
        if (r.error || !r.stats)
          out.failed.push({ host, root: r.root || undefined, error: r.error ?? 'no result' });
        else for (const k of Object.keys(out.stats) as (keyof typeof out.stats)[]) out.stats[k] += r.stats[k];
      },
      onSilent: (host) => {
        out.silent.push(host);
        hosts.get(host)!.answered = false;
      },
    });
  } finally {
    await request.close().catch(() => {});
  }
  out.interrupted = Boolean(opts.signal?.aborted);
  return out;
}

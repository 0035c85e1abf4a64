import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImapPasswordSource } from '../crawl/imap/password.js';
import { applyPlan } from '../erase/apply.js';
import { type AuditHead, AuditLog, type AuditRecord } from '../erase/audit.js';
import { loadOrCreateSigner } from '../erase/audit-key.js';
import type { Plan } from '../erase/plan.js';
import { validatePlan } from '../erase/validate.js';
import { type AgentRow, Request } from './coordinator.js';
import type { ClusterDb } from './db.js';
import type { ErasedAction, EraseJob, EraseJobResult } from './jobs.js';
import { type KeyPair, openJson, sealJson } from './seal.js';

type AuditBody = Omit<AuditRecord, 'seq' | 'prev' | 'hash' | 'keyId' | 'sig'>;

/**
 * An agent's part of an erasure: the plan's seals checked here (its hash, and the approval for
 * --execute), its own actions run with the usual journal, fingerprint and crash rules, never outside
 * its own roots; the outcomes and audit records go back to the coordinator.
 */
export async function eraseOnAgent(
  job: { id: string; data: EraseJob },
  agent: {
    name: string;
    roots: string[];
    keys: KeyPair;
    stateDir: string;
    imapPassword?: ImapPasswordSource;
  },
  signal: AbortSignal,
): Promise<EraseJobResult> {
  const plan = openJson<Plan>(job.data.plan, agent.keys, job.id);
  const problem = validatePlan(plan);
  if (problem) return { refused: `the plan is refused: ${problem}`, actions: [], records: [] };
  if (job.data.execute && !plan.approval)
    return { refused: 'the plan is not approved; nothing was done', actions: [], records: [] };
  // Only this host's actions, checked against this host's roots (the plan's own roots are every host's).
  const mine: Plan = {
    ...plan,
    roots: agent.roots.map((r) => resolve(r)),
    actions: plan.actions.filter((a) => a.host === agent.name),
  };
  const base = join(agent.stateDir, `erase-${agent.name}-${plan.sha256.slice(0, 16)}`);
  const auditLogPath = `${base}.audit.jsonl`;
  const result = await applyPlan(mine, {
    execute: job.data.execute,
    journalPath: `${base}.journal.jsonl`,
    auditLogPath,
    auditKeyPath: join(agent.stateDir, `agent-${agent.name}-audit.key`),
    lockPath: `${base}.lock`,
    signal,
    imapPassword: agent.imapPassword,
  });
  const actions: ErasedAction[] = result.reports.map((r) => ({
    id: r.action.id,
    result: r.outcome.result,
    ...(r.outcome.reason ? { reason: r.outcome.reason } : {}),
  }));
  const records: AuditBody[] = [];
  if (job.data.execute) {
    const text = await readFile(auditLogPath, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const { seq: _s, prev: _p, hash: _h, keyId: _k, sig: _g, ...body } = JSON.parse(line) as AuditRecord;
      if (body.runId === result.runId) records.push({ ...body, host: agent.name });
    }
  }
  return { actions, records };
}

export interface ClusterEraseOptions {
  db: ClusterDb;
  plan: Plan;
  agents: AgentRow[];
  execute: boolean;
  /** The plan's one audit log, and the key that signs it (the coordinator's). */
  auditLogPath: string;
  auditKeyPath: string;
  waitSeconds: number;
  signal?: AbortSignal;
}

export interface ClusterEraseOutcome {
  actions: Map<string, ErasedAction>;
  /** Hosts that refused the plan, and why. */
  refused: { host: string; reason: string }[];
  silent: string[];
  audit?: { head: AuditHead; keyPath: string; keyCreated: boolean };
}

/**
 * Sends each host's share of an approved plan to its agent (the whole plan, sealed for that agent, so
 * that it can check the seals itself) and writes the records they return into the plan's one audit log.
 */
export async function eraseThroughAgents(opts: ClusterEraseOptions): Promise<ClusterEraseOutcome> {
  const { db, plan } = opts;
  const hosts = [...new Set(plan.actions.map((a) => a.host).filter((h): h is string => Boolean(h)))];
  const request = await Request.open(db, 'erase');
  const out: ClusterEraseOutcome = { actions: new Map(), refused: [], silent: [] };
  const signer = opts.execute ? await loadOrCreateSigner(opts.auditKeyPath) : undefined;
  const audit = signer ? await AuditLog.open(opts.auditLogPath, signer) : undefined;
  try {
    for (const host of hosts) {
      const agent = opts.agents.find((a) => a.name === host)!;
      const id = crypto.randomUUID();
      const job: EraseJob = {
        kind: 'erase',
        request: request.id,
        reply: request.keys.publicKey,
        execute: opts.execute,
        plan: sealJson(plan, agent.publicKey, id),
      };
      await request.send(host, job, id);
    }
    await request.gather({
      waitSeconds: opts.waitSeconds,
      signal: opts.signal,
      onResult: async (host, body) => {
        const result = JSON.parse(body.toString('utf8')) as EraseJobResult;
        if (result.refused) out.refused.push({ host, reason: result.refused });
        for (const a of result.actions) out.actions.set(a.id, a);
        for (const r of result.records) await audit?.append({ ...r, host });
      },
      onSilent: (host) => out.silent.push(host),
    });
  } finally {
    await request.close().catch(() => {});
    await audit?.close();
  }
  if (audit && signer)
    out.audit = { head: audit.head(), keyPath: opts.auditKeyPath, keyCreated: signer.created };
  return out;
}

import { resolve } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { formatHeadLine } from '../../src/erase/audit.js';
import { defaultAuditKeyPath } from '../../src/erase/audit-key.js';
import { loadPlan } from '../../src/erase/plan.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, countBy, outputMode, tell } from '../output-mode.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';
import { openClusterSession } from './cluster-session.js';

export interface ClusterEraseFlags {
  db: string;
  execute?: boolean;
  auditLog?: string;
  auditKey?: string;
  wait?: number;
}

/**
 * `dsr erase PLAN --db URL`: each host's actions go to its agent, which checks the plan's seals and
 * acts with the usual rules; the records they return make the plan's one audit log, here.
 */
export async function eraseClusterCommand(planFile: string, flags: ClusterEraseFlags): Promise<number> {
  const planPath = resolve(planFile);
  const plan = await loadPlan(planPath);
  if (flags.execute && !plan.approval)
    throw new UsageError(
      `${planFile} is not approved; refusing to --execute`,
      `review it, then: dsr plan ${planFile} --approve --approved-by NAME`,
    );
  const hostless = plan.actions.filter((a) => !a.host).length;
  if (hostless)
    throw new UsageError(
      `${hostless} action(s) of ${planFile} name no host: it was not made from a scan through agents`,
      'run dsr erase without --db on the machine that scanned',
    );
  const base = planPath.endsWith('.json') ? planPath.slice(0, -5) : planPath;
  const auditLogPath = resolve(flags.auditLog ?? `${base}.audit.jsonl`);
  const auditKeyPath = flags.auditKey
    ? resolve(flags.auditKey)
    : (process.env.DSR_AUDIT_KEY ?? defaultAuditKeyPath());
  const { selectAgents } = await import('../../src/cluster/coordinator.js');
  const { eraseThroughAgents } = await import('../../src/cluster/erase.js');
  const session = await openClusterSession(flags.db);
  const { db } = session;
  const mask = identifierMasker(plan.subject);
  const out = (text: string) => tell(process.stdout, text);
  try {
    const hosts = [...new Set(plan.actions.map((a) => a.host!))];
    const agents = await selectAgents(db, hosts);
    out(
      `dsr erase — ${flags.execute ? 'EXECUTING' : 'DRY RUN (nothing is changed; add --execute to act)'} through ${hosts.length} agent(s)\n` +
        `  plan ${planPath}\n  sha256 ${plan.sha256}\n\n`,
    );
    const outcome = await eraseThroughAgents({
      db,
      plan,
      agents,
      execute: Boolean(flags.execute),
      auditLogPath,
      auditKeyPath,
      waitSeconds: flags.wait ?? 60,
      signal: session.signal,
    });
    const counts = new Map<string, number>();
    for (const a of plan.actions) {
      const o = outcome.actions.get(a.id);
      const result = o?.result ?? 'skipped';
      counts.set(result, (counts.get(result) ?? 0) + 1);
      const reason = o?.reason ?? (o ? '' : 'no answer from its agent');
      out(
        `  ${result.padEnd(8)} ${a.kind.padEnd(22)} ${a.host}:${mask(a.path)}${reason ? `\n           ${mask(reason)}` : ''}\n`,
      );
    }
    out(
      `\n${plan.actions.length} action(s): ${[...counts].map(([k, n]) => `${k} ${n}`).join(' · ') || 'none'}\n`,
    );
    // Warnings: shown under --quiet (on stderr), and in the --json summary.
    const warn = (text: string) =>
      outputMode.json ? undefined : writeSafe(outputMode.quiet ? process.stderr : process.stdout, text);
    for (const r of outcome.refused) warn(`agent ${r.host} refused the plan: ${r.reason}\n`);
    if (outcome.silent.length)
      warn(`agents not answering within ${flags.wait ?? 60} s: ${outcome.silent.join(', ')}\n`);
    if (outcome.audit) out(`Audit log: ${auditLogPath}\nAudit head: ${formatHeadLine(outcome.audit.head)}\n`);
    const results = plan.actions.map((a) => outcome.actions.get(a.id)?.result ?? 'skipped');
    addSummary({
      plan: planPath,
      sha256: plan.sha256,
      execute: Boolean(flags.execute),
      approved: Boolean(plan.approval),
      results: countBy(results),
      actions: plan.actions.map((a) => {
        const o = outcome.actions.get(a.id);
        const reason = o?.reason ?? (o ? '' : 'no answer from its agent');
        return {
          id: a.id,
          kind: a.kind,
          result: o?.result ?? 'skipped',
          reason: reason ? mask(reason) : null,
          host: a.host,
          path: mask(a.path),
          nested: a.itemPath.length,
        };
      }),
      refused: outcome.refused.map((r) => ({ host: r.host, reason: r.reason })),
      silent: outcome.silent,
      auditLog: outcome.audit ? auditLogPath : null,
      auditHead: outcome.audit ? formatHeadLine(outcome.audit.head) : null,
    });
    if (results.includes('failed')) return EXIT.internal;
    const ok = results.every((r) => r === 'done' || (!flags.execute && r === 'would'));
    return ok ? EXIT.ok : EXIT.actionsSkipped;
  } finally {
    await session.close();
  }
}

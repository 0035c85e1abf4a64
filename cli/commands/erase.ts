import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { imapPasswordSource } from '../../src/crawl/imap/password.js';
import { type ActionReport, applyPlan } from '../../src/erase/apply.js';
import { formatHeadLine } from '../../src/erase/audit.js';
import { loadPlan } from '../../src/erase/plan.js';
import { EXIT } from '../exit-codes.js';
import { positiveInt } from '../options.js';
import { addSummary, countBy, tell } from '../output-mode.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';
import { testStepHook } from '../test-hooks.js';

interface EraseFlags {
  execute?: boolean;
  auditLog?: string;
  auditKey?: string;
  maxActions?: number;
  lockTimeout?: number;
  db?: string;
  wait?: number;
}

export function registerErase(program: Command): void {
  program
    .command('erase')
    .description('Carry out an erasure plan: a dry run unless --execute (which needs an approved plan).')
    .argument('<plan>', 'plan file (dsr plan --out)')
    .option('--execute', 'act: delete, remove and redact as planned (default: dry run, nothing changes)')
    .option('--audit-log <file>', 'audit log to append to (default: <plan>.audit.jsonl beside the plan)')
    .option(
      '--audit-key <file>',
      'key that signs the audit records (default: $DSR_AUDIT_KEY, else ~/.config/dsr/audit.key; created 0600 if missing)',
    )
    .option(
      '--max-actions <n>',
      'act on at most N actions this run; the rest wait for a later run',
      positiveInt('--max-actions'),
    )
    .option(
      '--lock-timeout <seconds>',
      'wait this long for each mbox lock (dotlock, then fcntl) before skipping the mbox as locked',
      positiveInt('--lock-timeout'),
      30,
    )
    .option('--db <url>', "a plan from a scan through agents: each host's actions are done by its agent")
    .option(
      '--wait <seconds>',
      'with --db: how long an agent with actions to do may stay silent (default 60)',
      positiveInt('--wait'),
    )
    .action(async (planFile: string, flags: EraseFlags) => {
      if (flags.db) {
        const { eraseClusterCommand } = await import('./erase-cluster.js');
        process.exitCode = await eraseClusterCommand(planFile, { ...flags, db: flags.db });
        return;
      }
      process.exitCode = await eraseCommand(planFile, flags);
    });
}

export function planSidePath(planPath: string, suffix: string): string {
  const base = planPath.endsWith('.json') ? planPath.slice(0, -5) : planPath;
  return `${base}${suffix}`;
}

async function eraseCommand(planFile: string, flags: EraseFlags): Promise<number> {
  const planPath = resolve(planFile);
  const plan = await loadPlan(planPath);
  if (flags.execute && !plan.approval)
    throw new UsageError(
      `${planFile} is not approved; refusing to --execute`,
      `review it, then: dsr plan ${planFile} --approve --approved-by NAME`,
    );
  const auditLogPath = resolve(flags.auditLog ?? planSidePath(planPath, '.audit.jsonl'));
  const out = { write: (text: string) => tell(process.stdout, text) };
  // The plan's paths are where the subject's data is: a folder or file may be named after them.
  const mask = identifierMasker(plan.subject);
  out.write(
    `dsr erase — ${flags.execute ? 'EXECUTING' : 'DRY RUN (nothing is changed; add --execute to act)'}\n` +
      `  plan ${planPath}\n  sha256 ${plan.sha256}\n` +
      `  ${plan.approval ? `approved by ${plan.approval.by} at ${plan.approval.at}` : 'not approved'}\n\n`,
  );
  // A rewrite under way is finished (its journal then says done) before the run stops: Ctrl-C never
  // leaves a half-written file or its temp file behind. A second signal ends the run at once, which
  // the journal and the next run recover from as from a crash.
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) return;
    writeSafe(process.stderr, '\ndsr: stopping after the current action (again to stop at once)\n');
    stop.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  const result = await applyPlan(plan, {
    signal: stop.signal,
    execute: Boolean(flags.execute),
    journalPath: planSidePath(planPath, '.journal.jsonl'),
    auditLogPath,
    auditKeyPath: flags.auditKey ? resolve(flags.auditKey) : undefined,
    maxActions: flags.maxActions,
    lockTimeoutMs: (flags.lockTimeout ?? 30) * 1000,
    lockPath: planSidePath(planPath, '.lock'),
    hook: testStepHook,
    imapPassword: imapPasswordSource(process.env),
    onOutcome: (r) => out.write(formatLine(r, mask)),
  }).finally(() => {
    for (const s of signals) process.off(s, onSignal);
  });
  out.write(formatSummary(result.reports, Boolean(flags.execute), auditLogPath, result.runId, mask));
  addSummary({
    plan: planPath,
    sha256: plan.sha256,
    execute: Boolean(flags.execute),
    approved: Boolean(plan.approval),
    runId: result.runId,
    results: countBy(result.reports.map((r) => r.outcome.result)),
    actions: result.reports.map((r) => actionSummary(r, mask)),
    auditLog: result.audit ? auditLogPath : null,
    auditHead: result.audit ? formatHeadLine(result.audit.head) : null,
    ...(result.audit ? { auditKey: result.audit.keyPath, auditKeyCreated: result.audit.keyCreated } : {}),
  });
  if (result.audit) {
    const { head, keyPath, keyCreated } = result.audit;
    out.write(
      `${keyCreated ? `Audit key: created ${keyPath} (mode 0600; keep it apart from the logs; its public half is ${keyPath}.pub)\n` : ''}` +
        `Audit head: ${formatHeadLine(head)}\n` +
        '  (also in the journal; store this line apart from the log: dsr audit verify LOG --head LINE)\n',
    );
  }
  if (result.reports.some((r) => r.outcome.result === 'failed')) return EXIT.internal;
  const allDone = result.reports.every(
    (r) => r.outcome.result === (flags.execute ? 'done' : 'would') || r.outcome.result === 'done',
  );
  return allDone ? EXIT.ok : EXIT.actionsSkipped;
}

/** One action as the --json summary gives it: paths and reasons masked as the lines above mask them. */
function actionSummary({ action, outcome }: ActionReport, mask: (text: string) => string) {
  return {
    id: action.id,
    kind: action.kind,
    result: outcome.result,
    reason: outcome.reason ? mask(outcome.reason) : null,
    path: mask(action.path),
    nested: action.itemPath.length,
  };
}

function formatLine({ action, outcome }: ActionReport, mask: (text: string) => string): string {
  const path = mask(action.path);
  const where =
    action.kind === 'remove-mbox-message'
      ? `${path} › message at byte ${action.fingerprint.offset}`
      : action.itemPath.length
        ? `${path} › ${action.itemPath.length} nested item(s)`
        : path;
  return `  ${outcome.result.padEnd(8)} ${action.kind.padEnd(22)} ${where}${outcome.reason ? `\n           ${mask(outcome.reason)}` : ''}\n`;
}

function formatSummary(
  reports: ActionReport[],
  execute: boolean,
  auditLogPath: string,
  runId: string,
  mask: (text: string) => string,
): string {
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.outcome.result, (counts.get(r.outcome.result) ?? 0) + 1);
  const lines = [
    '',
    `${reports.length} action(s): ${[...counts].map(([k, n]) => `${k} ${n}`).join(' · ') || 'none'}`,
  ];
  const notDone = reports.filter((r) => !['done', 'would'].includes(r.outcome.result));
  if (notDone.length) {
    lines.push(`Not done (${notDone.length}), left as they were:`);
    for (const r of notDone) lines.push(`  ${r.outcome.result.padEnd(8)} ${mask(r.action.path)}`);
  }
  if (execute) {
    lines.push(
      '',
      'Deleted files and mail were unlinked (removed from their folders and mailboxes), not securely wiped:',
      'the bytes may remain on the disk until overwritten. Backups, snapshots, replicas and mail archives',
      'are not touched by dsr and need their own handling.',
      `Audit log: ${auditLogPath} (run ${runId})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { type ActionReport, applyPlan } from '../../src/erase/apply.js';
import {
  type ActionKind,
  approvePlan,
  buildPlan,
  loadPlan,
  type Plan,
  planJson,
  writePlan,
} from '../../src/erase/plan.js';
import { checkOutputPath, STDOUT, stdoutSink } from '../../src/io/output.js';
import { loadDecisions } from '../../src/review/decisions.js';
import { loadScanFile } from '../../src/scan-file/load.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, countBy, stdoutTaken, tell } from '../output-mode.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';
import { planSidePath } from './erase.js';

interface PlanFlags {
  out?: string;
  force?: boolean;
  approve?: boolean;
  approvedBy?: string;
  includePossible?: boolean;
  blurFaces?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description(
      'Make an erasure plan from a scan file (confirmed items and items a reviewer included), or approve a plan.',
    )
    .argument('<file>', 'scan file (dsr scan --out), or an existing plan to approve')
    .option(
      '-o, --out <file>',
      'plan file to write, - for standard output (default: <scan>.plan.json beside the scan; a plan in place)',
    )
    .option('--force', 'replace the plan file if it exists')
    .option('--approve', 'seal the plan for dsr erase --execute (needs --approved-by)')
    .option('--approved-by <name>', 'who approves the plan (recorded in the plan and the audit log)')
    .option(
      '--include-possible',
      'also plan "possible" items (name or face tag only) that no reviewer decided on',
    )
    .option('--blur-faces', "also pixelate the subject's face rectangles when removing face tags")
    .action(async (file: string, flags: PlanFlags) => {
      process.exitCode = await planCommand(file, flags);
    });
}

async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  if (flags.approve && !flags.approvedBy?.trim())
    throw new UsageError('--approve needs --approved-by NAME', 'say who approves the erasure');
  if (flags.approvedBy && !flags.approve) throw new UsageError('--approved-by is only used with --approve');
  const path = resolve(file);
  const toStdout = flags.out === STDOUT;
  let plan: Plan;
  let out: string;
  if (await isPlanFile(path)) {
    if (!flags.approve)
      throw new UsageError(`${file} is already a plan; pass --approve --approved-by NAME to approve it`);
    plan = await loadPlan(path);
    if (plan.approval)
      throw new UsageError(`${file} is already approved by ${plan.approval.by} at ${plan.approval.at}`);
    out = toStdout ? STDOUT : resolve(flags.out ?? path);
    // Approving a plan in place updates it; any other existing file is replaced only with --force.
    if (!toStdout && out !== path) await checkOutputPath(out, { force: Boolean(flags.force) });
  } else {
    out = toStdout ? STDOUT : resolve(flags.out ?? defaultPlanPath(path));
    // Refused before the work: an existing plan may be the approved record of an erasure.
    if (!toStdout) await checkOutputPath(out, { force: Boolean(flags.force) });
    const scan = await loadScanFile(path);
    const review = await loadDecisions(path, scan.scanId);
    plan = buildPlan(scan, review, { includePossible: flags.includePossible, blurFaces: flags.blurFaces });
  }
  if (flags.approve) {
    const stale = await staleTargets(plan, planSidePath(toStdout ? path : out, '.journal.jsonl'));
    if (stale.length) {
      addSummary({ out: null, approved: false, sha256: plan.sha256, stale: stale.map((r) => r.action.id) });
      writeSafe(process.stderr, formatStale(plan, stale));
      return EXIT.actionsSkipped;
    }
    plan = approvePlan(plan, flags.approvedBy!);
  }
  if (toStdout) {
    stdoutTaken();
    await stdoutSink().write(planJson(plan));
  } else await writePlan(out, plan);
  addSummary({
    out: toStdout ? null : out,
    actions: plan.actions.length,
    manual: plan.actions.filter((a) => a.kind === 'manual').length,
    kinds: countBy(plan.actions.map((a) => a.kind)),
    approved: Boolean(plan.approval),
    sha256: plan.sha256,
  });
  // With the plan on standard output, the summary goes to stderr.
  tell(
    toStdout ? process.stderr : process.stdout,
    formatPlanSummary(plan, toStdout ? 'standard output' : out),
  );
  return EXIT.ok;
}

/**
 * The actions whose targets changed since the scan, by erase's own checks in a dry run (fingerprints
 * through the opened file, paths inside the roots): a plan is approved only for what is still as
 * scanned, as `terraform apply` refuses a stale plan. `dsr erase` checks again when it acts.
 */
async function staleTargets(plan: Plan, journalPath: string): Promise<ActionReport[]> {
  const { reports } = await applyPlan(plan, { execute: false, journalPath });
  return reports.filter((r) => r.outcome.result === 'stale');
}

function formatStale(plan: Plan, stale: ActionReport[]): string {
  const mask = identifierMasker(plan.subject);
  const lines = [
    `dsr: not approved: ${stale.length} of ${plan.actions.length} target(s) changed since the scan; nothing was written`,
  ];
  for (const { action, outcome } of stale)
    lines.push(
      `  stale    ${action.kind.padEnd(22)} ${mask(action.path)}`,
      `           ${mask(outcome.reason ?? '')}`,
    );
  lines.push(
    'hint: scan again and make a new plan from the new scan (dsr scan, dsr plan), then approve that one',
  );
  return `${lines.join('\n')}\n`;
}

async function isPlanFile(path: string): Promise<boolean> {
  try {
    const text = await readFile(path, 'utf8');
    return /^\s*\{\s*"schema"\s*:\s*"dsr\.plan\//.test(text.slice(0, 200));
  } catch {
    return false;
  }
}

export function defaultPlanPath(scanPath: string): string {
  return scanPath.endsWith('.json') ? `${scanPath.slice(0, -5)}.plan.json` : `${scanPath}.plan.json`;
}

function formatPlanSummary(plan: Plan, out: string): string {
  const counts = new Map<ActionKind, number>();
  for (const a of plan.actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  const lines = [`Plan ${out}`, `  ${plan.actions.length} action(s) for scan ${plan.scanId}`];
  for (const [kind, n] of [...counts].sort()) lines.push(`    ${kind.padEnd(24)} ${n}`);
  const mask = identifierMasker(plan.subject);
  for (const a of plan.actions)
    if (a.kind === 'manual') lines.push(`  manual: ${mask(a.path)} — ${mask(a.reason)}`);
  lines.push(`  sha256 ${plan.sha256}`);
  lines.push(
    plan.approval
      ? `  approved by ${plan.approval.by} at ${plan.approval.at}`
      : '  not approved: review it, then dsr plan PLAN --approve --approved-by NAME',
  );
  return `${lines.join('\n')}\n`;
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import {
  type ActionKind,
  approvePlan,
  buildPlan,
  loadPlan,
  type Plan,
  writePlan,
} from '../../src/erase/plan.js';
import { loadScanFile } from '../../src/report/load-scan.js';
import { loadDecisions } from '../../src/review/decisions.js';
import { EXIT } from '../exit-codes.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';

interface PlanFlags {
  out?: string;
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
      'plan file to write (default: <scan>.plan.json beside the scan; a plan in place)',
    )
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
  let plan: Plan;
  let out: string;
  if (await isPlanFile(path)) {
    if (!flags.approve)
      throw new UsageError(`${file} is already a plan; pass --approve --approved-by NAME to approve it`);
    plan = await loadPlan(path);
    if (plan.approval)
      throw new UsageError(`${file} is already approved by ${plan.approval.by} at ${plan.approval.at}`);
    out = resolve(flags.out ?? path);
  } else {
    const scan = await loadScanFile(path);
    const review = await loadDecisions(path, scan.scanId);
    plan = buildPlan(scan, review, { includePossible: flags.includePossible, blurFaces: flags.blurFaces });
    out = resolve(flags.out ?? defaultPlanPath(path));
  }
  if (flags.approve) plan = approvePlan(plan, flags.approvedBy!);
  await writePlan(out, plan);
  writeSafe(process.stdout, formatPlanSummary(plan, out));
  return EXIT.ok;
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

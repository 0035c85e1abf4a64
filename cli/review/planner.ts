import type { ScanFile } from '../../src/core/types.js';
import { type ActionKind, approvePlan, buildPlan, type Plan, writePlan } from '../../src/erase/plan.js';
import type { ReviewFile } from '../../src/review/decisions.js';
import { labels } from './labels.js';
import type { Planner } from './ReviewApp.js';
import { relativeToRoots } from './scan-index.js';
import type { PlanDraft } from './state.js';

/** `scan.json` -> `scan.plan.json`, beside the scan (as `dsr plan` names it). */
export function planPathFor(scanPath: string): string {
  return scanPath.endsWith('.json')
    ? `${scanPath.slice(0, -'.json'.length)}.plan.json`
    : `${scanPath}.plan.json`;
}

/** The planner the review screen uses: `buildPlan` from the decisions, sealed by the reviewer. */
export function erasurePlanner(opts: {
  scan: ScanFile;
  planPath: string;
  approvedBy: string;
  now?: () => Date;
}): Planner {
  return {
    async build(review: ReviewFile): Promise<PlanDraft> {
      const plan = buildPlan(opts.scan, review, { now: opts.now?.() });
      const draft = draftOf(plan, opts.scan.roots, opts.planPath);
      draft.summary.splice(1, 0, decisionSummary(opts.scan, review));
      return draft;
    },
    async approve(draft: PlanDraft): Promise<string> {
      const sealed = approvePlan(draft.token as Plan, opts.approvedBy, opts.now?.());
      await writePlan(opts.planPath, sealed);
      return opts.planPath;
    },
  };
}

/** Where the plan's items come from: decisions, and confirmed items nobody decided on. */
export function decisionSummary(scan: ScanFile, review: ReviewFile): string {
  const n = { include: 0, exclude: 0, namesake: 0, keep: 0 };
  let confirmedUndecided = 0;
  for (const item of scan.items) {
    const d = review.decisions[item.id]?.decision;
    if (d) n[d]++;
    else if (item.evidence === 'confirmed') confirmedUndecided++;
  }
  return labels().msg.decisionSummary({ ...n, undecided: confirmedUndecided });
}

/** Why a person must act (manual), or what of a message an attachment edit keeps. */
function gloss(a: Plan['actions'][number]): string {
  if (a.kind === 'manual') return ` — ${a.reason}`;
  if (a.kind === 'remove-attachment') return labels().msg.attachmentOnly;
  if (a.kind === 'redact-attachment') return labels().msg.attachmentRedacted(a.spans.length);
  return '';
}

/** What the officer sees before approving: actions per kind, then every action, manual ones with their reason. */
export function draftOf(plan: Plan, roots: readonly string[], planPath: string): PlanDraft {
  const counts = new Map<ActionKind, number>();
  for (const a of plan.actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  const msg = labels().msg;
  const summary: string[] = [];
  summary.push(
    plan.actions.length
      ? [...counts].map(([kind, n]) => `${msg.actionKind(kind)} ${n}`).join(' · ')
      : msg.nothingToErase,
  );
  // A document dsr cannot edit (Office, PDF), included by a reviewer, is deleted whole: said before
  // approval, not found out after.
  const whole = plan.actions.filter(
    (a) => a.kind === 'delete-file' && a.rule === 'included-by-reviewer-not-editable',
  ).length;
  if (whole) summary.push(msg.deletedWhole(whole));
  summary.push(msg.writtenTo(planPath));
  for (const a of plan.actions) {
    const where = [relativeToRoots(a.path, roots), ...a.itemPath.map(labels().step)].join(' › ');
    const kind =
      a.kind === 'delete-file' && a.rule === 'included-by-reviewer-not-editable'
        ? msg.wholeKind
        : msg.actionKind(a.kind);
    summary.push(`  ${kind.padEnd(22)} ${where}${gloss(a)}`);
  }
  return { summary, actionCount: plan.actions.length, token: plan };
}

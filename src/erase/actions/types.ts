import type { Fingerprint } from '../../core/types.js';
import type { CompiledSubject } from '../../match/subject.js';
import type { Journal } from '../journal.js';
import type { Plan } from '../plan.js';

export type ActionResult =
  | 'done'
  | 'would'
  | 'stale'
  | 'refused'
  | 'locked'
  | 'failed'
  | 'manual'
  | 'skipped';

export interface ActionContext {
  plan: Plan;
  subject: CompiledSubject;
  journal: Journal;
  runId: string;
  /** False for a dry run: check everything, change nothing. */
  execute: boolean;
}

export interface Outcome {
  result: ActionResult;
  reason?: string;
  /** What the target looked like before (as checked) and after; null when it no longer exists. */
  before?: Fingerprint | null;
  after?: Fingerprint | null;
}

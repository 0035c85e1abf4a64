import type { Fingerprint } from '../../core/types.js';
import type { ImapPasswordSource } from '../../crawl/imap/password.js';
import type { CompiledSubject } from '../../match/subject.js';
import type { Journal } from '../journal.js';
import type { Plan } from '../plan.js';
import type { StepHook } from '../test-hooks.js';

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
  /** How long to wait for each mbox lock (dotlock, fcntl) before the mbox counts as locked. */
  lockTimeoutMs?: number;
  /** Called at each named step of an action (the test suite's crash and pause points; see test-hooks.ts). */
  hook: StepHook;
  /** Where the password for an IMAP server comes from (see password.ts); undefined when there is none. */
  imapPassword: ImapPasswordSource;
}

export interface Outcome {
  result: ActionResult;
  reason?: string;
  /** What the target looked like before (as checked) and after; null when it no longer exists. */
  before?: Fingerprint | null;
  after?: Fingerprint | null;
}

/**
 * Outcomes of a batch of actions (one mbox, one IMAP mailbox): `settle(o)` gives `o` to every action
 * not yet decided — used when the whole batch stops for one reason — and returns the map.
 */
export function batchOutcomes(actions: readonly { id: string }[]): {
  outcomes: Map<string, Outcome>;
  settle: (o: Outcome) => Map<string, Outcome>;
} {
  const outcomes = new Map<string, Outcome>();
  const settle = (o: Outcome) => {
    for (const a of actions) if (!outcomes.has(a.id)) outcomes.set(a.id, o);
    return outcomes;
  };
  return { outcomes, settle };
}

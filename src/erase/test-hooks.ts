/**
 * Named steps of an erasure where the test suite stops the run to prove crash safety: it kills the
 * process there (as `kill -9` would) or pauses it to change the world mid-run (swap in a symlink,
 * deliver mail to an mbox). The erase code only calls the hook it is given (`ActionContext.hook`,
 * `ApplyOptions.hook`); it never reads the environment. The CLI makes the hook from its environment
 * once, at start-up (cli/test-hooks.ts); everywhere else the hook does nothing.
 */
export const STEPS = [
  'action:intent-written',
  'office:picture-tags-removed',
  'rewrite:temp-written',
  'rewrite:temp-synced',
  'rewrite:renamed',
  'rewrite:dir-synced',
  'delete:unlinked',
  'mbox:locked',
  'mbox:writeback-journalled',
  'mbox:writeback-half',
  'mbox:written-back',
  'mbox:truncated',
  'maildir:renamed',
  'imap:appended',
  'action:result-written',
] as const;

export type EraseStep = (typeof STEPS)[number];

/** Called when the erasure reaches a step; it may kill the process or wait before it returns. */
export type StepHook = (step: EraseStep) => Promise<void>;

/** The hook outside the tests: nothing happens at any step. */
export const noStepHook: StepHook = async () => {};

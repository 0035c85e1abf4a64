/**
 * Test-only hooks, read from the environment, that let the test suite prove crash safety:
 *
 * - `DSR_TEST_CRASH_AT=<step>` kills the process with SIGKILL (as `kill -9` would) when it reaches the
 *   named step of an erasure, e.g. `rewrite:temp-written`.
 * - `DSR_TEST_PAUSE_AT=<step>` writes `dsr-test-paused <step>` to stderr and waits until the file named
 *   by `DSR_TEST_RESUME_FILE` exists, so a test can change the world mid-run (swap in a symlink,
 *   deliver mail to an mbox).
 *
 * Neither variable has any use outside the tests; both are inert when unset.
 */
import { existsSync } from 'node:fs';

export const STEPS = [
  'action:intent-written',
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
  'action:result-written',
] as const;

export async function testHook(step: string): Promise<void> {
  const crash = process.env.DSR_TEST_CRASH_AT;
  if (crash && crash === step) process.kill(process.pid, 'SIGKILL');
  const pause = process.env.DSR_TEST_PAUSE_AT;
  if (pause && pause === step) {
    const resume = process.env.DSR_TEST_RESUME_FILE;
    process.stderr.write(`dsr-test-paused ${step}\n`);
    const deadline = Date.now() + 30_000;
    while (resume && !existsSync(resume) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

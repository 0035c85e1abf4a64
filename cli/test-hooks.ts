import { existsSync } from 'node:fs';
import { STEPS, type StepHook } from '../src/erase/test-hooks.js';

/**
 * The erasure's test-only step hook (see src/erase/test-hooks.ts), made once from the environment:
 *
 * - `DSR_TEST_CRASH_AT=<step>` kills the process with SIGKILL (as `kill -9` would) when it reaches the
 *   named step of an erasure, e.g. `rewrite:temp-written`.
 * - `DSR_TEST_PAUSE_AT=<step>` writes `dsr-test-paused <step>` to stderr and waits until the file named
 *   by `DSR_TEST_RESUME_FILE` exists (at most 30 s), so that a test can change the world mid-run.
 *
 * Neither variable has any use outside the tests; both are inert when unset. An unknown step name is
 * refused, so that a test cannot pass for a step the erasure does not have.
 */
export function stepHookFromEnv(env: NodeJS.ProcessEnv): StepHook | undefined {
  const crash = env.DSR_TEST_CRASH_AT || undefined;
  const pause = env.DSR_TEST_PAUSE_AT || undefined;
  const resume = env.DSR_TEST_RESUME_FILE;
  for (const step of [crash, pause])
    if (step !== undefined && !(STEPS as readonly string[]).includes(step))
      throw new Error(`DSR_TEST_*_AT=${step}: no such erase step (${STEPS.join(', ')})`);
  if (!crash && !pause) return undefined;
  return async (step) => {
    if (step === crash) process.kill(process.pid, 'SIGKILL');
    if (step === pause) {
      process.stderr.write(`dsr-test-paused ${step}\n`);
      const deadline = Date.now() + 30_000;
      while (resume && !existsSync(resume) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
}

/** Made when the CLI starts: the erase command hands it to the erasure. */
export const testStepHook = stepHookFromEnv(process.env);

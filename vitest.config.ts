import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The TUI tests drive a real terminal (tmux, a pty). Ink renders only the last frame when it
    // believes it runs in CI, so the tests (and the CLI processes they start) must not inherit CI=true.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});

#!/usr/bin/env node
/**
 * The `dsr` entry point. A plain scan's worker threads take longest to start, so they are started
 * first, before the command line parser and the command's modules load alongside them.
 */
import { EXIT } from './exit-codes.js';
import { escapeControls } from './terminal.js';

/**
 * A plain scan always needs worker threads (not `--index`, which may need none, nor `--help`; with
 * `--concurrency` the scan starts its own). A subject scan's main thread does a worker's share of the
 * raw-byte pass (see shareRawPass): it needs one thread fewer than an inventory (`--all`).
 */
function warmsWorkers(argv: string[]): 'all' | 'subject' | undefined {
  const args = argv.slice(2);
  const plainScan =
    args.find((a) => !a.startsWith('-')) === 'scan' &&
    !args.some((a) => /^--(index|concurrency|help|db)(=|$)|^-h$/.test(a));
  if (!plainScan) return undefined;
  return args.includes('--all') ? 'all' : 'subject';
}

async function main(argv: string[]): Promise<number> {
  // https://no-color.org: Ink's colours (chalk) follow FORCE_COLOR, read when it loads, later than this.
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
  // Before anything can make a temp file: a signal must find the handler that removes it.
  (await import('../src/core/run-temp.js')).installRunCleanup();
  const warm = warmsWorkers(argv);
  const pool = warm
    ? import('../src/engine/pool.js').then((m) => {
        const threads = m.defaultConcurrency();
        m.warmPool(warm === 'subject' && threads >= 2 ? threads - 1 : threads);
        return m;
      })
    : undefined;
  try {
    const { run } = await import('./program.js');
    return await run(argv);
  } finally {
    // A pool no command took (a usage error, --help) is ended so that the process can exit.
    await (await pool)?.closeWarmPool();
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(escapeControls(`dsr: internal error: ${err?.stack ?? err}\n`));
    process.exitCode = EXIT.internal;
  },
);

#!/usr/bin/env node
/**
 * The `dsr` entry point. A plain scan's worker threads take longest to start, so they are started
 * first, before the command line parser and the command's modules load alongside them.
 */
import { EXIT } from './exit-codes.js';

/** A plain scan always needs worker threads (not `--index`, which may need none, nor `--help`). */
function warmsWorkers(argv: string[]): boolean {
  const args = argv.slice(2);
  return (
    args.find((a) => !a.startsWith('-')) === 'scan' &&
    !args.some((a) => a === '--index' || a.startsWith('--index=') || a === '--help' || a === '-h')
  );
}

async function main(argv: string[]): Promise<number> {
  const pool = warmsWorkers(argv)
    ? import('../src/engine/pool.js').then((m) => {
        m.warmPool();
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
    process.stderr.write(`dsr: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = EXIT.internal;
  },
);

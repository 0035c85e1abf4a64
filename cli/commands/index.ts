import { type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { buildIndex } from '../../src/index/build.js';
import { openIndex } from '../../src/index/index-file.js';
import { EXIT } from '../exit-codes.js';
import { collect, positiveInt } from '../options.js';
import { addSummary, outputMode, tell } from '../output-mode.js';
import { ProgressLine } from '../progress.js';

interface IndexFlags {
  index?: string;
  db?: string;
  agent?: string[];
  wait?: number;
  key?: string;
  exclude?: string[];
  concurrency?: number;
  progress: boolean;
}

export function registerIndex(program: Command): void {
  program
    .command('index')
    .description(
      'Build or refresh a privacy-preserving index of identifiers (keyed hashes only) so later scans for any subject re-read only candidate files.',
    )
    .argument('[roots...]', 'folders or files to index (none with --db)')
    .option('--index <file>', 'the index database (created mode 0600 if missing)')
    .option(
      '--key <file>',
      'the secret key file (default: INDEX.key, created mode 0600 with a new index; with --db: ~/.local/state/dsr/cluster-index.key)',
    )
    .option('--exclude <glob>', 'skip paths matching this glob (repeatable)', collect)
    .option('-j, --concurrency <n>', 'files read at once', positiveInt('--concurrency'))
    .option('--no-progress', 'no progress line, even on a terminal')
    .option(
      '--db <url>',
      'build the shared index in PostgreSQL through the agents, each on its roots (docs/cluster.md)',
    )
    .option('--agent <name>', 'with --db: only this agent (repeatable)', collect)
    .option(
      '--wait <seconds>',
      'with --db: how long an agent may stay silent before it is named as not answering (default 60)',
      positiveInt('--wait'),
    )
    .action(async (roots: string[], flags: IndexFlags) => {
      if (flags.db) {
        if (flags.index)
          throw new UsageError(
            '--index FILE and --db exclude each other',
            'with --db the index is in the database: leave --index out',
          );
        const { indexClusterCommand } = await import('./index-cluster.js');
        process.exitCode = await indexClusterCommand(roots, { ...flags, db: flags.db });
        return;
      }
      if (!flags.index)
        throw new UsageError(
          '--index FILE is missing: where the index is kept',
          'dsr index ROOT… --index FILE, or dsr index --db URL for the shared index of the agents',
        );
      if (!roots.length) throw new UsageError('no root given', 'dsr index ROOT… --index FILE');
      process.exitCode = await indexCommand(roots, { ...flags, index: flags.index });
    });
}

async function indexCommand(roots: string[], flags: IndexFlags & { index: string }): Promise<number> {
  for (const [flag, file] of [
    ['--index', flags.index],
    ['--key', flags.key],
  ] as const)
    if (file) requireFolder(flag, file);
  const index = await openIndex(flags.index, { keyPath: flags.key, create: true });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  const progress =
    flags.progress && process.stderr.isTTY && !outputMode.quiet && !outputMode.json
      ? new ProgressLine(process.stderr)
      : undefined;
  const started = Date.now();
  try {
    const stats = await buildIndex(index, {
      roots,
      excludes: flags.exclude,
      concurrency: flags.concurrency,
      signal: abort.signal,
      onProgress: progress ? (p) => progress.update(p) : undefined,
    });
    progress?.clear();
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    addSummary({ index: resolve(index.path), ...stats });
    tell(
      process.stdout,
      [
        `dsr index${stats.interrupted ? ' (interrupted: the index holds what was read)' : ''}`,
        `${stats.files} files: ${stats.read} read, ${stats.unchanged} unchanged, ${stats.removed} removed, ${stats.errors} errors, in ${secs} s`,
        `Index: ${resolve(index.path)}${index.created ? ' (new)' : ''}`,
        `Key:   ${resolve(index.keyPath)}  — keep it secret and apart from backups of the index`,
        '',
      ].join('\n'),
    );
    return stats.interrupted || stats.errors ? EXIT.partial : EXIT.ok;
  } finally {
    progress?.clear();
    process.off('SIGINT', onSigint);
    await index.store.close();
  }
}

/** The folder a new index or key file goes in must exist: dsr does not guess and create folders. */
function requireFolder(flag: string, file: string): void {
  const folder = dirname(resolve(file));
  let st: Stats | undefined;
  try {
    st = statSync(folder);
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory())
    throw new UsageError(
      `${flag} ${file}: the folder ${folder} ${st ? 'is not a folder' : 'does not exist'}`,
      `create it first (mkdir -p ${folder}) or give a path in an existing folder`,
    );
}

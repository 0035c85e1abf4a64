import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import type { ScanError } from '../core/types.js';

export interface FileEntry {
  absPath: string;
  root: string;
  size: number;
  mtimeMs: number;
  ino?: number;
}

export type WalkEvent =
  | { type: 'file'; file: FileEntry }
  | { type: 'skip'; path: string; reason: string }
  | { type: 'error'; error: ScanError };

/** `node_modules` -> also `**\/node_modules` and everything below it; patterns with a slash are kept as given. */
export function excludePatterns(excludes: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of excludes) {
    const p = e.replace(/\/+$/, '');
    if (p.includes('/')) out.push(p, `${p}/**`);
    else out.push(`**/${p}`, `**/${p}/**`);
  }
  return out;
}

/**
 * Walks one root with fast-glob, streamed. Hidden files are included, symbolic links are never
 * followed (they are reported as skipped), an unreadable folder becomes an error entry and the walk
 * goes on, and a folder reached twice (a bind-mount loop) is read only once.
 */
export async function* walkRoot(root: string, excludes: readonly string[]): AsyncGenerator<WalkEvent> {
  const absRoot = resolve(root);
  const pending: WalkEvent[] = [];
  const seenDirs = new Set<string>();

  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(absRoot);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    yield {
      type: 'error',
      error: {
        path: absRoot,
        itemPath: [],
        kind: code === 'EACCES' ? 'permission' : 'corrupt',
        message: `cannot read root: ${code ?? err}`,
      },
    };
    return;
  }
  if (rootStat.isFile()) {
    yield {
      type: 'file',
      file: {
        absPath: absRoot,
        root: resolve(absRoot, '..'),
        size: rootStat.size,
        mtimeMs: rootStat.mtimeMs,
      },
    };
    return;
  }

  // fast-glob's `**` never matches a name containing a line break; such files are reported from here.
  const noticeUnmatchableNames = (dir: string, entries: unknown[]) => {
    for (const entry of entries) {
      const name = typeof entry === 'string' ? entry : (entry as fs.Dirent).name;
      if (!/[\n\r]/.test(name)) continue;
      const abs = join(dir, name);
      try {
        const st = fs.lstatSync(abs);
        if (st.isSymbolicLink()) pending.push({ type: 'skip', path: abs, reason: 'symlink' });
        else if (st.isFile()) {
          pending.push({
            type: 'file',
            file: { absPath: abs, root: absRoot, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino },
          });
        }
      } catch {
        // vanished between listing and stat
      }
    }
  };

  // fast-glob reads folders through this adapter, so a failing folder is recorded instead of ending the walk.
  // With `stats: true` fast-glob calls `readdir(path, callback)` (names, then lstat each); without it,
  // `readdir(path, { withFileTypes: true }, callback)`. Both forms must be handled.
  const readdir = ((
    path: string,
    optionsOrCallback: unknown,
    maybeCallback?: (err: NodeJS.ErrnoException | null, entries: unknown[]) => void,
  ) => {
    const callback =
      maybeCallback ?? (optionsOrCallback as (err: NodeJS.ErrnoException | null, entries: unknown[]) => void);
    const options = maybeCallback ? (optionsOrCallback as { withFileTypes: true }) : undefined;
    let key: string | undefined;
    try {
      const st = fs.statSync(path);
      key = `${st.dev}:${st.ino}`;
    } catch {
      // reported by readdir below
    }
    if (key && seenDirs.has(key)) {
      pending.push({
        type: 'error',
        error: {
          path,
          itemPath: [],
          kind: 'limit',
          message: 'directory loop: this folder was already scanned under another path',
        },
      });
      callback(null, []);
      return;
    }
    if (key) seenDirs.add(key);
    const done = (err: NodeJS.ErrnoException | null, entries: unknown[]) => {
      if (err) {
        pending.push({
          type: 'error',
          error: {
            path,
            itemPath: [],
            kind: err.code === 'EACCES' || err.code === 'EPERM' ? 'permission' : 'corrupt',
            message: `cannot list folder: ${err.code ?? err.message}`,
          },
        });
        callback(null, []);
        return;
      }
      noticeUnmatchableNames(path, entries);
      callback(null, entries);
    };
    if (options) fs.readdir(path, options, done);
    else fs.readdir(path, done);
  }) as unknown as typeof fs.readdir;

  const stream = fg.stream('**', {
    cwd: absRoot,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    absolute: true,
    objectMode: true,
    // Files are stat-ed here, synchronously: a page-cached lstat costs microseconds, while fast-glob's
    // own (\`stats: true\`) costs a thread-pool round trip per file, several times the walk itself.
    stats: false,
    suppressErrors: false,
    unique: false,
    ignore: excludePatterns(excludes),
    fs: { ...fs, readdir },
  });
  for await (const raw of stream) {
    while (pending.length) yield pending.shift()!;
    const entry = raw as unknown as { path: string; dirent: fs.Dirent };
    if (entry.dirent.isSymbolicLink()) {
      yield { type: 'skip', path: entry.path, reason: 'symlink' };
      continue;
    }
    if (entry.dirent.isDirectory()) continue;
    if (!entry.dirent.isFile()) {
      yield { type: 'skip', path: entry.path, reason: 'special file' };
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(entry.path);
    } catch {
      continue; // vanished between listing and stat
    }
    if (st.isSymbolicLink()) {
      yield { type: 'skip', path: entry.path, reason: 'symlink' };
      continue;
    }
    yield {
      type: 'file',
      file: { absPath: entry.path, root: absRoot, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino },
    };
  }
  while (pending.length) yield pending.shift()!;
}

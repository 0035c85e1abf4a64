import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { fsPath, nameFromBytes } from '../core/raw-path.js';
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

/**
 * A part of a root's walk (an agent's job, src/cluster/): the folder `rel` below the root and what is
 * under it; with `onSubfolder`, only that folder's own files, each subfolder handed to it unvisited.
 * Paths and their evidence stay relative to the whole root, as in a walk of all of it.
 */
export interface WalkPart {
  rel: string;
  onSubfolder?: (rel: string) => void;
}

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
 * Walks one root depth first, one folder open at a time, streamed: memory holds the folders still to
 * visit, never a whole listing. Hidden files are included, symbolic links are never followed (they are
 * reported as skipped), an unreadable folder becomes an error entry and the walk goes on, and a folder
 * reached twice (a bind-mount loop) is read only once.
 *
 * Written here rather than with fast-glob's stream: a scan's main thread hands work to the worker
 * threads, and fast-glob's streams, queues and pattern filters took ~100 ms of its CPU on the bench
 * tree (1,353 files, 109 folders) that the workers needed; this walk takes ~10 ms. Exclusions are
 * matched by picomatch, the matcher fast-glob itself uses.
 */
export async function* walkRoot(
  root: string,
  excludes: readonly string[],
  part?: WalkPart,
): AsyncGenerator<WalkEvent> {
  const absRoot = resolve(root);
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

  const excluded = excludes.length ? await excludeMatcher(excludes) : undefined;
  const seenDirs = new Set<string>([`${rootStat.dev}:${rootStat.ino}`]);
  /** Folders still to read, as absolute and root-relative paths. */
  const toVisit: { path: string; rel: string }[] = [
    { path: part?.rel ? join(absRoot, part.rel) : absRoot, rel: part?.rel ?? '' },
  ];
  for (let next = toVisit.pop(); next; next = toVisit.pop()) {
    const { path: dirPath, rel: dirRel } = next;
    let dir: fs.Dir;
    try {
      // Names as bytes: one that is not valid UTF-8 is kept exact (see raw-path.ts), not turned into U+FFFD.
      dir = fs.opendirSync(fsPath(dirPath) as string, { encoding: 'buffer' as BufferEncoding });
    } catch (err) {
      yield listingError(dirPath, err);
      continue;
    }
    const subdirs: { path: string; rel: string }[] = [];
    try {
      for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
        const name = nameFromBytes(entry.name as unknown as Buffer);
        const path = join(dirPath, name);
        const rel = dirRel ? `${dirRel}/${name}` : name;
        if (excluded?.(rel)) continue;
        if (entry.isSymbolicLink()) {
          yield { type: 'skip', path, reason: 'symlink' };
          continue;
        }
        if (entry.isDirectory()) {
          subdirs.push({ path, rel });
          continue;
        }
        const event = fileEvent(path, absRoot);
        if (event) yield event;
      }
    } catch (err) {
      yield listingError(dirPath, err);
    } finally {
      dir.closeSync();
    }
    if (part?.onSubfolder) {
      for (const sub of subdirs) part.onSubfolder(sub.rel);
      continue;
    }
    // Reversed, so that the stack visits a folder's subfolders in listing order.
    for (let i = subdirs.length - 1; i >= 0; i--) {
      const sub = subdirs[i];
      const loop = visitedBefore(sub.path, seenDirs);
      if (loop) yield loop;
      else toVisit.push(sub);
    }
  }
}

/** A listed entry that is not a folder: a file, or a skip for a special file (or a link that replaced it). */
function fileEvent(path: string, root: string): WalkEvent | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(fsPath(path));
  } catch {
    return undefined; // vanished between listing and stat
  }
  if (st.isSymbolicLink()) return { type: 'skip', path, reason: 'symlink' };
  if (!st.isFile()) return st.isDirectory() ? undefined : { type: 'skip', path, reason: 'special file' };
  return { type: 'file', file: { absPath: path, root, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } };
}

/** An error entry when this folder (by device and inode) was already walked under another path. */
function visitedBefore(path: string, seen: Set<string>): WalkEvent | undefined {
  let key: string;
  try {
    const st = fs.statSync(fsPath(path));
    key = `${st.dev}:${st.ino}`;
  } catch {
    return undefined; // opening it reports the error
  }
  if (!seen.has(key)) {
    seen.add(key);
    return undefined;
  }
  return {
    type: 'error',
    error: {
      path,
      itemPath: [],
      kind: 'limit',
      message: 'directory loop: this folder was already scanned under another path',
    },
  };
}

function listingError(path: string, err: unknown): WalkEvent {
  const code = (err as NodeJS.ErrnoException).code;
  return {
    type: 'error',
    error: {
      path,
      itemPath: [],
      kind: code === 'EACCES' || code === 'EPERM' ? 'permission' : 'corrupt',
      message: `cannot list folder: ${code ?? (err as Error).message}`,
    },
  };
}

/** Tests a root-relative path against `--exclude` (see `excludePatterns`); loaded only when one is given. */
async function excludeMatcher(excludes: readonly string[]): Promise<(rel: string) => boolean> {
  const { default: picomatch } = await import('picomatch');
  return picomatch(excludePatterns(excludes), { dot: true });
}

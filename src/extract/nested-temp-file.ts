import { closeSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../core/run-temp.js';
import type { ItemSource } from '../core/types.js';

/**
 * A private temporary file (0600, in a folder of its own) for a nested item's bytes too large to
 * hold in memory: a gzip's content, a large attachment. The folder, inside the run's (see run-temp.ts),
 * is removed when `use` settles, or with the run's if the thread is stopped first.
 */
export async function withSpoolFile<T>(kind: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(kind);
  try {
    return await use(join(dir, 'content'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `pieces` to a new file at `path` (0600); returns the bytes written. */
export function writePieces(path: string, pieces: Iterable<Uint8Array>): number {
  const fd = openSync(path, 'wx', 0o600);
  let size = 0;
  try {
    for (const piece of pieces) {
      for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at);
      size += piece.length;
    }
  } finally {
    closeSync(fd);
  }
  return size;
}

/** A spooled file as the source of the nested item it holds (fingerprinted as nested bytes). */
export function spooledSource(path: string, size: number): ItemSource {
  return { kind: 'file', absPath: path, size, nested: true };
}

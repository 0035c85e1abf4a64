import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { sha256Hex } from '../core/ids.js';
import { fsPath } from '../core/raw-path.js';
import type { Fingerprint, ItemInput } from '../core/types.js';
import { borrowBuffer, returnBuffer } from '../extract/read.js';

/** A file's hash begun elsewhere: `hash` has taken its bytes up to `to`. */
export interface HashSoFar {
  hash: Hash;
  to: number;
}

/**
 * What an erasure plan will check: size, mtime, inode and sha256 of a file; offset, length, sha256 of
 * nested bytes. `soFar`: a top-level file's hash already begun (see textRanges), finished here.
 */
export async function fingerprintOf(input: ItemInput, soFar?: HashSoFar): Promise<Fingerprint> {
  if (input.source.kind === 'buffer') {
    return {
      ...input.fingerprint,
      length: input.fingerprint?.length ?? input.source.data.length,
      sha256: sha256Hex(input.source.data),
    };
  }
  const { absPath, nested, size } = input.source;
  if (nested)
    return {
      ...input.fingerprint,
      length: input.fingerprint?.length ?? size,
      sha256: await fileSha256(absPath),
    };
  const before = statSync(fsPath(absPath));
  return {
    ...input.fingerprint,
    size: before.size,
    mtimeMs: before.mtimeMs,
    ino: before.ino,
    sha256: await fileSha256(absPath, soFar),
  };
}

/** Read synchronously a block at a time, as every file a worker reads (no thread-pool round trips). */
async function fileSha256(path: string, soFar?: HashSoFar): Promise<string> {
  const hash = soFar?.hash ?? createHash('sha256');
  const fd = openSync(fsPath(path), 'r');
  const block = borrowBuffer(HASH_BLOCK);
  try {
    let position = soFar?.to ?? 0;
    for (
      let n = readSync(fd, block, 0, HASH_BLOCK, position);
      n > 0;
      n = readSync(fd, block, 0, HASH_BLOCK, position)
    ) {
      hash.update(block.subarray(0, n));
      position += n;
    }
  } finally {
    closeSync(fd);
    returnBuffer(block);
  }
  return hash.digest('hex');
}

const HASH_BLOCK = 1 << 20;

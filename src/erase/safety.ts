import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { fsPath, nameFromBytes } from '../core/raw-path.js';
import type { Fingerprint } from '../core/types.js';

export type SkipResult = 'stale' | 'refused' | 'locked';

/** An action that must not go ahead; the target is left as it was. */
export class ActionSkipped extends Error {
  override name = 'ActionSkipped';
  constructor(
    readonly result: SkipResult,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refuses a target that is not plainly inside one of the plan's roots: relative, with `..`, outside
 * every root, or reached through a folder that is (now) a symlink.
 */
export async function checkPlace(path: string, roots: string[]): Promise<void> {
  if (!isAbsolute(path)) throw new ActionSkipped('refused', 'not an absolute path');
  if (path.split(/[\\/]/).includes('..') || normalize(path) !== path)
    throw new ActionSkipped('refused', 'the path contains ".." or is not normalised');
  // A root may be a folder or a single scanned file.
  const root = roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
  if (!root) throw new ActionSkipped('refused', "outside the plan's roots");
  let realDir: string;
  let realRoot: string;
  try {
    // As bytes: a name that is not UTF-8 (see raw-path.ts) compares exactly.
    realDir = nameFromBytes(await realpath(fsPath(dirname(path)), { encoding: 'buffer' }));
    realRoot = nameFromBytes(await realpath(fsPath(root), { encoding: 'buffer' }));
  } catch (err) {
    throw new ActionSkipped('stale', `its folder is gone (${(err as NodeJS.ErrnoException).code})`);
  }
  if (realDir !== join(realRoot, relative(root, dirname(path))))
    throw new ActionSkipped('refused', 'a folder on the path is a symlink (swapped in since the scan?)');
}

export interface OpenedTarget {
  fh: FileHandle;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  dev: number;
  mtimeMs: number;
}

/** Opens the target itself without following a symlink, and refuses anything but a singly linked regular file. */
export async function openTarget(path: string, write = false): Promise<OpenedTarget> {
  let fh: FileHandle;
  try {
    fh = await open(fsPath(path), (write ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new ActionSkipped('refused', 'the file is now a symlink (swapped in since the scan)');
    if (code === 'ENOENT') throw new ActionSkipped('stale', 'the file no longer exists');
    if (code === 'EACCES' || code === 'EPERM') throw new ActionSkipped('refused', `no permission (${code})`);
    throw err;
  }
  const st = await fh.stat();
  const target = {
    fh,
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    ino: st.ino,
    dev: st.dev,
    mtimeMs: st.mtimeMs,
  };
  if (!st.isFile()) {
    await fh.close();
    throw new ActionSkipped('refused', 'not a regular file');
  }
  if (st.nlink > 1) {
    await fh.close();
    throw new ActionSkipped(
      'refused',
      `the file has ${st.nlink} hard links; erasing one name would leave the data`,
    );
  }
  return target;
}

/** True when the name still points at the opened file (no rename or swap since it was opened). */
export async function sameFile(path: string, t: OpenedTarget): Promise<boolean> {
  try {
    const st = await lstat(fsPath(path));
    return st.isFile() && st.ino === t.ino && st.dev === t.dev;
  } catch {
    return false;
  }
}

export async function readRange(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (!bytesRead) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** sha256 of a byte range of an open file, read through the handle. */
export async function hashRange(fh: FileHandle, offset: number, length: number): Promise<string> {
  const hash = createHash('sha256');
  const step = 1 << 20;
  for (let at = 0; at < length; at += step) {
    const piece = await readRange(fh, offset + at, Math.min(step, length - at));
    hash.update(piece);
    if (piece.length < Math.min(step, length - at)) break;
  }
  return hash.digest('hex');
}

/** Checks a whole file against the fingerprint it was planned against; stale when it differs. */
export async function checkFileFingerprint(t: OpenedTarget, fp: Fingerprint): Promise<string> {
  if (fp.size !== undefined && fp.size !== t.size)
    throw new ActionSkipped('stale', `changed since the scan (size ${t.size}, planned ${fp.size})`);
  const sha256 = await hashRange(t.fh, 0, t.size);
  if (!fp.sha256) throw new ActionSkipped('refused', 'the plan has no sha256 for this file');
  if (sha256 !== fp.sha256) throw new ActionSkipped('stale', 'changed since the scan (sha256 differs)');
  return sha256;
}

/** Re-reads the opened file just before it is replaced: a program that wrote to it in place meanwhile makes the action stale. */
export async function assertUnchanged(t: OpenedTarget, fp: Fingerprint): Promise<void> {
  const size = (await t.fh.stat()).size;
  if (size !== t.size || (fp.sha256 && (await hashRange(t.fh, 0, size)) !== fp.sha256))
    throw new ActionSkipped('stale', 'the file changed while dsr worked on it');
}

/**
 * The file as an earlier, interrupted run left it, when that run had prepared a rewrite and the file
 * now holds exactly the prepared content (the rename happened): its size and sha256, else undefined.
 */
export async function rewrittenEarlier(
  t: OpenedTarget,
  unfinished: readonly { phase: string; newSha256?: string; newSize?: number }[],
): Promise<{ size: number; sha256: string } | undefined> {
  const prepared = unfinished.find((r) => r.phase === 'prepared');
  if (!prepared?.newSha256 || t.size !== prepared.newSize) return undefined;
  return (await hashRange(t.fh, 0, t.size)) === prepared.newSha256
    ? { size: t.size, sha256: prepared.newSha256 }
    : undefined;
}

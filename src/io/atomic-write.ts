import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, type Stats } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { fsPath } from '../core/raw-path.js';
import { trackTemp } from '../core/run-temp.js';

/**
 * The one way dsr writes a file that others read whole: scan files, reports, exports, plans, review
 * decisions, keys, the index's first version, and every file an erasure rewrites. A temp file beside
 * the name (a rename stays within one file system), written, synced, renamed over the name, and the
 * folder synced: a reader sees the old file or the new one, never a mix, and a crash leaves at most a
 * temp file, never a partial file under the name.
 *
 * The temp file is created synchronously and tracked in the same step (see run-temp.ts), so that a
 * signal ending the run removes it: a creation still under way in libuv's thread pool when the
 * process exits would finish after the exit handler had looked. Only a regular file is ever replaced:
 * a symlink, device, pipe, socket or folder under the name is refused (UsageError), checked again
 * right before the rename, as the rename would replace whatever the name is by then.
 */

/** The named steps of a write, where an erasure's test hooks may crash or pause the run. */
export type AtomicWriteStep = 'temp-written' | 'temp-synced' | 'renamed' | 'dir-synced';

/** The file as written: its size, and its sha256 when asked for (`hash`). */
export interface Written {
  size: number;
  sha256?: string;
}

export interface AtomicWriteOptions {
  /** Mode of the new file. @default 0o600 */
  mode?: number;
  /** False: the name is given only if it is free (EEXIST otherwise); nothing is replaced. @default true */
  overwrite?: boolean;
  /** The temp file's path, beside `path`, when the caller must record it first (an erasure journals it). @default tempPathBeside(path) */
  temp?: string;
  /** Edits the closed temp file by its path after `write` (a tool that works on paths: exiftool, SQLite). */
  edit?: (temp: string) => Promise<void>;
  /** Runs on the written temp file before it is synced, e.g. to give it the original's mode and owner. */
  prepare?: (fh: FileHandle) => Promise<void>;
  /** Hashes the written file (sha256) for `beforeRename` and the result. @default false */
  hash?: boolean;
  /** Runs once the temp file is synced and closed, right before the rename; throws to refuse (the temp file is then removed). */
  beforeRename?: (written: Written) => Promise<void>;
  /** Called at each named step of the write (the erasure's test hooks). */
  onStep?: (step: AtomicWriteStep) => Promise<void>;
  /** Further files an `edit` makes beside the temp file (exiftool's), removed too if a signal ends the run. */
  sideTemps?: string[];
}

/** A hidden temp file name beside `path`, in the same folder (so that the rename is atomic). */
export function tempPathBeside(path: string, suffix = '.tmp'): string {
  return join(dirname(path), `.${basename(path)}.dsr-${randomBytes(4).toString('hex')}${suffix}`);
}

/**
 * Creates a new, empty temp file (mode 0600, or `mode`), tracked for removal if a signal ends the run;
 * returns it open for reading and writing, and the untrack to call once it is renamed or removed.
 */
export async function openTrackedTemp(
  temp: string,
  opts: { mode?: number; sideTemps?: string[] } = {},
): Promise<{ fh: FileHandle; untrack: () => void }> {
  closeSync(openSync(fsPath(temp), 'wx', opts.mode ?? 0o600));
  const untracks = [temp, ...(opts.sideTemps ?? [])].map(trackTemp);
  const untrack = () => {
    for (const u of untracks) u();
  };
  try {
    return { fh: await open(fsPath(temp), 'r+'), untrack };
  } catch (err) {
    untrack();
    await rm(fsPath(temp), { force: true });
    throw err;
  }
}

/** Writes the file at `path` atomically (see the top of this module) with what `write` puts in the temp file. */
export async function writeFileAtomic(
  path: string,
  write: (fh: FileHandle) => Promise<void>,
  opts: AtomicWriteOptions = {},
): Promise<Written> {
  const temp = opts.temp ?? tempPathBeside(path);
  const step = opts.onStep ?? (async () => {});
  let { fh, untrack } = await openTrackedTemp(temp, { mode: opts.mode, sideTemps: opts.sideTemps });
  let isOpen = true;
  try {
    await write(fh);
    if (opts.edit) {
      await fh.close();
      isOpen = false;
      await opts.edit(temp);
      fh = await open(fsPath(temp), 'r+');
      isOpen = true;
    }
    await step('temp-written');
    await opts.prepare?.(fh);
    await fh.sync();
    const written: Written = { size: (await fh.stat()).size };
    if (opts.hash) written.sha256 = await hashFile(fh, written.size);
    await fh.close();
    isOpen = false;
    await step('temp-synced');
    await opts.beforeRename?.(written);
    if (opts.overwrite === false) await linkNew(temp, path, opts.mode ?? 0o600);
    else {
      await refuseNonFileAt(path);
      await rename(fsPath(temp), fsPath(path));
    }
    await step('renamed');
    await syncDir(dirname(path));
    await step('dir-synced');
    return written;
  } catch (err) {
    if (isOpen) await fh.close().catch(() => {});
    await rm(fsPath(temp), { force: true });
    throw err;
  } finally {
    untrack();
  }
}

export async function writeTextAtomic(
  path: string,
  text: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<Written> {
  return writeFileAtomic(
    path,
    async (fh) => {
      await fh.writeFile(text);
    },
    opts,
  );
}

/**
 * Gives the finished temp file its name only if that name is free. A hard link does both in one step,
 * so a crash can leave the temp file behind but never an empty or partial file under the name.
 */
async function linkNew(temp: string, path: string, mode: number): Promise<void> {
  try {
    await link(fsPath(temp), fsPath(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err;
    // No hard links on this file system: reserve the name, then replace it.
    const probe = await open(fsPath(path), 'wx', mode);
    await probe.close();
    await rename(fsPath(temp), fsPath(path));
    return;
  }
  await rm(fsPath(temp), { force: true });
}

async function hashFile(fh: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(Math.min(size, 1 << 20));
  for (let at = 0; at < size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
    if (!bytesRead) break;
    hash.update(buf.subarray(0, bytesRead));
    at += bytesRead;
  }
  return hash.digest('hex');
}

/** fsync of a folder, so that a rename or unlink in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const d = await open(fsPath(dir), 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems do not support fsync on folders.
  } finally {
    await d.close();
  }
}

/** Refuses a name that is there and is not a regular file (see `refuseNonFile`); a free name is fine. */
export async function refuseNonFileAt(path: string): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (st) refuseNonFile(path, st);
}

/**
 * A symbolic link (even to a regular file: as root, `-o /dev/stdout` replaced the device link with a
 * file holding the scan), a device, a named pipe, a socket or a folder: never written over (exit 2).
 */
export function refuseNonFile(path: string, st: Stats): void {
  const what = kindOf(st);
  if (!what) return;
  throw new UsageError(
    `${path} is ${what}: dsr writes an output only as a regular file and never replaces ${what}`,
    'give the path of a new or regular file, or -o - for standard output',
  );
}

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(fsPath(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR')
      throw new UsageError(
        `${path}: a part of the path is not a folder`,
        'give the path of a file in a folder',
      );
    throw err;
  }
}

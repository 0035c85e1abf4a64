import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { readFile, stat, unlink, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fsPath } from '../core/raw-path.js';
import { trackTemp } from '../core/run-temp.js';

/**
 * The locks a mail system takes before it changes an mbox, in the order Dovecot and mutt take them:
 * first the dotlock `MBOX.lock` (created O_EXCL), then a POSIX `fcntl` write lock on the open mbox.
 * Delivery agents take one or both (Postfix's local(8): `fcntl, dotlock` on Linux; procmail: the
 * dotlock; many scripts: `fcntl` only), so dsr holds both while it changes the file.
 *
 * Node has no fcntl binding: the lock comes from `fs-ext` (a small native addon). Its `fcntlSync`
 * passes the lock type where fcntl(2) wants a `struct flock` (EFAULT), so only its asynchronous call
 * is used, with F_SETLK (never blocks) polled until a deadline.
 *
 * A POSIX record lock belongs to the process and the file: closing *any* descriptor of the file in
 * this process drops it. While it is held, nothing in this process may open and close the mbox by
 * its path (a re-scan reads it before the lock is taken and after it is released).
 */

interface FsExt {
  fcntl(fd: number, cmd: 'setlk', type: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  constants: { F_WRLCK: number; F_UNLCK: number };
}

const fsExt = createRequire(import.meta.url)('fs-ext') as FsExt;

export interface LockTimes {
  /** How long to wait for each lock before the mbox counts as locked. */
  timeoutMs: number;
  /** A dotlock not touched for this long, whose owner is not a live dsr, is stale and broken. */
  staleMs?: number;
  /** Pause between two attempts. */
  retryMs?: number;
}

/** Dovecot's `mbox_dotlock_change_timeout` is 2 min, Postfix's `stale_lock_time` 500 s: take the longer. */
export const DOTLOCK_STALE_MS = 500_000;
const RETRY_MS = 20;
const DOTLOCK_REFRESH_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates `lockPath` with O_EXCL, retrying until `timeoutMs`. A lock left by a killed dsr (it holds
 * `dsr PID` and that process is gone) or untouched for `staleMs` is removed and taken over.
 * Resolves to a release function, or undefined when the lock stayed taken.
 */
export async function takeDotlock(
  lockPath: string,
  times: LockTimes,
): Promise<(() => Promise<void>) | undefined> {
  const deadline = Date.now() + times.timeoutMs;
  for (;;) {
    try {
      // Created synchronously and tracked in the same step: a signal that ends the run must not leave
      // the mailbox locked for the mail system (see takeRunLock).
      const fd = openSync(
        fsPath(lockPath),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      const untrack = trackTemp(lockPath);
      try {
        writeSync(fd, `dsr ${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      // Dovecot overrides a dotlock not changed for 2 min: a long rewrite keeps its lock fresh.
      const refresh = setInterval(() => {
        const now = new Date();
        utimes(fsPath(lockPath), now, now).catch(() => {});
      }, DOTLOCK_REFRESH_MS);
      refresh.unref();
      return async () => {
        clearInterval(refresh);
        untrack();
        await unlink(fsPath(lockPath)).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await staleDotlock(lockPath, times.staleMs ?? DOTLOCK_STALE_MS)) {
        await unlink(fsPath(lockPath)).catch(() => {});
        continue;
      }
      if (Date.now() >= deadline) return undefined;
      await sleep(times.retryMs ?? RETRY_MS);
    }
  }
}

async function staleDotlock(lockPath: string, staleMs: number): Promise<boolean> {
  const owner = /^dsr (\d+)\n$/.exec(await readFile(fsPath(lockPath), 'utf8').catch(() => ''));
  if (owner) return !processAlive(Number(owner[1]));
  const st = await stat(fsPath(lockPath)).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > staleMs;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function setlk(fd: number, type: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => fsExt.fcntl(fd, 'setlk', type, (err) => resolve(err)));
}

/**
 * An fcntl write lock on the whole open file, polled with F_SETLK until `timeoutMs`. True when taken;
 * it is released by `releaseFcntlLock` or when the descriptor is closed.
 */
export async function takeFcntlLock(fd: number, times: LockTimes): Promise<boolean> {
  const deadline = Date.now() + times.timeoutMs;
  for (;;) {
    const err = await setlk(fd, fsExt.constants.F_WRLCK);
    if (!err) return true;
    if (err.code !== 'EAGAIN' && err.code !== 'EACCES') throw err;
    if (Date.now() >= deadline) return false;
    await sleep(times.retryMs ?? RETRY_MS);
  }
}

export async function releaseFcntlLock(fd: number): Promise<void> {
  await setlk(fd, fsExt.constants.F_UNLCK);
}

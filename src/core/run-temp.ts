import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, threadId, workerData } from 'node:worker_threads';
import { fsPath } from './raw-path.js';

/**
 * Every temporary file of a dsr run lives in one private folder, `$TMPDIR/dsr-run-<pid>-<random>`
 * (0700): spools, inflated gzip content, findings set aside by workers, copies handed to exiftool.
 * It is removed on every way out: a normal end, an error, a signal (the process's `exit`), an
 * uncaught exception (which ends the process without that event), and a later run removes one whose
 * process is gone (`kill -9`). Worker threads write into their process's folder (the pool hands it
 * to them) and never create it, so a folder removed at exit is not made again by a thread still
 * running.
 *
 * Temp files that must sit beside an output (an atomic write's, an erase rewrite's: a rename stays
 * within one file system) are tracked instead, and removed on the same ways out.
 */

const PREFIX = 'dsr-run-';
/** The key under which a pool hands its workers the folder (see ScanPool). */
export const RUN_DIR_KEY = 'dsrRunDir';

let own: { base: string; dir: string } | undefined;
/** A TMPDIR where the run's folder could not be made (not writable: a permission test runs dsr so). */
let unusable: string | undefined;
let exitHooked = false;
const beside = new Set<string>();

/**
 * The run's private folder, made on first use in this process (re-made under a changed TMPDIR). Where
 * it cannot be made, TMPDIR itself: temp files are then made there as they always were, or fail
 * when one is needed, not before.
 */
export function runTempDir(): string {
  const given = (workerData as Record<string, unknown> | null | undefined)?.[RUN_DIR_KEY];
  if (!isMainThread && typeof given === 'string') return given;
  const base = tmpdir();
  if (own?.base === base) return own.dir;
  if (unusable === base) return base;
  let dir: string;
  try {
    dir = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
  } catch {
    unusable = base;
    return base;
  }
  if (own) rmSync(own.dir, { recursive: true, force: true });
  own = { base, dir };
  hookExit();
  return dir;
}

/**
 * A new private folder inside the run's (0700, as mkdtemp makes it). Its name carries the thread that
 * made it, so that the pool can remove what a thread it stopped was writing (see `removeThreadTemps`).
 */
export function makeTempDir(kind: string): Promise<string> {
  return mkdtemp(join(runTempDir(), `${kind}-t${threadId}-`));
}

/** Removes the folders a stopped worker thread had made (its work on them is over). */
export function removeThreadTemps(id: number): void {
  if (!own) return;
  let names: string[];
  try {
    names = readdirSync(own.dir);
  } catch {
    return;
  }
  for (const name of names)
    if (name.includes(`-t${id}-`)) rmSync(join(own.dir, name), { recursive: true, force: true });
}

/** Marks a temp file beside an output as to be removed if the process ends before it is renamed; returns the untrack. */
export function trackTemp(path: string): () => void {
  hookExit();
  beside.add(path);
  return () => {
    beside.delete(path);
  };
}

/** Removes everything temporary of this run, synchronously (safe to call more than once). */
export function removeRunTemps(): void {
  for (const path of beside) rmSync(fsPath(path), { force: true });
  beside.clear();
  if (!own) return;
  // A worker may be writing its last bytes: rmSync retries a folder that is not yet empty.
  rmSync(own.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
  own = undefined;
}

function hookExit(): void {
  if (exitHooked || !isMainThread) return;
  exitHooked = true;
  process.on('exit', removeRunTemps);
  // A crash (an uncaught exception or rejection) ends the process without its `exit` event.
  process.on('uncaughtExceptionMonitor', removeRunTemps);
}

/**
 * Folders of earlier runs whose process no longer lives (killed with `kill -9`, or the machine lost
 * power): removed. Only this user's, and never one of a live process (a concurrent run).
 */
export function removeStaleRunDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  for (const name of names) {
    const m = /^dsr-run-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const path = join(base, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a live process of another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals that end a command at once (after its own handler, if it has one, had its first say). */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * For the CLI: removes stale folders of killed runs, and makes every signal that ends the process
 * remove this run's temporary files first. A command that handles a signal itself (a scan stops
 * gracefully and writes what it has on the first Ctrl-C) registers its own listener; this one then
 * leaves the first signal to it and ends the process on the next.
 */
export function installRunCleanup(): void {
  removeStaleRunDirs();
  hookExit();
  for (const [name, number] of Object.entries(SIGNALS) as [NodeJS.Signals, number][]) {
    let seen = 0;
    process.on(name, () => {
      seen++;
      const handledElsewhere = process.listenerCount(name) > 1;
      if (handledElsewhere && seen === 1) return;
      removeRunTemps();
      process.exit(128 + number);
    });
  }
  // Made at once, once the handlers are in place: its presence says so (a signal before then ends
  // the process by its default action, with nothing temporary yet made).
  runTempDir();
}

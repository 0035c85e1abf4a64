import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { type FileHandle, link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { trackTemp } from '../core/run-temp.js';
import { refuseNonFileAt } from './output-path.js';

/**
 * Writes a file atomically with mode 0600: a temp file in the same folder, fsync, rename, fsync of the
 * folder. Readers see the old file or the new one, never a mix. Only a regular file is ever replaced:
 * a symlink, device, pipe, socket or folder under the name is refused (UsageError).
 */
export async function writeFileAtomic(
  path: string,
  write: (fh: FileHandle) => Promise<void>,
  opts: { mode?: number; overwrite?: boolean } = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // Removed by the run's exit handler if a signal ends the process before the rename. Created
  // synchronously and tracked in the same step: a creation still under way in libuv's thread pool
  // when the process exits would finish after the handler had looked.
  closeSync(openSync(tmp, 'wx', opts.mode ?? 0o600));
  const untrack = trackTemp(tmp);
  const fh = await open(tmp, 'r+');
  try {
    await write(fh);
    await fh.sync();
    await fh.close();
    if (opts.overwrite === false) await linkNew(tmp, path, opts.mode ?? 0o600);
    else {
      // The rename would replace a symlink, device or folder planted under the name meanwhile.
      await refuseNonFileAt(path);
      await rename(tmp, path);
    }
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  } finally {
    untrack();
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems do not support fsync on folders.
  } finally {
    await d.close();
  }
}

/**
 * Gives the finished temp file its name only if that name is free. A hard link does both in one step,
 * so a crash can leave the temp file behind but never an empty or partial file under the name.
 */
async function linkNew(tmp: string, path: string, mode: number): Promise<void> {
  try {
    await link(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err;
    // No hard links on this file system: reserve the name, then replace it.
    const probe = await open(path, 'wx', mode);
    await probe.close();
    await rename(tmp, path);
    return;
  }
  await rm(tmp, { force: true });
}

export async function writeTextAtomic(
  path: string,
  text: string,
  opts: { mode?: number; overwrite?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(
    path,
    async (fh) => {
      await fh.writeFile(text);
    },
    opts,
  );
}

import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsPath } from '../core/raw-path.js';
import { trackTemp } from '../core/run-temp.js';
import { ActionSkipped, hashRange, type OpenedTarget, sameFile, syncDir } from './safety.js';
import { testHook } from './test-hooks.js';

/** Name of the temp file for a rewrite: hidden, in the target's own folder (so rename is atomic). */
export function tempPathFor(path: string, suffix = '.tmp'): string {
  return join(dirname(path), `.${basename(path)}.dsr-${randomBytes(4).toString('hex')}${suffix}`);
}

/**
 * Replaces `target` atomically with what `fill` writes: temp file in the same folder, fsync, the
 * original mode and owner, rename over the name, fsync of the folder. The modification time is the
 * time of the rewrite (on purpose: backup and sync tools must see that the file changed).
 * `beforeRename` runs after the temp is synced and may still refuse (the temp is then removed).
 */
export async function replaceFile(
  path: string,
  temp: string,
  target: OpenedTarget,
  fill: (out: FileHandle) => Promise<void>,
  beforeRename?: (out: { sha256: string; size: number }) => Promise<void>,
  /** Runs on the closed temp file after `fill` (a tool that edits it by path, e.g. exiftool). */
  edit?: (temp: string) => Promise<void>,
): Promise<{ sha256: string; size: number }> {
  // A signal that ends the run removes the temp (and exiftool's own beside it): the journal then
  // sees an attempt that never reached its rename, as after a crash before it.
  // Created synchronously and tracked in the same step (see writeFileAtomic).
  closeSync(openSync(fsPath(temp), 'wx', 0o600));
  const untrack = [trackTemp(temp), trackTemp(`${temp}_exiftool_tmp`)];
  let out = await open(fsPath(temp), 'r+');
  let closed = false;
  try {
    await fill(out);
    if (edit) {
      await out.close();
      await edit(temp);
      out = await open(fsPath(temp), 'r+');
    }
    await testHook('rewrite:temp-written');
    await out.chmod(target.mode);
    if (
      typeof process.getuid === 'function' &&
      (target.uid !== process.getuid() || target.gid !== process.getgid?.())
    ) {
      try {
        await out.chown(target.uid, target.gid);
      } catch (err) {
        throw new ActionSkipped(
          'refused',
          `cannot keep the file's owner ${target.uid}:${target.gid} (${(err as NodeJS.ErrnoException).code})`,
        );
      }
    }
    await out.sync();
    const size = (await out.stat()).size;
    const sha256 = await hashRange(out, 0, size);
    await out.close();
    closed = true;
    await testHook('rewrite:temp-synced');
    await beforeRename?.({ sha256, size });
    if (!(await sameFile(path, target)))
      throw new ActionSkipped('stale', 'the file was replaced or moved while dsr worked on it');
    await rename(fsPath(temp), fsPath(path));
    await testHook('rewrite:renamed');
    await syncDir(dirname(path));
    await testHook('rewrite:dir-synced');
    return { sha256, size };
  } catch (err) {
    if (!closed) await out.close().catch(() => {});
    await rm(fsPath(temp), { force: true });
    throw err;
  } finally {
    for (const u of untrack) u();
  }
}

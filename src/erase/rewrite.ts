import type { FileHandle } from 'node:fs/promises';
import { type Written, writeFileAtomic } from '../io/atomic-write.js';
import { ActionSkipped, type OpenedTarget, sameFile } from './safety.js';
import type { StepHook } from './test-hooks.js';

/**
 * Replaces `target` atomically with what `fill` writes (see writeFileAtomic), at the temp path the
 * journal recorded, with the original's mode and owner. The modification time is the time of the
 * rewrite (on purpose: backup and sync tools must see that the file changed). `beforeRename` runs
 * once the temp is synced and may still refuse (the temp is then removed); the name must still be
 * the opened file, or the action is stale. A signal that ends the run removes the temp (and
 * exiftool's own beside it): the journal then sees an attempt that never reached its rename, as after
 * a crash before it.
 */
export async function replaceFile(
  path: string,
  temp: string,
  target: OpenedTarget,
  hook: StepHook,
  fill: (out: FileHandle) => Promise<void>,
  beforeRename?: (out: { sha256: string; size: number }) => Promise<void>,
  /** Runs on the closed temp file after `fill` (a tool that edits it by path, e.g. exiftool). */
  edit?: (temp: string) => Promise<void>,
): Promise<{ sha256: string; size: number }> {
  const written = await writeFileAtomic(path, fill, {
    temp,
    mode: 0o600,
    sideTemps: [`${temp}_exiftool_tmp`],
    edit,
    hash: true,
    prepare: (out) => keepModeAndOwner(out, target),
    beforeRename: async (out) => {
      await beforeRename?.(hashed(out));
      if (!(await sameFile(path, target)))
        throw new ActionSkipped('stale', 'the file was replaced or moved while dsr worked on it');
    },
    onStep: (step) => hook(`rewrite:${step}`),
  });
  return hashed(written);
}

/** The written file's size and sha256 (asked for with `hash: true`). */
function hashed(w: Written): { sha256: string; size: number } {
  return { sha256: w.sha256!, size: w.size };
}

async function keepModeAndOwner(out: FileHandle, target: OpenedTarget): Promise<void> {
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
}

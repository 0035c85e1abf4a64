import { lstat, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsPath, nameFromBytes } from '../../core/raw-path.js';
import { syncDir } from '../../io/atomic-write.js';
import type { DeleteFileAction, DeleteMaildirMessageAction } from '../plan.js';
import {
  ActionSkipped,
  checkFileFingerprint,
  checkPlace,
  hashRange,
  openTarget,
  sameFile,
} from '../safety.js';
import type { ActionContext, Outcome } from './types.js';

/**
 * Unlinks a file (or a Maildir message file) that is exactly as planned. A Maildir message that a
 * mail client renamed since the scan (a flag change `:2,S` -> `:2,RS`, or its move from `new/` to
 * `cur/`) is found by the unique part of its name and acted on if its sha256 is the planned one.
 */
export async function deleteFile(
  action: DeleteFileAction | DeleteMaildirMessageAction,
  ctx: ActionContext,
): Promise<Outcome> {
  const what = action.kind === 'delete-maildir-message' ? 'the message file' : 'the file';
  const renamed =
    action.kind === 'delete-maildir-message' && (await gone(action.path))
      ? await findRenamedMessage(action, ctx)
      : undefined;
  const path = renamed ?? action.path;
  if (
    !renamed &&
    ctx.execute &&
    ctx.journal.unfinished(action.id).some((r) => r.phase === 'intent') &&
    (await gone(action.path))
  )
    return { result: 'done', reason: `${what} was unlinked by an earlier, interrupted run`, after: null };
  await checkPlace(path, ctx.plan.roots);
  const t = await openTarget(path);
  const how = renamed ? ' (found renamed by a mail client since the scan)' : '';
  try {
    await checkFileFingerprint(t, action.fingerprint);
    if (!ctx.execute) return { result: 'would', reason: `would unlink ${what}${how}` };
    await ctx.journal.write(action.id, 'intent');
    await ctx.hook('action:intent-written');
    if (!(await sameFile(path, t)))
      throw new ActionSkipped('stale', 'the file was replaced or moved while dsr worked on it');
    await unlink(fsPath(path));
  } finally {
    await t.fh.close();
  }
  await ctx.hook('delete:unlinked');
  await syncDir(dirname(path));
  if (!(await gone(path))) return { result: 'failed', reason: `${what} is still there after unlink` };
  return { result: 'done', reason: `${what} was unlinked${how}`, after: null };
}

/**
 * The unique part of a Maildir file name: everything before the info part (`:2,FLAGS`), which mail
 * clients change when they set flags.
 */
export function maildirUniquePart(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * The planned message under another name in `cur/` or `new/` of the same Maildir: same unique part,
 * same size and sha256 as planned. Undefined when there is none (then the action is stale).
 */
export async function findRenamedMessage(
  action: Pick<DeleteMaildirMessageAction, 'path' | 'fingerprint'>,
  ctx: ActionContext,
): Promise<string | undefined> {
  const folder = basename(dirname(action.path));
  if (folder !== 'cur' && folder !== 'new') return undefined;
  const maildir = dirname(dirname(action.path));
  const unique = maildirUniquePart(basename(action.path));
  const { size, sha256 } = action.fingerprint;
  if (!sha256) return undefined;
  for (const sub of ['cur', 'new']) {
    const raw = await readdir(fsPath(join(maildir, sub)), { encoding: 'buffer' }).catch(() => [] as Buffer[]);
    for (const name of raw.map(nameFromBytes)) {
      if (maildirUniquePart(name) !== unique) continue;
      const candidate = join(maildir, sub, name);
      try {
        await checkPlace(candidate, ctx.plan.roots);
        const t = await openTarget(candidate);
        try {
          if ((size === undefined || t.size === size) && (await hashRange(t.fh, 0, t.size)) === sha256)
            return candidate;
        } finally {
          await t.fh.close();
        }
      } catch (err) {
        if (!(err instanceof ActionSkipped)) throw err;
      }
    }
  }
  return undefined;
}

export async function gone(path: string): Promise<boolean> {
  try {
    await lstat(fsPath(path));
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

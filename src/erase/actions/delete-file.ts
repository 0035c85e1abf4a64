import { lstat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsPath } from '../../core/raw-path.js';
import type { DeleteFileAction, DeleteMaildirMessageAction } from '../plan.js';
import { ActionSkipped, checkFileFingerprint, checkPlace, openTarget, sameFile, syncDir } from '../safety.js';
import { testHook } from '../test-hooks.js';
import type { ActionContext, Outcome } from './types.js';

/** Unlinks a file (or a Maildir message file) that is exactly as planned. */
export async function deleteFile(
  action: DeleteFileAction | DeleteMaildirMessageAction,
  ctx: ActionContext,
): Promise<Outcome> {
  const what = action.kind === 'delete-maildir-message' ? 'the message file' : 'the file';
  if (
    ctx.execute &&
    ctx.journal.unfinished(action.id).some((r) => r.phase === 'intent') &&
    (await gone(action.path))
  )
    return { result: 'done', reason: `${what} was unlinked by an earlier, interrupted run`, after: null };
  await checkPlace(action.path, ctx.plan.roots);
  const t = await openTarget(action.path);
  try {
    await checkFileFingerprint(t, action.fingerprint);
    if (!ctx.execute) return { result: 'would', reason: `would unlink ${what}` };
    await ctx.journal.write(action.id, 'intent');
    await testHook('action:intent-written');
    if (!(await sameFile(action.path, t)))
      throw new ActionSkipped('stale', 'the file was replaced or moved while dsr worked on it');
    await unlink(fsPath(action.path));
  } finally {
    await t.fh.close();
  }
  await testHook('delete:unlinked');
  await syncDir(dirname(action.path));
  if (!(await gone(action.path))) return { result: 'failed', reason: `${what} is still there after unlink` };
  return { result: 'done', reason: `${what} was unlinked`, after: null };
}

async function gone(path: string): Promise<boolean> {
  try {
    await lstat(fsPath(path));
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

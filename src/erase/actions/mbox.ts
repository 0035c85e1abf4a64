import { type FileHandle, open, rm } from 'node:fs/promises';
import { fsPath } from '../../core/raw-path.js';
import { openTrackedTemp, tempPathBeside } from '../../io/atomic-write.js';
import type { JournalRecord } from '../journal.js';
import { takeDotlock, takeFcntlLock } from '../mbox-lock.js';
import type { RemoveMboxMessageAction } from '../plan.js';
import {
  ActionSkipped,
  checkPlace,
  hashRange,
  type OpenedTarget,
  openTarget,
  readRange,
  sameFile,
} from '../safety.js';
import type { StepHook } from '../test-hooks.js';
import { viewItem } from '../verify.js';
import { type AttachmentAction, editMessage, isAttachmentAction, sha256Of } from './attachment.js';
import { type ActionContext, batchOutcomes, type Outcome } from './types.js';

/** What an mbox rewrite does: cut whole messages out, or rewrite some of their attachments. */
export type MboxAction = RemoveMboxMessageAction | AttachmentAction;

const COPY_STEP = 1 << 20;
/** How long to wait for each mbox lock by default (Dovecot's `mbox_lock_timeout` is 5 min). */
export const MBOX_LOCK_TIMEOUT_MS = 30_000;

/**
 * Removes planned messages from one mbox file under the mail system's locks, as Dovecot and mutt do:
 * the dotlock `FILE.lock` (O_EXCL), then an fcntl write lock on the mbox, each waited for up to a
 * timeout. Every message is checked by the sha256 of its byte range first; a message that moved or
 * changed is skipped as stale.
 *
 * The new content is built in a temp file beside the mbox (fsynced, journalled), then written back
 * into the mbox itself, which is truncated to its new length: the file keeps its inode. A rename would
 * be atomic, but a delivery agent that opened the mbox before the rename and waits for its fcntl lock
 * (Postfix's local(8) does exactly that) would append to the replaced, unlinked file and the message
 * would be lost. Right before the write-back, still under both locks, size and mtime are checked
 * again; mail appended by a writer that ignores both locks is copied over first. A run killed during
 * the write-back is finished by the next run from the journal and the temp file.
 */
export async function removeMboxMessages(
  path: string,
  actions: MboxAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const { outcomes, settle: all } = batchOutcomes(actions);
  try {
    await checkPlace(path, ctx.plan.roots);
  } catch (err) {
    if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
    throw err;
  }
  const times = { timeoutMs: ctx.lockTimeoutMs ?? MBOX_LOCK_TIMEOUT_MS };
  const lockPath = `${path}.lock`;
  // Read before any fcntl lock: a re-scan opens and closes the mbox, which would drop the lock.
  const before = ctx.execute ? await viewItem({ path }, ctx.subject).catch(() => undefined) : undefined;
  let releaseDotlock: (() => Promise<void>) | undefined;
  if (ctx.execute) {
    releaseDotlock = await takeDotlock(lockPath, times);
    if (!releaseDotlock)
      return all({
        result: 'locked',
        reason: `the mbox stayed locked for ${times.timeoutMs / 1000} s (${lockPath} exists); try again later`,
      });
  }
  let result: Map<string, Outcome> | undefined;
  try {
    let t: OpenedTarget;
    try {
      t = await openTarget(path, ctx.execute);
    } catch (err) {
      if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
      throw err;
    }
    try {
      if (ctx.execute && !(await takeFcntlLock(t.fh.fd, times)))
        return all({
          result: 'locked',
          reason: `another program held an fcntl lock on the mbox for ${times.timeoutMs / 1000} s; try again later`,
        });
      await ctx.hook('mbox:locked');
      result = await rewrite(path, t, actions, ctx, outcomes);
      return result;
    } catch (err) {
      if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
      throw err;
    } finally {
      // Closing the descriptor drops the fcntl lock; the dotlock goes after it, as mutt does.
      await t.fh.close();
    }
  } finally {
    await releaseDotlock?.();
    if (result && ctx.execute) await checkAfter(path, actions, ctx, result, before);
  }
}

/** Re-scans the rewritten mbox (after the locks are gone): the removed messages must be gone, and nothing worse to read. */
async function checkAfter(
  path: string,
  actions: MboxAction[],
  ctx: ActionContext,
  outcomes: Map<string, Outcome>,
  before: Awaited<ReturnType<typeof viewItem>> | undefined,
): Promise<void> {
  const removed = actions.filter(
    (a) =>
      outcomes.get(a.id)?.result === 'done' && (outcomes.get(a.id)?.after === null || isAttachmentAction(a)),
  );
  if (!removed.length) return;
  const after = await viewItem({ path }, ctx.subject).catch(() => undefined);
  for (const a of removed) {
    if (after?.subjectMessages.includes(a.fingerprint.sha256!))
      outcomes.set(a.id, {
        result: 'failed',
        reason: isAttachmentAction(a)
          ? 'a re-scan still finds the message as it was'
          : 'a re-scan still finds the message',
      });
    else if (before && after && before.errors < after.errors)
      outcomes.set(a.id, {
        result: 'failed',
        reason: 'the rewritten mbox reads with more errors than before',
      });
  }
}

async function rewrite(
  path: string,
  t: OpenedTarget,
  actions: MboxAction[],
  ctx: ActionContext,
  outcomes: Map<string, Outcome>,
): Promise<Map<string, Outcome>> {
  if (ctx.execute) {
    const interrupted = actions
      .map((a) => ctx.journal.unfinished(a.id).findLast((r) => r.phase === 'writeback'))
      .find((r) => r !== undefined);
    if (interrupted) return finishWriteBack(t, interrupted, actions, ctx, outcomes);
  }
  const size0 = t.size;
  const remove: MboxAction[] = [];
  for (const a of actions) {
    const { offset, length, sha256 } = a.fingerprint;
    if (offset === undefined || length === undefined || !sha256) {
      outcomes.set(a.id, { result: 'refused', reason: 'the plan has no byte range for this message' });
      continue;
    }
    if (offset + length <= size0 && (await messageAt(t.fh, offset, length, sha256))) {
      remove.push(a);
      continue;
    }
    // Not where it was planned: removed by an earlier, interrupted run of this plan, or the mbox changed.
    const prepared = ctx.execute
      ? ctx.journal.unfinished(a.id).find((r) => r.phase === 'prepared')
      : undefined;
    if (
      prepared?.newSha256 &&
      prepared.newSize !== undefined &&
      prepared.newSize <= size0 &&
      (await hashRange(t.fh, 0, prepared.newSize)) === prepared.newSha256
    ) {
      outcomes.set(a.id, {
        result: 'done',
        reason: `${isAttachmentAction(a) ? 'the attachment was edited' : 'the message was removed'} by an earlier, interrupted run`,
        after: null,
      });
      continue;
    }
    outcomes.set(a.id, {
      result: 'stale',
      reason: 'the message is no longer at its planned place (the mbox changed)',
    });
  }
  if (!remove.length) return outcomes;
  const ranges = await plannedRanges(t, remove, ctx, outcomes);
  const acting = remove.filter((a) => ranges.some((r) => r.ids.includes(a.id)));
  if (!acting.length) return outcomes;
  if (!ctx.execute) {
    for (const a of acting)
      if (!isAttachmentAction(a))
        outcomes.set(a.id, { result: 'would', reason: 'would remove the message from the mbox' });
    return outcomes;
  }

  const temp = tempPathBeside(path);
  for (const a of acting) await ctx.journal.write(a.id, 'intent', { temp });
  await ctx.hook('action:intent-written');
  // A signal before the write-back removes the temp file. From the write-back on it is the journal's
  // copy of the new content, which a later run needs to finish an interrupted write-back: kept then.
  const { fh: out, untrack: untrackTemp } = await openTrackedTemp(temp);
  let untrack: (() => void) | undefined = untrackTemp;
  let writingBack = false;
  try {
    let at = 0;
    for (const r of ranges) {
      await copy(t.fh, out, at, r.start);
      if (r.replacement) await out.write(r.replacement, 0, r.replacement.length, null);
      at = r.end;
    }
    await copy(t.fh, out, at, size0);
    await ctx.hook('rewrite:temp-written');
    await out.sync();
    const size = (await out.stat()).size;
    const sha256 = await hashRange(out, 0, size);
    for (const a of acting)
      await ctx.journal.write(a.id, 'prepared', { temp, newSha256: sha256, newSize: size });
    await ctx.hook('rewrite:temp-synced');
    // Under both locks, right before the write-back: the mbox is as it was read, or grew at its end
    // (a writer that ignores both locks); that new mail goes into the temp too. Anything else is stale.
    let copied = size0;
    let mtimeMs = t.mtimeMs;
    for (;;) {
      const st = await t.fh.stat();
      if (st.size < copied) throw new ActionSkipped('stale', 'the mbox shrank while dsr rewrote it');
      if (st.size === copied) {
        if (st.mtimeMs !== mtimeMs)
          throw new ActionSkipped('stale', 'the mbox was changed in place while dsr rewrote it');
        break;
      }
      await copy(t.fh, out, copied, st.size, (await out.stat()).size);
      copied = st.size;
      mtimeMs = st.mtimeMs;
    }
    await out.sync();
    const finalSize = (await out.stat()).size;
    const written = { sha256: await hashRange(out, 0, finalSize), size: finalSize };
    if (!(await sameFile(path, t)))
      throw new ActionSkipped('stale', 'the mbox was replaced or moved while dsr worked on it');
    const tailSha256 = await hashRange(t.fh, written.size, copied - written.size);
    for (const a of acting)
      await ctx.journal.write(a.id, 'writeback', {
        temp,
        newSha256: written.sha256,
        newSize: written.size,
        fileSize: copied,
        tailSha256,
      });
    untrack();
    untrack = undefined;
    writingBack = true;
    await ctx.hook('mbox:writeback-journalled');
    await writeBack(out, t, written.size, ctx.hook);
  } catch (err) {
    await out.close().catch(() => {});
    untrack?.();
    if (!writingBack) await rm(fsPath(temp), { force: true });
    throw err;
  }
  await out.close();
  await rm(fsPath(temp), { force: true });
  for (const a of acting) {
    const r = ranges.find((x) => x.ids.includes(a.id))!;
    outcomes.set(
      a.id,
      r.replacement
        ? {
            result: 'done',
            reason:
              a.kind === 'redact-attachment'
                ? 'the attachment was redacted in the mbox message'
                : 'the attachment was replaced by a short note in the mbox message',
            after: { length: r.replacement.length, sha256: sha256Of(r.replacement) },
          }
        : { result: 'done', reason: 'the message was removed from the mbox', after: null },
    );
  }
  return outcomes;
}

interface PlannedRange {
  start: number;
  end: number;
  /** The message's new bytes (its attachments edited); none: the message is cut out. */
  replacement?: Buffer;
  ids: string[];
}

/**
 * The byte ranges the rewrite replaces, in order: a message to remove, or a message whose attachments
 * are edited (its `From ` line kept, the rest as editMessage makes it). An attachment edit that cannot
 * go ahead gets its outcome here and leaves its message as it is.
 */
async function plannedRanges(
  t: OpenedTarget,
  remove: MboxAction[],
  ctx: ActionContext,
  outcomes: Map<string, Outcome>,
): Promise<PlannedRange[]> {
  const byStart = new Map<number, MboxAction[]>();
  for (const a of remove)
    byStart.set(a.fingerprint.offset!, [...(byStart.get(a.fingerprint.offset!) ?? []), a]);
  const ranges: PlannedRange[] = [];
  for (const [start, acts] of byStart) {
    const end = start + acts[0].fingerprint.length!;
    const edits = acts.filter(isAttachmentAction);
    if (!edits.length) {
      ranges.push({ start, end, ids: acts.map((a) => a.id) });
      continue;
    }
    if (edits.length !== acts.length)
      throw new ActionSkipped('refused', 'a message is planned both for removal and for an attachment edit');
    const bytes = await readRange(t.fh, start, end - start);
    const nl = bytes.indexOf(0x0a);
    let edited: Awaited<ReturnType<typeof editMessage>>;
    try {
      edited = await editMessage(bytes.subarray(nl + 1), edits, ctx);
    } catch (err) {
      if (!(err instanceof ActionSkipped)) throw err;
      for (const a of edits) outcomes.set(a.id, { result: err.result, reason: err.message });
      continue;
    }
    for (const [id, o] of edited.outcomes) outcomes.set(id, o);
    if (edited.bytes)
      ranges.push({
        start,
        end,
        replacement: Buffer.concat([bytes.subarray(0, nl + 1), edited.bytes]),
        ids: edited.applied,
      });
  }
  ranges.sort((x, y) => x.start - y.start);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i].start < ranges[i - 1].end)
      throw new ActionSkipped('refused', 'planned message ranges overlap');
  return ranges;
}

/**
 * Writes the temp file's first `size` bytes over the start of the mbox, truncates it to `size` and
 * syncs it. The mbox keeps its inode, mode and owner.
 */
async function writeBack(src: FileHandle, t: OpenedTarget, size: number, hook: StepHook): Promise<void> {
  const half = Math.floor(size / 2);
  await copy(src, t.fh, 0, half, 0);
  await hook('mbox:writeback-half');
  await copy(src, t.fh, half, size, half);
  await hook('mbox:written-back');
  await t.fh.truncate(size);
  await t.fh.sync();
  await hook('mbox:truncated');
}

/**
 * A run was killed during a write-back. Its journal record names the temp file (the whole new
 * content), the mbox size it replaced and the hash of the old bytes past the new end, which the
 * write-back never touches. Those bytes unchanged: not yet truncated, so the write-back is done again
 * (with any mail appended since, past the old end). The new content at the start instead: it was
 * finished. Anything else is left alone, with the temp file kept for a person to look at.
 */
async function finishWriteBack(
  t: OpenedTarget,
  rec: JournalRecord,
  actions: MboxAction[],
  ctx: ActionContext,
  outcomes: Map<string, Outcome>,
): Promise<Map<string, Outcome>> {
  const mine = actions.filter((a) => ctx.journal.unfinished(a.id).some((r) => r.phase === 'writeback'));
  const others = actions.filter((a) => !mine.includes(a));
  const newSize = rec.newSize!;
  const fileSize = rec.fileSize!;
  const size = (await t.fh.stat()).size;
  const notTruncated =
    size >= fileSize && (await hashRange(t.fh, newSize, fileSize - newSize)) === rec.tailSha256;
  const finished = !notTruncated && size >= newSize && (await hashRange(t.fh, 0, newSize)) === rec.newSha256;
  let reason: string;
  if (notTruncated) {
    const temp = rec.temp!;
    const out = await open(fsPath(temp), 'r+').catch(() => undefined);
    if (!out || (await hashRange(out, 0, newSize)) !== rec.newSha256 || (await out.stat()).size < newSize) {
      await out?.close();
      throw new ActionSkipped(
        'refused',
        `an interrupted rewrite of this mbox cannot be finished: ${temp} is missing or changed`,
      );
    }
    try {
      await out.truncate(newSize);
      await copy(t.fh, out, fileSize, size, newSize);
      await out.sync();
      const total = newSize + (size - fileSize);
      const tailSha256 = await hashRange(t.fh, total, size - total);
      for (const a of mine)
        await ctx.journal.write(a.id, 'writeback', {
          temp,
          newSha256: await hashRange(out, 0, total),
          newSize: total,
          fileSize: size,
          tailSha256,
        });
      await writeBack(out, t, total, ctx.hook);
    } finally {
      await out.close();
    }
    await rm(fsPath(temp), { force: true });
    reason = 'the message was removed: an interrupted rewrite was finished';
  } else if (finished) {
    if (rec.temp) await rm(fsPath(rec.temp), { force: true });
    reason = 'the message was removed by an earlier, interrupted run';
  } else {
    throw new ActionSkipped(
      'refused',
      `the mbox changed after an interrupted rewrite; nothing was done (the intended content is in ${rec.temp})`,
    );
  }
  for (const a of mine)
    outcomes.set(a.id, {
      result: 'done',
      reason: isAttachmentAction(a)
        ? reason.replace('the message was removed', 'the attachment was edited')
        : reason,
      after: null,
    });
  for (const a of others)
    outcomes.set(a.id, {
      result: 'stale',
      reason: 'the mbox was rewritten by an interrupted run since the plan was made; plan again',
    });
  return outcomes;
}

/** True when the planned byte range still holds the planned message (a `From ` line start, same sha256). */
async function messageAt(fh: FileHandle, offset: number, length: number, sha256: string): Promise<boolean> {
  const head = await readRange(fh, Math.max(0, offset - 1), Math.min(offset, 1) + 5);
  const from = head.subarray(offset === 0 ? 0 : 1).toString('latin1');
  if (from !== 'From ' || (offset > 0 && head[0] !== 0x0a)) return false;
  return (await hashRange(fh, offset, length)) === sha256;
}

/** Copies bytes [from, to) of `src` to `dst` (appending, or at `at`); returns the byte count. */
async function copy(
  src: FileHandle,
  dst: FileHandle,
  from: number,
  to: number,
  at?: number,
): Promise<number> {
  let n = 0;
  for (let pos = from; pos < to; pos += COPY_STEP) {
    const piece = await readRange(src, pos, Math.min(COPY_STEP, to - pos));
    if (!piece.length) break;
    await dst.write(piece, 0, piece.length, at === undefined ? null : at + n);
    n += piece.length;
  }
  return n;
}

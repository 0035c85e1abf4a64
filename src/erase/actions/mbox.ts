import { constants } from 'node:fs';
import { type FileHandle, open, readFile, unlink } from 'node:fs/promises';
import { fsPath } from '../../core/raw-path.js';
import { trackTemp } from '../../core/run-temp.js';
import type { RemoveMboxMessageAction } from '../plan.js';
import { replaceFile, tempPathFor } from '../rewrite.js';
import { ActionSkipped, checkPlace, hashRange, type OpenedTarget, openTarget, readRange } from '../safety.js';
import { testHook } from '../test-hooks.js';
import { viewItem } from '../verify.js';
import { type ActionContext, batchOutcomes, type Outcome } from './types.js';

const COPY_STEP = 1 << 20;

/**
 * Removes planned messages from one mbox file in a single atomic rewrite, under the mail system's
 * dotlock (`FILE.lock`, created O_EXCL as procmail/dovecot/mutt do). Every message is checked by the
 * sha256 of its byte range first; a message that moved or changed is skipped as stale. Mail appended
 * while the rewrite runs is copied to the new file before it replaces the old one.
 */
export async function removeMboxMessages(
  path: string,
  actions: RemoveMboxMessageAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const { outcomes, settle: all } = batchOutcomes(actions);
  try {
    await checkPlace(path, ctx.plan.roots);
  } catch (err) {
    if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
    throw err;
  }
  const lockPath = `${path}.lock`;
  let lock: FileHandle | undefined;
  let untrackLock: (() => void) | undefined;
  if (ctx.execute) {
    const taken = await takeDotlock(lockPath);
    if (!taken)
      return all({ result: 'locked', reason: `the mbox is locked (${lockPath} exists); try again later` });
    lock = taken;
    // A signal that ends the run must not leave the mailbox locked for the mail system.
    untrackLock = trackTemp(lockPath);
    await testHook('mbox:locked');
  }
  try {
    let t: OpenedTarget;
    try {
      t = await openTarget(path);
    } catch (err) {
      if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
      throw err;
    }
    try {
      return await rewrite(path, t, actions, ctx, outcomes);
    } catch (err) {
      if (err instanceof ActionSkipped) return all({ result: err.result, reason: err.message });
      throw err;
    } finally {
      await t.fh.close();
    }
  } finally {
    untrackLock?.();
    if (lock) await unlink(fsPath(lockPath)).catch(() => {});
  }
}

async function rewrite(
  path: string,
  t: OpenedTarget,
  actions: RemoveMboxMessageAction[],
  ctx: ActionContext,
  outcomes: Map<string, Outcome>,
): Promise<Map<string, Outcome>> {
  const size0 = t.size;
  const remove: RemoveMboxMessageAction[] = [];
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
        reason: 'the message was removed by an earlier, interrupted run',
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
  const ranges = remove
    .map((a) => ({ start: a.fingerprint.offset!, end: a.fingerprint.offset! + a.fingerprint.length! }))
    .sort((x, y) => x.start - y.start);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i].start < ranges[i - 1].end)
      throw new ActionSkipped('refused', 'planned message ranges overlap');
  if (!ctx.execute) {
    for (const a of remove)
      outcomes.set(a.id, { result: 'would', reason: 'would remove the message from the mbox' });
    return outcomes;
  }

  const before = await viewItem({ path }, ctx.subject).catch(() => undefined);
  const temp = tempPathFor(path);
  for (const a of remove) await ctx.journal.write(a.id, 'intent', { temp });
  await testHook('action:intent-written');
  let copied = 0;
  const written = await replaceFile(
    path,
    temp,
    t,
    async (out) => {
      let at = 0;
      for (const r of ranges) {
        await copy(t.fh, out, at, r.start);
        at = r.end;
      }
      await copy(t.fh, out, at, size0);
      copied = size0;
    },
    async ({ sha256, size }) => {
      for (const a of remove)
        await ctx.journal.write(a.id, 'prepared', { temp, newSha256: sha256, newSize: size });
      // Mail delivered since the copy (by a writer that ignores the dotlock) goes to the new file too.
      const out = await open(fsPath(temp), 'r+');
      try {
        let pos = size;
        for (;;) {
          const now = (await t.fh.stat()).size;
          if (now < copied) throw new ActionSkipped('stale', 'the mbox shrank while dsr rewrote it');
          if (now === copied) break;
          pos += await copy(t.fh, out, copied, now, pos);
          copied = now;
        }
        await out.sync();
      } finally {
        await out.close();
      }
    },
  );
  const after = await viewItem({ path }, ctx.subject).catch(() => undefined);
  for (const a of remove) {
    const stillThere = after?.subjectMessages.includes(a.fingerprint.sha256!) ?? false;
    outcomes.set(
      a.id,
      stillThere
        ? { result: 'failed', reason: 'a re-scan still finds the message', after: written }
        : { result: 'done', reason: 'the message was removed from the mbox', after: null },
    );
  }
  if (before && after && before.errors < after.errors)
    for (const a of remove)
      outcomes.set(a.id, {
        result: 'failed',
        reason: 'the rewritten mbox reads with more errors than before',
      });
  return outcomes;
}

/**
 * Dotlock as mail systems do: create `FILE.lock` with O_EXCL. A lock left by a dsr run that was killed
 * (it holds `dsr PID` and that process is gone) is taken over; any other existing lock means locked.
 */
async function takeDotlock(lockPath: string): Promise<FileHandle | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(
        fsPath(lockPath),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      await fh.write(`dsr ${process.pid}\n`);
      await fh.close();
      return fh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = /^dsr (\d+)\n$/.exec(await readFile(fsPath(lockPath), 'utf8').catch(() => ''));
      if (!owner || processAlive(Number(owner[1]))) return undefined;
      await unlink(fsPath(lockPath)).catch(() => {});
    }
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

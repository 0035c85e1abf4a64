import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../../core/ids.js';
import { fsPath } from '../../core/raw-path.js';
import type { Action } from '../../core/schemas/plan.js';
import { tempPathBeside } from '../../io/atomic-write.js';
import { replaceFile } from '../rewrite.js';
import {
  ActionSkipped,
  assertUnchanged,
  checkFileFingerprint,
  checkPlace,
  hashRange,
  openTarget,
  readRange,
  rewrittenEarlier,
} from '../safety.js';
import { type ItemView, viewItem } from '../verify.js';
import type { ActionContext, Outcome } from './types.js';

/** Largest file rewritten whole (it is held in memory with its new version). */
const MAX_REWRITE_BYTES = 256 * 1024 * 1024;

/** The new content of a file, what it changes (for the outcome), and how to tell the erasure is complete. */
export interface WholeRewrite {
  bytes: Buffer;
  /** What the change does, as `redact 3 span(s) (name 2, cpr 1)` (`would …` in a dry run, `redacted …` when done). */
  summary: string;
  /** Why `after` (the new content as scanned) is not the planned erasure of `before`, or undefined. */
  problem(before: ItemView, after: ItemView): string | undefined;
}

/**
 * Rewrites a file whole, as an Office redaction or an archive edit does: place and fingerprint
 * checked (stale), the new content computed and scanned before anything is written (a dry run stops
 * there), the temp file journalled, replaced atomically, and the file on disk scanned again. A run
 * killed after the rename finds the planned content in place and reports it done.
 */
export async function rewriteWhole(
  action: Action,
  ctx: ActionContext,
  transform: (bytes: Buffer) => Promise<Omit<WholeRewrite, 'problem'>>,
  problem: WholeRewrite['problem'],
): Promise<Outcome> {
  const unfinished = ctx.execute ? ctx.journal.unfinished(action.id) : [];
  await checkPlace(action.path, ctx.plan.roots);
  const t = await openTarget(action.path);
  try {
    const earlier = await rewrittenEarlier(t, unfinished);
    if (earlier) {
      const after = await viewItem({ path: action.path }, ctx.subject);
      const left = problem(after, after);
      return left
        ? { result: 'failed', reason: left }
        : {
            result: 'done',
            reason: 'rewritten by an earlier, interrupted run',
            after: earlier,
          };
    }
    // An archive's plan holds its members' fingerprints (checked as each is read), not the file's.
    const sha256 = action.fingerprint.sha256
      ? await checkFileFingerprint(t, action.fingerprint)
      : await hashRange(t.fh, 0, t.size);
    if (t.size > MAX_REWRITE_BYTES)
      throw new ActionSkipped('refused', `larger than ${MAX_REWRITE_BYTES} bytes; edit it by hand`);
    const bytes = await readRange(t.fh, 0, t.size);
    const rewrite = await transform(bytes);
    const before = await viewItem({ path: action.path, data: bytes }, ctx.subject);
    const after = await viewItem({ path: action.path, data: rewrite.bytes }, ctx.subject);
    const why = problem(before, after);
    if (why) throw new ActionSkipped('refused', `the change cannot be done safely: ${why}; edit it by hand`);
    const beforeFp = { size: t.size, sha256 };
    if (!ctx.execute) return { result: 'would', reason: `would ${rewrite.summary}`, before: beforeFp };
    const temp = tempPathBeside(action.path);
    await ctx.journal.write(action.id, 'intent', { temp });
    await ctx.hook('action:intent-written');
    const written = await replaceFile(
      action.path,
      temp,
      t,
      ctx.hook,
      async (out) => {
        await out.write(rewrite.bytes);
      },
      async (w) => {
        await assertUnchanged(t, { sha256 });
        await ctx.journal.write(action.id, 'prepared', { temp, newSha256: w.sha256, newSize: w.size });
      },
    );
    const now = await readFile(fsPath(action.path));
    if (sha256Hex(now) !== sha256Hex(rewrite.bytes))
      return {
        result: 'failed',
        reason: 'the file on disk is not the rewritten content (changed during the run?)',
        before: beforeFp,
        after: written,
      };
    const check = problem(before, await viewItem({ path: action.path }, ctx.subject));
    if (check) return { result: 'failed', reason: check, before: beforeFp, after: written };
    const done = rewrite.summary.replace(/\bredact\b/g, 'redacted').replace(/\bremove\b/g, 'removed');
    return { result: 'done', reason: done, before: beforeFp, after: written };
  } finally {
    await t.fh.close();
  }
}

/** Spans per kind: `cpr 1, name 2`. */
export function countByDetector(spans: { detector: string }[]): string {
  const m = new Map<string, number>();
  for (const s of spans) m.set(s.detector, (m.get(s.detector) ?? 0) + 1);
  return [...m].map(([d, n]) => `${d} ${n}`).join(', ');
}

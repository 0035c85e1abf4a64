import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fsPath } from '../../core/raw-path.js';
import { syncDir, tempPathBeside } from '../../io/atomic-write.js';
import { findSubjectSpans } from '../identifiers.js';
import {
  applyEdits,
  decodedBody,
  findAttachment,
  type PartEdit,
  removalNote,
  replaceBody,
} from '../mime-edit.js';
import type { RedactAttachmentAction, RemoveAttachmentAction } from '../plan.js';
import { replaceFile } from '../rewrite.js';
import {
  ActionSkipped,
  assertUnchanged,
  checkFileFingerprint,
  checkPlace,
  hashRange,
  openTarget,
  readRange,
} from '../safety.js';
import { viewItem } from '../verify.js';
import { findRenamedMessage, gone } from './delete-file.js';
import { placeholder, redactBytes } from './redact-text.js';
import type { ActionContext, Outcome } from './types.js';

export type AttachmentAction = RemoveAttachmentAction | RedactAttachmentAction;

export function isAttachmentAction(a: { kind: string }): a is AttachmentAction {
  return a.kind === 'remove-attachment' || a.kind === 'redact-attachment';
}

/** Largest message rewritten (held in memory, a few times). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface EditedMessage {
  /** The new message, or undefined when none of the actions can go ahead. */
  bytes?: Buffer;
  /** Per action: what it would do ('would'), or why it cannot (stale, refused). */
  outcomes: Map<string, Outcome>;
  /** Ids of the actions the new message carries out. */
  applied: string[];
}

/**
 * Edits a message (RFC 822 bytes) for the actions planned on its attachments: each attachment is found
 * by its name and its content's sha256, then replaced by a short text part (remove) or given its
 * content with the subject's values replaced (redact). The new message is then read as the scan reads
 * it: every finding of the subject in those attachments must be gone, every other finding of the
 * subject and every other person's identifier still there; otherwise nothing is done.
 */
export async function editMessage(
  message: Buffer,
  actions: AttachmentAction[],
  ctx: Pick<ActionContext, 'subject'>,
  now: Date = new Date(),
): Promise<EditedMessage> {
  const outcomes = new Map<string, Outcome>();
  if (/^content-length:/im.test(message.subarray(0, headerEnd(message)).toString('latin1')))
    throw new ActionSkipped(
      'refused',
      'the message has a Content-Length header that a rewrite would make wrong; edit it by hand',
    );
  const edits: PartEdit[] = [];
  const applied: AttachmentAction[] = [];
  for (const a of actions) {
    try {
      const segment = a.itemPath[a.itemPath.length - 1];
      const part = await findAttachment(message, segment, a.attachmentSha256);
      if (a.kind === 'remove-attachment') {
        const shown = maskName(part.name, ctx);
        edits.push(removalNote(message, part, shown, now));
        outcomes.set(a.id, { result: 'would', reason: `would replace ${segment} by a short note` });
      } else {
        const decoded = decodedBody(message, part);
        if (!decoded)
          throw new ActionSkipped(
            'refused',
            "the attachment's encoding cannot be rewritten exactly; edit it by hand",
          );
        const redaction = redactBytes(decoded, a.format, ctx);
        edits.push(replaceBody(message, part, redaction.bytes));
        outcomes.set(a.id, {
          result: 'would',
          reason: `would redact ${redaction.spans.length} span(s) in ${segment}`,
        });
      }
      applied.push(a);
    } catch (err) {
      if (!(err instanceof ActionSkipped)) throw err;
      outcomes.set(a.id, { result: err.result, reason: err.message });
    }
  }
  if (!applied.length) return { outcomes, applied: [] };
  const bytes = applyEdits(message, edits);
  const problem = await editProblem(message, bytes, applied, ctx);
  if (problem) {
    for (const a of applied)
      outcomes.set(a.id, { result: 'refused', reason: `the rewrite cannot be done safely: ${problem}` });
    return { outcomes, applied: [] };
  }
  return { bytes, outcomes, applied: applied.map((a) => a.id) };
}

function headerEnd(message: Buffer): number {
  const lf = message.indexOf('\n\n');
  const crlf = message.indexOf('\r\n\r\n');
  const ends = [lf, crlf].filter((x) => x >= 0);
  return ends.length ? Math.min(...ends) : message.length;
}

/** The attachment's name for the note, with any of the subject's identifiers in it replaced. */
function maskName(name: string, ctx: Pick<ActionContext, 'subject'>): string {
  let out = '';
  let at = 0;
  for (const s of findSubjectSpans(name, ctx.subject)) {
    out += name.slice(at, s.start) + placeholder(s.detector);
    at = s.end;
  }
  return (out + name.slice(at)).replace(/[^\x20-\x7e\u00a0-\uffff]/g, '');
}

/** Why the new message is not exactly the planned edit of the old one, or undefined. */
async function editProblem(
  before: Buffer,
  after: Buffer,
  actions: AttachmentAction[],
  ctx: Pick<ActionContext, 'subject'>,
): Promise<string | undefined> {
  const old = await viewItem({ path: 'message.eml', data: before }, ctx.subject);
  const now = await viewItem({ path: 'message.eml', data: after }, ctx.subject);
  const segments = new Set(actions.map((a) => a.itemPath[a.itemPath.length - 1]));
  const kept = old.subject.filter((f) => !segments.has(f.itemPath[0] ?? '')).length;
  if (now.subject.length > kept)
    return `the subject's data is still there after the change (${now.subject.length - kept} finding(s))`;
  if (now.subject.length < kept) return "the subject's data elsewhere in the message would change too";
  if (old.others.join('\n') !== now.others.join('\n')) return "other people's identifiers would change too";
  if (now.errors > old.errors) return 'the new message reads with more errors than the old one';
  return undefined;
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Attachments of one message file: an `.eml` (rewritten in place, atomically) or a Maildir message
 * (rewritten, then given a new unique name in its folder, flags kept, as a mail client that replaces
 * a message does: Dovecot then sees the old message gone and a new one, not a file that changed under
 * a name it cached). A Maildir message a mail client renamed since the scan is found by its unique part.
 */
export async function editMessageFile(
  actions: AttachmentAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const first = actions[0];
  const all = (o: Outcome) => new Map(actions.map((a) => [a.id, o]));
  const maildir = first.container === 'maildir';
  const unfinished = ctx.execute ? actions.flatMap((a) => ctx.journal.unfinished(a.id)) : [];
  const prepared = unfinished.find((r) => r.phase === 'prepared');
  // An earlier run got as far as the new content: it is under the old name, or already under the new one.
  if (prepared?.newSha256) {
    const done = await finishEarlier(first.path, prepared.newSha256, prepared.newPath, maildir, ctx);
    if (done) return all(done);
  }
  const renamed =
    maildir && (await gone(first.path))
      ? await findRenamedMessage({ path: first.path, fingerprint: first.fingerprint }, ctx)
      : undefined;
  const path = renamed ?? first.path;
  await checkPlace(path, ctx.plan.roots);
  const t = await openTarget(path);
  let written: { sha256: string; size: number };
  let edited: EditedMessage;
  try {
    await checkFileFingerprint(t, first.fingerprint);
    if (t.size > MAX_MESSAGE_BYTES)
      throw new ActionSkipped('refused', `larger than ${MAX_MESSAGE_BYTES} bytes; edit it by hand`);
    const raw = await readRange(t.fh, 0, t.size);
    edited = await editMessage(raw, actions, ctx);
    if (!edited.bytes || !ctx.execute) return edited.outcomes;
    const bytes = edited.bytes;
    const temp = tempPathBeside(path);
    const newPath = maildir ? join(dirname(path), newMaildirName(basename(path), bytes.length)) : undefined;
    for (const id of edited.applied) await ctx.journal.write(id, 'intent', { temp });
    await ctx.hook('action:intent-written');
    written = await replaceFile(
      path,
      temp,
      t,
      ctx.hook,
      async (out) => {
        await out.write(bytes);
      },
      async ({ sha256, size }) => {
        await assertUnchanged(t, first.fingerprint);
        for (const id of edited.applied)
          await ctx.journal.write(id, 'prepared', { temp, newSha256: sha256, newSize: size, newPath });
      },
    );
    if (newPath) await renameMaildirMessage(path, newPath, ctx);
    const now = await readFile(fsPath(newPath ?? path));
    if (!now.equals(bytes))
      return all({
        result: 'failed',
        reason: 'the file on disk is not the rewritten message (changed during the run?)',
      });
  } finally {
    await t.fh.close();
  }
  const out = new Map(edited.outcomes);
  for (const id of edited.applied) {
    const a = actions.find((x) => x.id === id)!;
    out.set(id, {
      result: 'done',
      reason:
        a.kind === 'remove-attachment'
          ? `the attachment was replaced by a short note${renamed ? ' (the message was found renamed by a mail client)' : ''}`
          : 'the attachment was redacted',
      after: written,
    });
  }
  return out;
}

/** A Maildir name for the rewritten message: a new unique part (`,S=` size updated when it had one), the same flags. */
export function newMaildirName(old: string, size: number): string {
  const colon = old.indexOf(':');
  const info = colon < 0 ? '' : old.slice(colon);
  const unique = colon < 0 ? old : old.slice(0, colon);
  const now = Date.now();
  const micro = String((now % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0');
  const host = hostname().replace(/[/:]/g, '_');
  const sizeTag = /,S=\d+/.test(unique) ? `,S=${size}` : '';
  return `${Math.floor(now / 1000)}.M${micro}P${process.pid}.${host}${sizeTag}${info}`;
}

async function renameMaildirMessage(path: string, newPath: string, ctx: ActionContext): Promise<void> {
  await rename(fsPath(path), fsPath(newPath));
  await ctx.hook('maildir:renamed');
  await syncDir(dirname(path));
}

/**
 * An earlier run was killed after it wrote the new content: finish it (a Maildir message still under its
 * old name is renamed) and count it done; undefined when the new content is nowhere to be seen.
 */
async function finishEarlier(
  path: string,
  newSha256: string,
  newPath: string | undefined,
  maildir: boolean,
  ctx: ActionContext,
): Promise<Outcome | undefined> {
  const has = async (p: string): Promise<{ size: number; sha256: string } | undefined> => {
    if (await gone(p)) return undefined;
    const t = await openTarget(p).catch(() => undefined);
    if (!t) return undefined;
    try {
      const sha256 = await hashRange(t.fh, 0, t.size);
      return sha256 === newSha256 ? { size: t.size, sha256 } : undefined;
    } finally {
      await t.fh.close();
    }
  };
  const reason = 'the attachment was edited by an earlier, interrupted run';
  if (maildir && newPath) {
    const atNew = await has(newPath);
    if (atNew) return { result: 'done', reason, after: atNew };
    const atOld = await has(path);
    if (!atOld) return undefined;
    await checkPlace(path, ctx.plan.roots);
    await renameMaildirMessage(path, newPath, ctx);
    return { result: 'done', reason, after: atOld };
  }
  const atOld = await has(path);
  return atOld ? { result: 'done', reason, after: atOld } : undefined;
}

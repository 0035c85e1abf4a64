import type { ImapFlow } from 'imapflow';
import { parseMessageUrl } from '../../crawl/imap/url.js';
import { ActionSkipped } from '../safety.js';
import { type AttachmentAction, editMessage, sha256Of } from './attachment.js';
import { connectPlannedServer } from './imap-server.js';
import { type ActionContext, batchOutcomes, type Outcome } from './types.js';

/**
 * Edits attachments of messages in one IMAP mailbox as a mail client does: the rewritten message is
 * APPENDed with the old one's flags and internal date, then the old UID is flagged \Deleted and removed
 * by `UID EXPUNGE`. The server must offer UIDPLUS (checked before anything is written): without it
 * imapflow falls back to a plain EXPUNGE that removes every message anyone flagged \Deleted.
 * A run killed after the APPEND is finished by the next: the journal holds the new message's sha256,
 * and a message with it in the mailbox is not appended twice.
 */
export async function editImapAttachments(
  actions: AttachmentAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const { outcomes, settle: all } = batchOutcomes(actions);
  const first = actions[0];
  const url = parseMessageUrl(first.path);
  if (!url || !first.uid || !first.uidValidity || !first.mailbox)
    return all({ result: 'refused', reason: 'not an imap:// message URL with UIDVALIDITY and UID' });
  const server = await connectPlannedServer(url, ctx);
  if ('refused' in server) return all({ result: 'refused', reason: server.refused });
  const { session } = server;
  const { client } = session;
  try {
    const lock = await client.getMailboxLock(first.mailbox, { readOnly: !ctx.execute });
    try {
      const box = client.mailbox;
      if (!box || String(box.uidValidity) !== first.uidValidity)
        return all({
          result: 'stale',
          reason: `UIDVALIDITY of ${first.mailbox} changed since the scan; UIDs no longer match`,
        });
      const byUid = new Map<number, AttachmentAction[]>();
      for (const a of actions) {
        if (a.uidValidity !== first.uidValidity || !a.uid)
          outcomes.set(a.id, { result: 'refused', reason: 'mixed UIDVALIDITY' });
        else byUid.set(a.uid, [...(byUid.get(a.uid) ?? []), a]);
      }
      for (const [uid, acts] of byUid) {
        try {
          for (const [id, o] of await editOne(client, first.mailbox, uid, acts, ctx)) outcomes.set(id, o);
        } catch (err) {
          if (!(err instanceof ActionSkipped)) throw err;
          for (const a of acts) outcomes.set(a.id, { result: err.result, reason: err.message });
        }
      }
      return outcomes;
    } finally {
      lock.release();
    }
  } finally {
    await session.close();
  }
}

async function editOne(
  client: ImapFlow,
  mailbox: string,
  uid: number,
  actions: AttachmentAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const fp = actions[0].fingerprint;
  const fetched = await client.fetchOne(
    String(uid),
    { uid: true, source: true, flags: true, internalDate: true },
    { uid: true },
  );
  const msg = fetched || undefined;
  // The messages earlier, interrupted runs may have appended.
  const intended = new Set(
    ctx.execute
      ? actions
          .flatMap((a) => ctx.journal.unfinished(a.id))
          .filter((r) => r.phase === 'intent' && r.newSha256)
          .map((r) => r.newSha256!)
      : [],
  );
  if (!msg?.source) {
    // Gone: expunged by an earlier run after its APPEND (then the new message is there), or by someone else.
    if (intended.size && (await findBySha(client, intended)) !== undefined) {
      for (const a of actions)
        out.set(a.id, { result: 'done', reason: 'the attachment was edited by an earlier, interrupted run' });
      return out;
    }
    for (const a of actions)
      out.set(a.id, { result: 'stale', reason: 'the message is no longer in the mailbox' });
    return out;
  }
  const source = msg.source;
  if (fp.sha256 && sha256Of(source) !== fp.sha256)
    throw new ActionSkipped('stale', 'the message on the server differs from the scanned one');
  const edited = await editMessage(source, actions, ctx);
  for (const [id, o] of edited.outcomes) out.set(id, o);
  if (!edited.bytes || !ctx.execute) return out;
  const bytes = edited.bytes;
  const newSha256 = sha256Of(bytes);
  // An earlier run's APPEND (its message may differ from this one: the note carries the day) is not repeated.
  let newUid = intended.size ? await findBySha(client, intended) : undefined;
  if (newUid === undefined) {
    for (const id of edited.applied)
      await ctx.journal.write(id, 'intent', { newSha256, newSize: bytes.length });
    await ctx.hook('action:intent-written');
    const flags = [...(msg.flags ?? [])].filter((f) => f !== '\\Recent' && f !== '\\Deleted');
    const appended = await client.append(mailbox, bytes, flags, msg.internalDate);
    if (!appended)
      throw new ActionSkipped('refused', 'the server refused the APPEND of the rewritten message');
    newUid = appended.uid;
    await ctx.hook('imap:appended');
    for (const id of edited.applied)
      await ctx.journal.write(id, 'prepared', { newSha256, newSize: bytes.length, newUid });
  }
  const ok = await client.messageDelete(String(uid), { uid: true });
  const still = await client.search({ uid: String(uid) }, { uid: true });
  if (!ok || (still && still.length > 0)) {
    for (const id of edited.applied)
      out.set(id, {
        result: 'failed',
        reason: `the rewritten message was appended but UID ${uid} could not be expunged: remove it by hand`,
      });
    return out;
  }
  for (const id of edited.applied)
    out.set(id, {
      result: 'done',
      reason: `UID ${uid} replaced by UID ${newUid ?? '?'} with the attachment ${
        actions.find((a) => a.id === id)!.kind === 'redact-attachment' ? 'redacted' : 'removed'
      }`,
      after: { uid: newUid, size: bytes.length, sha256: newSha256 },
    });
  return out;
}

/** The UID of a message in the open mailbox whose bytes have one of these sha256 (an earlier run's APPEND). */
async function findBySha(client: ImapFlow, sha256s: Set<string>): Promise<number | undefined> {
  let found: number | undefined;
  const box = client.mailbox || undefined;
  if (!box?.exists) return undefined;
  for await (const m of client.fetch('1:*', { uid: true, source: true }))
    if (found === undefined && m.source && sha256s.has(sha256Of(m.source))) found = m.uid;
  return found;
}

import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { parseMessageUrl } from '../../crawl/imap/url.js';
import type { ExpungeImapMessageAction } from '../plan.js';
import { connectPlannedServer } from './imap-server.js';
import { type ActionContext, batchOutcomes, type Outcome } from './types.js';

/**
 * Expunges planned messages from one IMAP mailbox: the server must offer UIDPLUS (so that `UID EXPUNGE`
 * removes exactly these UIDs and not every message someone else flagged \Deleted), UIDVALIDITY must be
 * the planned one (UIDs are only meaningful within it), then `UID STORE +FLAGS (\Deleted)` and
 * `UID EXPUNGE` of exactly the planned UIDs. The password comes from `ctx.imapPassword` (see password.ts).
 */
export async function expungeImapMessages(
  actions: ExpungeImapMessageAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const { outcomes, settle: all } = batchOutcomes(actions);
  const first = actions[0];
  const url = parseMessageUrl(first.path);
  if (!url) return all({ result: 'refused', reason: 'not an imap:// message URL' });
  const server = await connectPlannedServer(url, ctx);
  if ('refused' in server) return all({ result: 'refused', reason: server.refused });
  const { session } = server;
  const { client } = session;
  try {
    const lock = await client.getMailboxLock(url.mailbox, { readOnly: !ctx.execute });
    try {
      const box = client.mailbox;
      if (!box || String(box.uidValidity) !== first.uidValidity)
        return all({
          result: 'stale',
          reason: `UIDVALIDITY of ${url.mailbox} changed since the scan; UIDs no longer match`,
        });
      // UID -> sha256 of the message as it is on the server now (checked when the plan recorded one).
      const present = new Map<number, string | undefined>();
      const uids = actions.map((a) => a.uid);
      const withHash = actions.some((a) => a.fingerprint.sha256);
      for await (const m of client.fetch(uids.join(','), { uid: true, source: withHash }, { uid: true }))
        present.set(m.uid, m.source ? createHash('sha256').update(m.source).digest('hex') : undefined);
      const remove: ExpungeImapMessageAction[] = [];
      for (const a of actions) {
        if (a.uidValidity !== first.uidValidity)
          outcomes.set(a.id, { result: 'refused', reason: 'mixed UIDVALIDITY' });
        else if (present.has(a.uid) && a.fingerprint.sha256 && present.get(a.uid) !== a.fingerprint.sha256)
          outcomes.set(a.id, {
            result: 'stale',
            reason: 'the message on the server differs from the scanned one',
          });
        else if (present.has(a.uid)) remove.push(a);
        else if (ctx.execute && ctx.journal.unfinished(a.id).some((r) => r.phase === 'intent'))
          outcomes.set(a.id, {
            result: 'done',
            reason: 'expunged by an earlier, interrupted run',
            after: null,
          });
        else outcomes.set(a.id, { result: 'stale', reason: 'the message is no longer in the mailbox' });
      }
      if (!remove.length) return outcomes;
      if (!ctx.execute) {
        for (const a of remove) outcomes.set(a.id, { result: 'would', reason: `would expunge UID ${a.uid}` });
        return outcomes;
      }
      const before = await allUids(client);
      for (const a of remove) await ctx.journal.write(a.id, 'intent');
      await ctx.hook('action:intent-written');
      const range = remove.map((a) => a.uid).join(',');
      const ok = await client.messageDelete(range, { uid: true });
      if (!ok) return all({ result: 'failed', reason: 'the server refused UID STORE/UID EXPUNGE' });
      const after = await allUids(client);
      const gone = new Set(remove.map((a) => a.uid));
      const lostOthers = [...before].filter((u) => !gone.has(u) && !after.has(u));
      for (const a of remove) {
        if (after.has(a.uid))
          outcomes.set(a.id, { result: 'failed', reason: `UID ${a.uid} is still in the mailbox` });
        else if (lostOthers.length)
          outcomes.set(a.id, {
            result: 'failed',
            reason: `${lostOthers.length} other message(s) vanished meanwhile (another client?)`,
          });
        else outcomes.set(a.id, { result: 'done', reason: `expunged UID ${a.uid}`, after: null });
      }
      return outcomes;
    } finally {
      lock.release();
    }
  } finally {
    await session.close();
  }
}

async function allUids(client: ImapFlow): Promise<Set<number>> {
  const found = await client.search({ all: true }, { uid: true });
  return new Set(found || []);
}

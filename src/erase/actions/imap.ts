import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { ExpungeImapMessageAction } from '../plan.js';
import { parseImapUrl } from '../plan.js';
import { testHook } from '../test-hooks.js';
import { type ActionContext, batchOutcomes, type Outcome } from './types.js';

/**
 * Expunges planned messages from one IMAP mailbox: the server must offer UIDPLUS (so that `UID EXPUNGE`
 * removes exactly these UIDs and not every message someone else flagged \Deleted), UIDVALIDITY must be
 * the planned one (UIDs are only meaningful within it), then `UID STORE +FLAGS (\Deleted)` and
 * `UID EXPUNGE` of exactly the planned UIDs. The password comes from DSR_IMAP_PASSWORD.
 */
export async function expungeImapMessages(
  actions: ExpungeImapMessageAction[],
  ctx: ActionContext,
): Promise<Map<string, Outcome>> {
  const { outcomes, settle: all } = batchOutcomes(actions);
  const first = actions[0];
  const url = parseImapUrl(first.path);
  if (!url) return all({ result: 'refused', reason: 'not an imap:// message URL' });
  const server = new URL(url.server);
  const inRoots = ctx.plan.roots.some((r) => {
    try {
      const u = new URL(r);
      return u.protocol === server.protocol && u.host === server.host && u.username === server.username;
    } catch {
      return false;
    }
  });
  if (!inRoots)
    return all({ result: 'refused', reason: "outside the plan's roots (not a scanned IMAP server)" });
  const password = process.env.DSR_IMAP_PASSWORD;
  if (!password)
    return all({ result: 'refused', reason: 'set DSR_IMAP_PASSWORD to log in to the IMAP server' });
  const client = new ImapFlow({
    host: server.hostname,
    port: Number(server.port) || (server.protocol === 'imaps:' ? 993 : 143),
    secure: server.protocol === 'imaps:',
    auth: { user: decodeURIComponent(server.username), pass: password },
    logger: false,
  });
  try {
    await client.connect();
  } catch (err) {
    return all({ result: 'refused', reason: `cannot log in to ${server.host} (${(err as Error).message})` });
  }
  try {
    if (!client.capabilities.has('UIDPLUS'))
      return all({
        result: 'refused',
        reason:
          'the server lacks UIDPLUS: a plain EXPUNGE could remove messages other people flagged \\Deleted',
      });
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
      await testHook('action:intent-written');
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
    await client.logout().catch(() => {});
  }
}

async function allUids(client: ImapFlow): Promise<Set<number>> {
  const found = await client.search({ all: true }, { uid: true });
  return new Set(found || []);
}

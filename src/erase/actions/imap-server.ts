import { connectImap, describeConnectError, type ImapSession } from '../../crawl/imap/connect.js';
import { NO_PASSWORD_HINT } from '../../crawl/imap/password.js';
import { type ImapMessageRef, parseImapUrl, sameServer } from '../../crawl/imap/url.js';
import type { ActionContext } from './types.js';

/**
 * The server of a planned IMAP action, connected, or why not: it must be one of the plan's roots (a
 * scanned server), have a password, answer, and offer UIDPLUS — without it imapflow falls back to a
 * plain EXPUNGE that removes every message anyone flagged \Deleted.
 */
export async function connectPlannedServer(
  url: ImapMessageRef,
  ctx: ActionContext,
): Promise<{ session: ImapSession } | { refused: string }> {
  const inRoots = ctx.plan.roots.some((r) => {
    try {
      return sameServer(parseImapUrl(r), url);
    } catch {
      return false;
    }
  });
  if (!inRoots) return { refused: "outside the plan's roots (not a scanned IMAP server)" };
  const password = await ctx.imapPassword(url);
  if (password === undefined) return { refused: `no password for the IMAP server: ${NO_PASSWORD_HINT}` };
  let session: ImapSession;
  try {
    session = await connectImap(url, password);
  } catch (err) {
    return { refused: describeConnectError(url, err).message };
  }
  if (!session.client.capabilities.has('UIDPLUS')) {
    await session.close();
    return {
      refused:
        'the server lacks UIDPLUS: a plain EXPUNGE could remove messages other people flagged \\Deleted',
    };
  }
  return { session };
}

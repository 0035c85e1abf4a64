import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { UsageError } from '../../core/errors.js';
import type { ItemInput, ScanError } from '../../core/types.js';
import type { ItemSource } from '../item-source.js';
import { connectImap, describeConnectError, type ImapSession } from './connect.js';
import { type ImapPasswordSource, NO_PASSWORD_HINT } from './password.js';
import { type ImapServer, mailboxUrl, messageUrl, parseImapUrl, serverUrl } from './url.js';

/** What `dsr scan imap://…` reads: one mailbox, or every selectable mailbox when undefined. */
interface ImapTarget extends ImapServer {
  mailbox?: string;
}

/** Messages fetched per round trip, and the most bytes held per batch. */
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 32 * 1024 * 1024;

export interface ImapSourceOptions {
  /** Where the password comes from (see password.ts). */
  password: ImapPasswordSource;
  /** Largest message fetched; larger ones are an error entry of kind `limit`. */
  maxMessageBytes: number;
  /**
   * How long the server may stay silent (a connection, a greeting, an answer) before it is given up:
   * the scan's `--timeout`.
   */
  timeoutMs: number;
}

/** How long a reconnection keeps trying while the server refuses connections (it may be restarting). */
const RECONNECT_WINDOW_MS = 5_000;
const RECONNECT_PAUSE_MS = 500;

/**
 * The messages under an `imap://` or `imaps://` root (see url.ts). Connects and logs in now: a wrong
 * password is a usage error before the scan starts. Parameters after the mailbox (`;UIDVALIDITY=…`)
 * are ignored: the whole mailbox is scanned.
 */
export async function createImapSource(root: string, opts: ImapSourceOptions): Promise<ItemSource> {
  const { secure, user, host, port, mailbox } = parseImapUrl(root);
  const target: ImapTarget = { secure, user, host, port, mailbox };
  const password = await opts.password(target);
  if (password === undefined) throw new UsageError(`${serverUrl(target)}: no password`, NO_PASSWORD_HINT);
  const { timeoutMs } = opts;
  const connect = () => connectImap(target, password, { timeoutMs });
  let first: ImapSession;
  try {
    first = await connect();
  } catch (err) {
    const e = describeConnectError(target, err);
    throw new UsageError(
      e.message,
      e.authenticationFailed ? 'check the user in the URL and DSR_IMAP_PASSWORD' : undefined,
    );
  }
  const root0 = mailboxUrl(target, target.mailbox);
  const maxBytes = opts.maxMessageBytes;
  return {
    root: root0,
    items: (signal, report) =>
      fetchItems({ first, connect, target, root: root0, maxBytes, timeoutMs, signal, report }),
  };
}

interface FetchJob {
  first: ImapSession;
  connect: () => Promise<ImapSession>;
  target: ImapTarget;
  root: string;
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  report: (e: ScanError) => void;
}

/** The connection went away (closed, reset, or silent past the time limit) while a mailbox was read. */
class ConnectionLost extends Error {
  constructor(
    readonly timedOut: boolean,
    why: string,
  ) {
    super(why);
  }
}

/**
 * Every message of every mailbox asked for. A connection lost mid-scan (the server closed it, died,
 * or stayed silent past the time limit) is reconnected once per scan, and the mailbox resumed after
 * the last UID read, so that every message is read exactly once. When that fails too, each mailbox not
 * finished becomes an error entry saying how many of its messages were not read: never a silent end.
 */
async function* fetchItems(job: FetchJob): AsyncGenerator<ItemInput> {
  const { target, root, signal, report } = job;
  let session: ImapSession | undefined = job.first;
  let reconnected = false;
  /** The messages of each mailbox already handed on, by UIDVALIDITY: a resumed mailbox skips them. */
  const done = new Map<string, { uidValidity: string; uids: Set<number>; total?: number }>();
  let mailboxes: string[] | undefined = target.mailbox ? [target.mailbox] : undefined;
  let current = 0;
  try {
    for (;;) {
      try {
        if (!mailboxes) mailboxes = await listMailboxes(session);
        for (; current < mailboxes.length; current++) {
          if (signal.aborted) return;
          yield* mailboxItems(session, job, mailboxes[current], done);
        }
        return;
      } catch (err) {
        if (!(err instanceof ConnectionLost)) throw err;
        closeQuietly(session);
        session = undefined;
        if (!reconnected && !signal.aborted) {
          reconnected = true;
          session = await reconnect(job).catch(() => undefined);
          if (session) continue;
        }
        reportUnread(job, mailboxes, current, done, err);
        return;
      }
    }
  } catch (err) {
    report({
      path: root,
      itemPath: [],
      kind: 'permission',
      message: `IMAP session failed: ${(session?.lastError() ?? (err as Error)).message}`,
    });
  } finally {
    await session?.close();
  }
}

async function listMailboxes(session: ImapSession): Promise<string[]> {
  const list = await guard(session, () => session.client.list());
  return list.filter((b) => !b.flags.has('\\Noselect') && !b.flags.has('\\NonExistent')).map((b) => b.path);
}

/** Connects again, retrying refused connections for a while: a server being restarted comes back. */
async function reconnect(job: FetchJob): Promise<ImapSession> {
  const until = Date.now() + RECONNECT_WINDOW_MS;
  for (;;) {
    try {
      return await job.connect();
    } catch (err) {
      const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      if (!refused || Date.now() >= until || job.signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, RECONNECT_PAUSE_MS));
    }
  }
}

/** Error entries for the mailboxes not finished when the connection was lost for good. */
function reportUnread(
  job: FetchJob,
  mailboxes: string[] | undefined,
  current: number,
  done: Map<string, { uidValidity: string; uids: Set<number>; total?: number }>,
  lost: ConnectionLost,
): void {
  const { target, report } = job;
  const why = lost.timedOut
    ? `server did not answer for ${Math.round(job.timeoutMs / 1000)} s`
    : 'connection lost';
  const kind = lost.timedOut ? 'timeout' : 'connection';
  if (!mailboxes) {
    report({
      path: job.root,
      itemPath: [],
      kind,
      message: `${why} before the mailboxes were listed (${lost.message}); none read`,
    });
    return;
  }
  for (const mailbox of mailboxes.slice(current)) {
    const box = done.get(mailbox);
    const path = mailboxUrl(target, mailbox);
    const message =
      box?.total !== undefined
        ? `${why}: ${box.total - box.uids.size} of ${box.total} messages in ${mailbox} not read (${lost.message}; reconnecting once did not help)`
        : `${why}: mailbox ${mailbox} not read (${lost.message}; reconnecting once did not help)`;
    report({ path, itemPath: [], kind, message });
  }
}

/**
 * Runs one IMAP step and turns a lost connection into ConnectionLost. imapflow ends a FETCH early and
 * without an error when the socket closes, and answers later commands with nothing, so the client's
 * state is checked after each step, not only its exceptions.
 */
async function guard<T>(session: ImapSession, step: () => Promise<T>): Promise<T> {
  try {
    const result = await step();
    if (!session.client.usable) throw lostOf(session, undefined);
    return result;
  } catch (err) {
    if (err instanceof ConnectionLost) throw err;
    if (!session.client.usable || isConnectionError(err)) throw lostOf(session, err);
    throw err;
  }
}

function lostOf(session: ImapSession, err: unknown): ConnectionLost {
  const cause = (session.lastError() ?? err) as (Error & { code?: string }) | undefined;
  const timedOut = cause?.code === 'ETIMEOUT' || cause?.code === 'ETIMEDOUT';
  const why = cause?.message ? cause.message : 'the server closed the connection';
  return new ConnectionLost(timedOut, why);
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  return /^(NoConnection|StateLogout|EConnectionClosed|ETIMEOUT|ETIMEDOUT|ECONNRESET|EPIPE|ECONNREFUSED|ClosedAfterConnectText|ClosedAfterConnectTLS)$/.test(
    code,
  );
}

/**
 * A FETCH that answered for fewer messages than asked: either they were expunged meanwhile, or the
 * server said BYE (a stopping Dovecot does) and imapflow ended the FETCH quietly before it noticed the
 * connection closing. Only the server can tell which: the UIDs it still lists must all have come back,
 * else the connection is treated as lost and the mailbox resumed or reported, never passed as read.
 */
async function confirmGone(
  session: ImapSession,
  asked: number[] | undefined,
  answered: Set<number>,
): Promise<void> {
  const search = asked ? { uid: asked.join(',') } : { all: true };
  const listed = await guard(session, () => session.client.search(search, { uid: true }));
  const missing = listed ? listed.filter((uid) => !answered.has(uid)).length : -1;
  if (missing === 0) return;
  throw lostOf(
    session,
    new Error(
      missing < 0
        ? `the server stopped answering after ${answered.size} messages`
        : `the server still holds ${missing} messages it did not send`,
    ),
  );
}

function closeQuietly(session: ImapSession | undefined): void {
  try {
    session?.client.close();
  } catch {
    // Already closed.
  }
}

async function* mailboxItems(
  session: ImapSession,
  job: FetchJob,
  mailbox: string,
  done: Map<string, { uidValidity: string; uids: Set<number>; total?: number }>,
): AsyncGenerator<ItemInput> {
  const { client } = session;
  const { target, maxBytes, signal } = job;
  const fail = (path: string, kind: ScanError['kind'], message: string) =>
    job.report({ path, itemPath: [], kind, message });
  const boxUrl = mailboxUrl(target, mailbox);
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    // EXAMINE: the mailbox is opened read-only, so no flag (\Seen included) can change.
    lock = await guard(session, () => client.getMailboxLock(mailbox, { readOnly: true }));
  } catch (err) {
    if (err instanceof ConnectionLost) throw err;
    fail(boxUrl, 'permission', `cannot open mailbox read-only: ${(err as Error).message}`);
    return;
  }
  try {
    const box = client.mailbox;
    if (!box) throw lostOf(session, undefined);
    const uidValidity = String(box.uidValidity);
    let seen = done.get(mailbox);
    if (seen && seen.uidValidity !== uidValidity) {
      // The mailbox was recreated while dsr was away: its UIDs name other messages now.
      fail(
        boxUrl,
        'connection',
        `UIDVALIDITY changed from ${seen.uidValidity} to ${uidValidity} after reconnecting; the mailbox is read again in full`,
      );
      seen = undefined;
    }
    if (!seen) {
      // The count SELECT gave: what is not read if the connection is lost before the UIDs are listed.
      seen = { uidValidity, uids: new Set(), total: box.exists };
      done.set(mailbox, seen);
    }
    const sizes = new Map<number, number>();
    if (box.exists > 0) {
      await guard(session, async () => {
        for await (const m of client.fetch('1:*', { uid: true, size: true }, { uid: false })) {
          sizes.set(m.uid, m.size ?? 0);
        }
      });
      if (sizes.size < box.exists) await confirmGone(session, undefined, new Set(sizes.keys()));
    }
    // On a resumed mailbox the count stays the one first listed; messages added since come on top.
    seen.total = Math.max(
      seen.total ?? 0,
      seen.uids.size + [...sizes.keys()].filter((u) => !seen.uids.has(u)).length,
    );
    const batches: number[][] = [];
    let batch: number[] = [];
    let bytes = 0;
    for (const [uid, size] of [...sizes].sort((a, b) => a[0] - b[0])) {
      if (seen.uids.has(uid)) continue;
      if (size > maxBytes) {
        seen.uids.add(uid);
        fail(
          messageUrl(target, mailbox, uidValidity, uid),
          'limit',
          `message of ${size} bytes is larger than ${maxBytes} bytes; not fetched`,
        );
        continue;
      }
      if (batch.length && (batch.length >= BATCH_MESSAGES || bytes + size > BATCH_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(uid);
      bytes += size;
    }
    if (batch.length) batches.push(batch);

    for (const uids of batches) {
      if (signal.aborted) return;
      const fetched: ItemInput[] = [];
      const returned = new Set<number>();
      await guard(session, async () => {
        for await (const m of client.fetch(
          uids.join(','),
          { uid: true, source: true, size: true },
          { uid: true },
        )) {
          returned.add(m.uid);
          if (!m.source || seen.uids.has(m.uid)) continue;
          fetched.push(messageItem(target, mailbox, uidValidity, m.uid, m.source, m.modseq));
        }
      });
      if (returned.size < uids.length) await confirmGone(session, uids, returned);
      // Handed on only once the whole batch arrived: a batch cut short is fetched again after reconnecting.
      for (const item of fetched) seen.uids.add(item.fingerprint!.uid as number);
      // A UID asked for but not returned was expunged meanwhile (confirmGone): gone, not unread.
      for (const uid of uids) seen.uids.add(uid);
      yield* fetched;
    }
  } catch (err) {
    if (err instanceof ConnectionLost) throw err;
    fail(boxUrl, 'permission', `fetching messages failed: ${(err as Error).message}`);
  } finally {
    lock.release();
  }
}

function messageItem(
  target: ImapTarget,
  mailbox: string,
  uidValidity: string,
  uid: number,
  source: Buffer,
  modseqValue: bigint | number | undefined,
): ItemInput {
  const data = new Uint8Array(source.buffer, source.byteOffset, source.length);
  const modseq = modseqValue !== undefined ? String(modseqValue) : undefined;
  const fingerprint = {
    uidValidity,
    uid,
    ...(modseq ? { modseq } : {}),
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
  return {
    ref: { path: messageUrl(target, mailbox, uidValidity, uid), itemPath: [] },
    name: 'message.eml',
    source: { kind: 'buffer', data },
    depth: 0,
    contentType: 'message/rfc822',
    fingerprint: { uidValidity, uid, ...(modseq ? { modseq } : {}), size: data.length },
    message: { kind: 'imap', itemPath: [], fingerprint },
  };
}

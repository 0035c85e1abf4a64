import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { UsageError } from '../core/errors.js';
import type { ItemInput, ScanError } from '../core/types.js';
import { DEFAULT_LIMITS } from '../engine/limits.js';
import type { ItemSource } from '../engine/scan.js';
import { readSecret } from './imap-password.js';

export interface ImapTarget {
  secure: boolean;
  user: string;
  host: string;
  port: number;
  /** One mailbox, or every selectable mailbox when undefined. */
  mailbox?: string;
}

/** Messages fetched per round trip, and the most bytes held per batch. */
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 32 * 1024 * 1024;

export function isImapUrl(root: string): boolean {
  return /^imaps?:\/\//i.test(root);
}

/**
 * `imap://user@host[:port]/[MAILBOX]` or `imaps://…`. A password in the URL is refused: it would end
 * up in shell history, the scan file's roots and every item path.
 */
export function parseImapUrl(root: string): ImapTarget {
  let url: URL;
  try {
    url = new URL(root);
  } catch {
    throw new UsageError(`${maskUrl(root)}: not a valid IMAP URL`, 'use imap://user@host:port/MAILBOX');
  }
  if (url.password) {
    throw new UsageError(
      `${maskUrl(root)}: a password in the URL is refused`,
      'remove it from the URL; dsr reads it from DSR_IMAP_PASSWORD or asks for it on a terminal',
    );
  }
  const secure = url.protocol.toLowerCase() === 'imaps:';
  const user = decodeURIComponent(url.username);
  if (!user) throw new UsageError(`${root}: no user name`, 'use imap://user@host:port/MAILBOX');
  if (!url.hostname) throw new UsageError(`${root}: no host`, 'use imap://user@host:port/MAILBOX');
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  // RFC 5092 parameters (;UIDVALIDITY=…) after the mailbox name are ignored: the whole mailbox is scanned.
  const path = url.pathname.replace(/^\//, '').split(';')[0].replace(/\/$/, '');
  const mailbox = path ? decodeURIComponent(path) : undefined;
  return { secure, user, host: url.hostname.replace(/^\[|\]$/g, ''), port, mailbox };
}

/** The URL with any password replaced by `***`, for messages. */
export function maskUrl(root: string): string {
  return root.replace(/^(imaps?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

function serverUrl(t: ImapTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.secure ? 'imaps' : 'imap'}://${encodeURIComponent(t.user)}@${host}:${t.port}`;
}

/** RFC 5092 enc-mailbox: percent-encoded UTF-8, hierarchy `/` kept. */
function encodeMailbox(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** `imap://user@host:port/MAILBOX;UIDVALIDITY=v/;UID=n` — one message, as PRODUCT.md names it. */
export function messageUrl(t: ImapTarget, mailbox: string, uidValidity: string, uid: number): string {
  return `${serverUrl(t)}/${encodeMailbox(mailbox)};UIDVALIDITY=${uidValidity}/;UID=${uid}`;
}

export interface ImapSourceOptions {
  password?: string;
  /** Largest message fetched; larger ones are an error entry of kind `limit`. */
  maxMessageBytes?: number;
}

/** Connects and logs in now (a wrong password is a usage error before the scan starts). */
export async function createImapSource(root: string, opts: ImapSourceOptions = {}): Promise<ItemSource> {
  const target = parseImapUrl(root);
  const password = opts.password ?? (await passwordFor(target));
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: { user: target.user, pass: password },
    logger: false,
    disableAutoIdle: true,
    // No client-side compression or ID chatter is needed; keep the session minimal.
    clientInfo: { name: 'dsr' },
  });
  // A dropped connection must become an error entry, not an unhandled 'error' event.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; message?: string };
    throw new UsageError(
      `${serverUrl(target)}: ${e.authenticationFailed ? 'login failed (wrong user or password)' : `cannot connect: ${e.message ?? err}`}`,
      e.authenticationFailed ? 'check the user in the URL and DSR_IMAP_PASSWORD' : undefined,
    );
  }
  const root0 = `${serverUrl(target)}/${target.mailbox ? encodeMailbox(target.mailbox) : ''}`;
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_LIMITS.maxExtractBytes;
  return {
    root: root0,
    items: (signal, report) => fetchItems(client, target, root0, maxBytes, signal, report, () => lastError),
  };
}

async function passwordFor(target: ImapTarget): Promise<string> {
  const env = process.env.DSR_IMAP_PASSWORD;
  if (env !== undefined && env !== '') return env;
  if (process.stdin.isTTY && process.stderr.isTTY) {
    return readSecret(`Password for ${serverUrl(target)}: `);
  }
  throw new UsageError(
    `${serverUrl(target)}: no password`,
    'set DSR_IMAP_PASSWORD, or run dsr on a terminal to be asked for it',
  );
}

async function* fetchItems(
  client: ImapFlow,
  target: ImapTarget,
  root: string,
  maxBytes: number,
  signal: AbortSignal,
  report: (e: ScanError) => void,
  lastError: () => Error | undefined,
): AsyncGenerator<ItemInput> {
  const fail = (path: string, kind: ScanError['kind'], message: string) =>
    report({ path, itemPath: [], kind, message });
  try {
    let mailboxes: string[];
    if (target.mailbox) mailboxes = [target.mailbox];
    else {
      const list = await client.list();
      mailboxes = list
        .filter((b) => !b.flags.has('\\Noselect') && !b.flags.has('\\NonExistent'))
        .map((b) => b.path);
    }
    for (const mailbox of mailboxes) {
      if (signal.aborted) return;
      yield* mailboxItems(client, target, mailbox, maxBytes, signal, fail);
    }
  } catch (err) {
    fail(root, 'permission', `IMAP session failed: ${(lastError() ?? (err as Error)).message}`);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function* mailboxItems(
  client: ImapFlow,
  target: ImapTarget,
  mailbox: string,
  maxBytes: number,
  signal: AbortSignal,
  fail: (path: string, kind: ScanError['kind'], message: string) => void,
): AsyncGenerator<ItemInput> {
  const boxUrl = `${serverUrl(target)}/${encodeMailbox(mailbox)}`;
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    // EXAMINE: the mailbox is opened read-only, so no flag (\Seen included) can change.
    lock = await client.getMailboxLock(mailbox, { readOnly: true });
  } catch (err) {
    fail(boxUrl, 'permission', `cannot open mailbox read-only: ${(err as Error).message}`);
    return;
  }
  try {
    const box = client.mailbox;
    if (!box) return;
    const uidValidity = String(box.uidValidity);
    const sizes = new Map<number, number>();
    if (box.exists > 0) {
      for await (const m of client.fetch('1:*', { uid: true, size: true }, { uid: false })) {
        sizes.set(m.uid, m.size ?? 0);
      }
    }
    const batches: number[][] = [];
    let batch: number[] = [];
    let bytes = 0;
    for (const [uid, size] of [...sizes].sort((a, b) => a[0] - b[0])) {
      if (size > maxBytes) {
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
      for await (const m of client.fetch(
        uids.join(','),
        { uid: true, source: true, size: true },
        { uid: true },
      )) {
        if (!m.source) continue;
        const data = new Uint8Array(m.source.buffer, m.source.byteOffset, m.source.length);
        const modseq = m.modseq !== undefined ? String(m.modseq) : undefined;
        const fingerprint = {
          uidValidity,
          uid: m.uid,
          ...(modseq ? { modseq } : {}),
          size: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
        };
        fetched.push({
          ref: { path: messageUrl(target, mailbox, uidValidity, m.uid), itemPath: [] },
          name: 'message.eml',
          source: { kind: 'buffer', data },
          depth: 0,
          contentType: 'message/rfc822',
          fingerprint: { uidValidity, uid: m.uid, ...(modseq ? { modseq } : {}), size: data.length },
          message: { kind: 'imap', itemPath: [], fingerprint },
        });
      }
      yield* fetched;
    }
  } catch (err) {
    fail(boxUrl, 'permission', `fetching messages failed: ${(err as Error).message}`);
  } finally {
    lock.release();
  }
}

/** The `remoteSources` entry for `dsr scan imap://…`. */
export const imapRemoteSource = {
  test: isImapUrl,
  create: (root: string) => createImapSource(root),
};

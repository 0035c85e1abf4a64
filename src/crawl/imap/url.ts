import { UsageError } from '../../core/errors.js';

/**
 * IMAP URLs in the style of RFC 5092, the one form dsr reads and writes:
 *
 * - a server, `imap://user@host[:port]` or `imaps://…` (TLS; port 993, else 143);
 * - a mailbox, `imap://user@host:port/MAILBOX` (percent-encoded UTF-8, `/` as hierarchy separator);
 * - one message, `imap://user@host:port/MAILBOX;UIDVALIDITY=v/;UID=n` (a scan file's item path).
 *
 * A password in the URL is refused: it would end up in shell history, the scan file's roots and every
 * item path (dsr takes it from the environment or a prompt: see password.ts).
 */

/** An IMAP account on a server. */
export interface ImapServer {
  /** `imaps://`: TLS from the first byte (see connect.ts for the TLS rule). */
  secure: boolean;
  user: string;
  host: string;
  port: number;
}

/** A parsed IMAP URL: a server, perhaps a mailbox in it, perhaps one message in that mailbox. */
export interface ImapUrl extends ImapServer {
  /** One mailbox, or every selectable mailbox when undefined. */
  mailbox?: string;
  /** With `uid`: the message's mailbox's UIDVALIDITY (decimal, as the server gave it). */
  uidValidity?: string;
  uid?: number;
}

/** One message: its server, mailbox, UIDVALIDITY and UID. */
export interface ImapMessageRef extends ImapServer {
  mailbox: string;
  uidValidity: string;
  uid: number;
}

const FORM = 'imap://user@host:port/MAILBOX';

export function isImapUrl(text: string): boolean {
  return /^imaps?:\/\//i.test(text);
}

/**
 * Parses any of the three forms (see the top of this module). A URL that is not one of them is a
 * UsageError that names it with any password masked.
 */
export function parseImapUrl(text: string): ImapUrl {
  const bad = (why: string, hint = `use ${FORM}`) => new UsageError(`${maskUrl(text)}: ${why}`, hint);
  if (!isImapUrl(text)) throw bad('not an IMAP URL (imap:// or imaps://)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a valid IMAP URL');
  }
  if (url.password)
    throw bad(
      'a password in the URL is refused',
      'remove it from the URL; dsr reads it from DSR_IMAP_PASSWORD or asks for it on a terminal',
    );
  if (url.search || url.hash) throw bad('an IMAP URL has no ?query or #fragment');
  const secure = url.protocol.toLowerCase() === 'imaps:';
  const user = decode(url.username);
  if (!user) throw bad('no user name');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) throw bad('no host');
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  const parsed: ImapUrl = { secure, user, host, port };
  const path = url.pathname.replace(/^\//, '');
  const semi = path.indexOf(';');
  const box = (semi < 0 ? path : path.slice(0, semi)).replace(/\/$/, '');
  if (box) {
    const mailbox = decode(box);
    if (mailbox === undefined) throw bad('the mailbox name is not valid percent-encoded UTF-8');
    parsed.mailbox = mailbox;
  }
  if (semi >= 0) {
    const m = /^;UIDVALIDITY=(\d+)(?:\/;UID=(\d+))?\/?$/i.exec(path.slice(semi));
    if (!m || !box)
      throw bad('only ;UIDVALIDITY=v/;UID=n may follow the mailbox', `use ${FORM};UIDVALIDITY=v/;UID=n`);
    parsed.uidValidity = String(BigInt(m[1]));
    if (m[2] !== undefined) parsed.uid = Number(m[2]);
  }
  return parsed;
}

/** The message a URL names, or undefined for a URL that names no single message (or is not an IMAP URL). */
export function parseMessageUrl(text: string): ImapMessageRef | undefined {
  let u: ImapUrl;
  try {
    u = parseImapUrl(text);
  } catch {
    return undefined;
  }
  if (u.mailbox === undefined || u.uidValidity === undefined || u.uid === undefined) return undefined;
  return { ...u, mailbox: u.mailbox, uidValidity: u.uidValidity, uid: u.uid };
}

/** `imap://user@host:port`: the server part, always with its port. */
export function serverUrl(s: ImapServer): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${s.secure ? 'imaps' : 'imap'}://${encodeURIComponent(s.user)}@${host}:${s.port}`;
}

/** `imap://user@host:port/MAILBOX`; the server's URL with a trailing `/` for every mailbox. */
export function mailboxUrl(s: ImapServer, mailbox: string | undefined): string {
  return `${serverUrl(s)}/${mailbox ? encodeMailbox(mailbox) : ''}`;
}

/** `imap://user@host:port/MAILBOX;UIDVALIDITY=v/;UID=n`: one message, as scan files name it. */
export function messageUrl(s: ImapServer, mailbox: string, uidValidity: string, uid: number): string {
  return `${serverUrl(s)}/${encodeMailbox(mailbox)};UIDVALIDITY=${uidValidity}/;UID=${uid}`;
}

/** True when both name the same account on the same server (TLS or not, user, host, port). */
export function sameServer(a: ImapServer, b: ImapServer): boolean {
  return a.secure === b.secure && a.user === b.user && a.host === b.host && a.port === b.port;
}

/** The URL with any password replaced by `***`, for messages. */
export function maskUrl(text: string): string {
  return text.replace(/^(imaps?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** RFC 5092 enc-mailbox: percent-encoded UTF-8, hierarchy `/` kept. */
function encodeMailbox(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

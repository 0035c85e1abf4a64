import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { sha256Hex } from '../core/ids.js';
import type { Limits } from '../core/limits.js';
import { fsPath } from '../core/raw-path.js';
import type { ItemInput } from '../core/types.js';
import { NO_PASSWORD_HINT } from '../crawl/imap/password.js';
import { isImapUrl, parseMessageUrl } from '../crawl/imap/url.js';
import { locateIn, readItemBytes } from '../engine/locate.js';
import type { ReportItem } from '../report/access/model.js';
import { type ImapFetcher, ImapMessageError } from './imap.js';

/** An item's bytes as they are now, and how they differ from what the scan saw. */
export interface Copy {
  /** File name of the copy (without folder). */
  name: string;
  pieces: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Bytes of the copy as it would be written raw. */
  size: number;
  /** A whole file on disk: where it is (its bytes are read from there, and may be too many to hold). */
  file?: string;
  mtime?: Date;
  /** sha256 of the item's bytes as found now (for an mbox message: with its separator line). */
  sourceSha256: string;
  /** Why the item no longer matches its scan fingerprint; null when it does. */
  changed: string | null;
}

/** What finds an item again: where it is, its format and its fingerprint in the scan. */
export type CopyTarget = Pick<ReportItem, 'path' | 'itemPath' | 'format' | 'fingerprint'>;

export type NotCopied = { reason: 'changed' | 'missing' | 'unreadable' | 'imap'; message: string };

export interface CopyContext {
  limits: Limits;
  /** Undefined when no IMAP password is available: IMAP items are then listed as not exported. */
  imap?: ImapFetcher;
}

/** Finds the item again and checks it against the scan's fingerprint. Never throws for a bad item. */
export async function copyOf(item: CopyTarget, ctx: CopyContext): Promise<Copy | NotCopied> {
  try {
    if (isImapUrl(item.path)) return await imapCopy(item, ctx);
    if (item.itemPath.length === 0) return await fileCopy(item);
    return await nestedCopy(item, ctx);
  } catch (err) {
    if (err instanceof ImapMessageError) return { reason: err.reason, message: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { reason: 'missing', message: 'the file no longer exists' };
    return { reason: 'unreadable', message: errorMessage(err) };
  }
}

async function fileCopy(item: CopyTarget): Promise<Copy> {
  const path = item.path;
  const info = await stat(fsPath(path));
  const hash = createHash('sha256');
  for await (const piece of createReadStream(fsPath(path))) hash.update(piece as Buffer);
  const fp = item.fingerprint;
  const diffs: string[] = [];
  if (fp.size !== undefined && fp.size !== info.size) diffs.push(`size ${fp.size} -> ${info.size} bytes`);
  if (fp.mtimeMs !== undefined && Math.abs(fp.mtimeMs - info.mtimeMs) > 1)
    diffs.push(`modified ${new Date(info.mtimeMs).toISOString()}`);
  const sourceSha256 = hash.digest('hex');
  if (fp.sha256 && fp.sha256 !== sourceSha256) diffs.push('content differs (sha256)');
  // A message stored as a file of its own (Maildir, .eml) goes out as .eml, whatever its file name.
  const isMessage = item.format === 'eml' || item.format === 'maildir';
  const name = isMessage && !/\.eml$/i.test(path) ? `${basename(path)}.eml` : basename(path);
  return {
    name,
    sourceSha256,
    pieces: () => createReadStream(fsPath(path)) as AsyncIterable<Buffer>,
    size: info.size,
    file: path,
    mtime: info.mtime,
    changed: diffs.length ? diffs.join(', ') : null,
  };
}

async function nestedCopy(item: CopyTarget, ctx: CopyContext): Promise<Copy | NotCopied> {
  const fast = await mboxRange(item);
  const located = fast
    ? { bytes: fast, name: '' }
    : await readItemBytes(item.path, item.itemPath, ctx.limits);
  if (!located)
    return {
      reason: 'missing',
      message: `${item.itemPath.join(' > ')} is no longer in ${basename(item.path)}`,
    };
  return bufferCopy(item, located.bytes, located.name);
}

/**
 * An mbox message is exported as the bytes at its offset and length, when they still hash to the
 * fingerprint: no need to parse the mailbox again.
 */
async function mboxRange(item: CopyTarget): Promise<Buffer | undefined> {
  const fp = item.fingerprint;
  if (item.format !== 'mbox' && !item.itemPath.at(-1)?.startsWith('message')) return undefined;
  if (fp.offset === undefined || fp.length === undefined || !fp.sha256) return undefined;
  const fh = await open(fsPath(item.path), 'r');
  try {
    const buf = Buffer.alloc(fp.length);
    const { bytesRead } = await fh.read(buf, 0, fp.length, fp.offset);
    const bytes = buf.subarray(0, bytesRead);
    return sha256Hex(bytes) === fp.sha256 ? bytes : undefined;
  } finally {
    await fh.close();
  }
}

async function imapCopy(item: CopyTarget, ctx: CopyContext): Promise<Copy | NotCopied> {
  const ref = parseMessageUrl(item.path);
  if (!ref) return { reason: 'unreadable', message: 'not an IMAP message URL' };
  if (!ctx.imap)
    return {
      reason: 'imap',
      message: `IMAP message not fetched: ${NO_PASSWORD_HINT}`,
    };
  if (item.fingerprint.uidValidity && item.fingerprint.uidValidity !== ref.uidValidity)
    return { reason: 'changed', message: 'UIDVALIDITY in the URL and the fingerprint differ' };
  const message = await ctx.imap.fetch(ref);
  if (!item.itemPath.length) return bufferCopy(item, message, 'message.eml');
  const top: ItemInput = {
    ref: { path: item.path, itemPath: [] },
    name: 'message.eml',
    source: { kind: 'buffer', data: message },
    depth: 0,
    contentType: 'message/rfc822',
  };
  const located = await locateIn(top, item.itemPath, ctx.limits);
  if (!located)
    return { reason: 'missing', message: `${item.itemPath.join(' > ')} is no longer in the message` };
  return bufferCopy(item, located.bytes, located.name);
}

function bufferCopy(item: CopyTarget, bytes: Buffer, name: string): Copy {
  const fp = item.fingerprint;
  const diffs: string[] = [];
  const sourceSha256 = sha256Hex(bytes);
  if (fp.sha256 && fp.sha256 !== sourceSha256) diffs.push('content differs (sha256)');
  const copyAs = copyName(item, name);
  const data = copyAs.endsWith('.eml') ? withoutMboxSeparator(bytes) : bytes;
  return {
    name: copyAs,
    pieces: () => [data],
    size: data.length,
    sourceSha256,
    changed: diffs.length ? diffs.join(', ') : null,
  };
}

/** An mbox message starts with its `From sender date` separator line, which is not part of an .eml file. */
function withoutMboxSeparator(bytes: Buffer): Buffer {
  if (bytes.subarray(0, 5).toString('latin1') !== 'From ') return bytes;
  const nl = bytes.indexOf(0x0a);
  return nl === -1 ? bytes : bytes.subarray(nl + 1);
}

/** A message becomes `.eml`; an attachment or member keeps the name its container gave it. */
function copyName(item: CopyTarget, name: string): string {
  const last = item.itemPath.at(-1) ?? '';
  const isMessage =
    /^imaps?:/i.test(item.path) && item.itemPath.length === 0
      ? true
      : /^message\b/i.test(last) || item.format === 'eml' || item.format === 'mbox';
  if (isMessage) {
    // `message <id@host>` -> `id@host.eml`; a container's own name for the message wins when it has one.
    const fromPath = last
      .replace(/^message\s*/i, '')
      .replace(/[<>#]/g, '')
      .trim();
    const stem = (name && !/^message(\.eml)?$/i.test(name) ? name : fromPath || 'message').replace(
      /\.eml$/i,
      '',
    );
    return `${stem}.eml`;
  }
  return name || last.replace(/^(attachment|member|entry|file)\s+/i, '') || 'item';
}

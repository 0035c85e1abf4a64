/** How mail files are recognised from their first bytes and their place (light: the registry sniffs with these). */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const MAILDIR_SUBDIRS = ['cur', 'new', 'tmp'];

const KNOWN_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'received',
  'return-path',
  'mime-version',
  'delivered-to',
  'content-type',
  'reply-to',
  'x-mailer',
  'dkim-signature',
  'in-reply-to',
  'references',
  'sender',
]);

/**
 * True when the bytes begin like an RFC 822 message: a block of header lines of which at least two are
 * well-known mail headers. Used to recognise extensionless messages (Maildir files, saved mails).
 */
export function looksLikeMessage(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 16384)).toString('latin1');
  const lines = text.split(/\r?\n/);
  const known = new Set<string>();
  let headerLines = 0;
  for (let i = 0; i < lines.length && i < 200; i++) {
    const line = lines[i];
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (i === 0) return false;
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
    if (!m) {
      // A truncated last line of the sample is not evidence against.
      if (i === lines.length - 1) break;
      return false;
    }
    headerLines++;
    const name = m[1].toLowerCase();
    if (KNOWN_HEADERS.has(name)) known.add(name);
  }
  return headerLines >= 2 && known.size >= 2;
}

/**
 * Recognises an extensionless mbox (Thunderbird's `Inbox`, `Sent`): it starts with a `From ` envelope
 * line followed by a mail header line.
 */
export function looksLikeMbox(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 4096)).toString('latin1');
  if (!text.startsWith('From ')) return false;
  const lines = text.split(/\r?\n/);
  return lines.length > 1 && /^From \S/.test(lines[0]) && /^[!-9;-~]+[ \t]*:/.test(lines[1]);
}

/**
 * A Maildir message file: it sits in `cur/`, `new/` or `tmp/`, its folder has at least one sibling of
 * those three (the Maildir layout, also for sub-folders such as `.Sent/cur`), and it begins with mail
 * headers. Each file is one message; erasure removes the file.
 */
export function isMaildirFile(absPath: string): boolean {
  const folder = dirname(absPath);
  const own = basename(folder);
  if (!MAILDIR_SUBDIRS.includes(own)) return false;
  // The walk hands on a folder's files one after another, each looked at a few times: its layout is
  // looked up once (a stat costs several microseconds here).
  if (lastFolder?.folder !== folder) lastFolder = { folder, maildir: inMaildir(folder, own) };
  return lastFolder.maildir;
}

let lastFolder: { folder: string; maildir: boolean } | undefined;

function inMaildir(folder: string, own: string): boolean {
  const maildir = dirname(folder);
  return MAILDIR_SUBDIRS.some((d) => {
    if (d === own) return false;
    const p = join(maildir, d);
    try {
      return existsSync(p) && statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
}

import { createHash } from 'node:crypto';
import type { PSTAttachment, PSTFile, PSTFolder, PSTMessage } from 'pst-extractor';
import { ExtractError } from '../../core/errors.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { pstFormat } from '../formats.js';
import { markMessageFile } from './message.js';

/** Embedded messages inside one PST message (forwards of forwards) are followed this deep. */
const MAX_EMBEDDED_DEPTH = 5;

/**
 * Outlook .pst/.ost: every folder, message and attachment. Each message is rebuilt as a small MIME
 * message (headers with display names, text and HTML bodies, attachments, embedded messages as
 * message/rfc822) and handed to the engine as a child item, so that the e-mail extractor searches it
 * and its attachments go back through the extractors. itemPath: `folder Top/Inbox`, `message <id>`
 * (or `message #N`, N the 1-based position in its folder), then `attachment name`.
 */
const pst: Extractor = {
  ...pstFormat,
  async extract(input, ctx) {
    const { PSTFile: Pst } = await import('pst-extractor');
    let file: PSTFile;
    try {
      // A file on disk is read where it lies (no full copy in memory); a nested one from its buffer.
      file =
        input.source.kind === 'file'
          ? new Pst(input.source.absPath)
          : new Pst(Buffer.from(await ctx.readAll()));
    } catch (err) {
      throw new ExtractError('corrupt', `Outlook data file could not be opened: ${(err as Error).message}`);
    }
    if (input.source.kind === 'buffer') await markMessageFile(input, Buffer.from(input.source.data), 'pst');
    try {
      // Stop before the worker's time limit would discard everything found so far.
      const state = { messages: 0, stopped: false, deadline: Date.now() + ctx.limits.timeoutMs * 0.8 };
      await walkFolder(file.getRootFolder(), [], input, ctx, state);
    } finally {
      try {
        file.close();
      } catch {
        // already closed or never fully opened
      }
    }
  },
};

export default pst;

async function walkFolder(
  folder: PSTFolder,
  names: string[],
  input: ItemInput,
  ctx: ExtractContext,
  state: { messages: number; stopped: boolean; deadline: number },
): Promise<void> {
  ctx.signal.throwIfAborted();
  if (state.stopped) return;
  const folderSeg = `folder ${names.join('/')}`;
  if (folder.contentCount > 0) {
    const seen = new Set<string>();
    let index = 0;
    for (;;) {
      let msg: PSTMessage | null;
      try {
        msg = folder.getNextChild() as PSTMessage | null;
      } catch (err) {
        ctx.error(
          'corrupt',
          `folder ${names.join('/')}: could not read further messages: ${(err as Error).message}`,
        );
        break;
      }
      if (!msg) break;
      index++;
      if (++state.messages > ctx.limits.maxMembers) {
        state.stopped = true;
        ctx.error(
          'limit',
          `more than ${ctx.limits.maxMembers} messages; the rest of the data file was not read`,
        );
        return;
      }
      if (Date.now() >= state.deadline) {
        ctx.error(
          'timeout',
          `read ${state.messages - 1} messages before the time limit; the rest was not read (raise --timeout)`,
        );
        state.stopped = true;
        return;
      }
      const id = cleanId(msg.internetMessageId);
      let seg = id ? `message ${id}` : `message #${index}`;
      if (seen.has(seg)) seg = `${seg} #${index}`;
      seen.add(seg);
      const itemPath = [...input.ref.itemPath, folderSeg, seg];
      let raw: Buffer;
      try {
        raw = toMime(msg, ctx, 0);
      } catch (err) {
        ctx.error('corrupt', `message could not be read: ${(err as Error).message}`, {
          path: input.ref.path,
          itemPath,
        });
        continue;
      }
      const sha256 = createHash('sha256').update(raw).digest('hex');
      await ctx.child({
        ref: { path: input.ref.path, itemPath },
        name: 'message.eml',
        source: { kind: 'buffer', data: raw },
        contentType: 'message/rfc822',
        message: { kind: 'pst', itemPath, fingerprint: { sha256, length: raw.length } },
      });
    }
  }
  if (folder.hasSubfolders) {
    let subs: PSTFolder[] = [];
    try {
      subs = folder.getSubFolders();
    } catch (err) {
      ctx.error(
        'corrupt',
        `folder ${names.join('/')}: sub-folders could not be read: ${(err as Error).message}`,
      );
    }
    for (const sub of subs)
      await walkFolder(sub, [...names, sub.displayName || '(unnamed)'], input, ctx, state);
  }
}

function cleanId(id: string | undefined): string | undefined {
  const t = id?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!t) return undefined;
  return t.length > 250 ? `${t.slice(0, 250)}…` : t;
}

// ---- rebuilding a message as MIME ----

function encodeWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function phrase(name: string): string {
  const n = name.replace(/[\r\n"\\]/g, ' ').trim();
  const enc = encodeWord(n);
  return enc === n ? `"${n}"` : enc;
}

function address(name: string | undefined, email: string | undefined): string | undefined {
  const n = name?.trim();
  // Exchange-internal addresses (/O=ORG/OU=…) are not e-mail addresses; keep the display name only.
  const e = email?.trim() && email.includes('@') ? email.trim().replace(/[<>\s]/g, '') : undefined;
  if (n && e) return `${phrase(n)} <${e}>`;
  if (e) return `<${e}>`;
  if (n) return `${phrase(n)} <>`;
  return undefined;
}

function base64Lines(data: Uint8Array): string {
  return (
    Buffer.from(data)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

function filenameParam(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name)) return `filename="${name}"`;
  return `filename*=UTF-8''${encodeURIComponent(name)}`;
}

function toMime(msg: PSTMessage, ctx: ExtractContext, depth: number): Buffer {
  const headers: string[] = [];
  const from = address(msg.senderName, msg.senderEmailAddress);
  if (from) headers.push(`From: ${from}`);
  const byType = new Map<number, string[]>();
  for (let i = 0; i < msg.numberOfRecipients; i++) {
    const r = msg.getRecipient(i);
    if (!r) continue;
    const a = address(r.displayName, r.smtpAddress || r.emailAddress);
    if (a) byType.set(r.recipientType, [...(byType.get(r.recipientType) ?? []), a]);
  }
  const field = { 1: 'To', 2: 'Cc', 3: 'Bcc' } as Record<number, string>;
  for (const [type, list] of byType) headers.push(`${field[type] ?? 'To'}: ${list.join(', ')}`);
  if (!msg.numberOfRecipients && msg.displayTo) headers.push(`To: ${encodeWord(msg.displayTo)}`);
  if (msg.subject) headers.push(`Subject: ${encodeWord(msg.subject)}`);
  const id = cleanId(msg.internetMessageId);
  if (id) headers.push(`Message-ID: ${id.replace(/[\r\n]/g, '')}`);
  headers.push('MIME-Version: 1.0');

  // Every part is base64, whose alphabet has no '-': a fixed boundary cannot collide, and keeps the
  // rebuilt message (and so its fingerprint) the same from scan to scan.
  const boundary = `dsr-pst-part-${depth}`;
  const parts: string[] = [];
  const textPart = (type: string, text: string) =>
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(text, 'utf8'))}`;
  if (msg.body) parts.push(textPart('text/plain', msg.body));
  if (msg.bodyHTML) parts.push(textPart('text/html', msg.bodyHTML));
  for (let i = 0; i < msg.numberOfAttachments; i++) {
    const part = attachmentPart(msg.getAttachment(i), i, ctx, depth);
    if (part) parts.push(part);
  }
  const body = `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`;
  headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function attachmentPart(
  att: PSTAttachment,
  i: number,
  ctx: ExtractContext,
  depth: number,
): string | undefined {
  if (att.attachMethod === 5) {
    const inner = depth < MAX_EMBEDDED_DEPTH ? att.embeddedPSTMessage : null;
    if (!inner) return undefined;
    const raw = toMime(inner, ctx, depth + 1);
    return `Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(raw)}`;
  }
  const name = (att.longFilename || att.filename || att.displayName || `attachment-${i + 1}.bin`).replace(
    /[\r\n]/g,
    ' ',
  );
  const stream = att.fileInputStream;
  if (!stream) return undefined;
  const size = Number(att.filesize || stream.length?.toNumber?.() || 0);
  if (size > ctx.limits.maxExtractBytes) {
    ctx.error(
      'limit',
      `attachment ${name} of ${size} bytes is larger than ${ctx.limits.maxExtractBytes} bytes; not read`,
    );
    return undefined;
  }
  const data = Buffer.alloc(size);
  if (size) stream.readCompletely(data);
  return `Content-Type: application/octet-stream; name="${name.replace(/["\\]/g, '_')}"\r\nContent-Disposition: attachment; ${filenameParam(name)}\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(data)}`;
}

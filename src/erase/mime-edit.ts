import { createHash } from 'node:crypto';
import { decode as decodeQp, encode as encodeQp, wrap as wrapQp } from 'libqp';
import type { ParsedMail } from 'mailparser';
import {
  decodeBase64,
  extensionForType,
  headerFields,
  parseContentType,
  splitEntity,
  splitMultipart,
} from '../extract/mail/mime.js';
import { ActionSkipped } from './safety.js';

/**
 * Finds a message's attachments by the names the scan gave them (`attachment cv.pdf`, `attachment cv.pdf #2`,
 * `attachment-1.pdf` for one without a name: the walk of src/extract/mail/message.ts, mirrored) and
 * rewrites the message by byte ranges: only the bytes of an edited part change, every other part,
 * header and boundary line stays byte-identical. Nothing is re-serialised by a library.
 */

export interface AttachmentPart {
  /** The itemPath segment the scan named it by. */
  segment: string;
  /** Its file name (or the name made up for it). */
  name: string;
  /** Byte range of the whole part (header and body) in the message. */
  start: number;
  end: number;
  /** Where its body starts (its header is [start, bodyStart)). */
  bodyStart: number;
  fields: Map<string, string[]>;
  /** Its content with the transfer encoding undone, as the scan read it. */
  content: Buffer;
  /** False for a message whose whole body is the attachment (no multipart around it). */
  inMultipart: boolean;
}

const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
} as const;
/** As message.ts: larger base64 parts that are not body text are decoded without mailparser. */
const WHOLE_PARSE_BYTES = 1024 * 1024;
const MAX_PARTS = 10_000;

async function parse(raw: Buffer): Promise<ParsedMail> {
  const { simpleParser } = await import('mailparser');
  return simpleParser(raw, PARSE_OPTIONS);
}

/** The attachments directly in `message` (not those of attached messages), in the scan's order and naming. */
export async function listAttachments(message: Buffer): Promise<AttachmentPart[]> {
  const out: AttachmentPart[] = [];
  const segments = new Map<string, number>();
  let parts = 0;
  let unnamed = 0;
  const base = message.byteOffset;
  const walk = async (raw: Buffer, level: number, inMultipart: boolean): Promise<void> => {
    if (++parts > MAX_PARTS) throw new ActionSkipped('refused', `more than ${MAX_PARTS} MIME parts`);
    const entity = splitEntity(raw);
    const fields = headerFields(entity.header);
    const ct = parseContentType(fields.get('content-type')?.[0]) ?? { type: 'text/plain', params: {} };
    if (ct.type.startsWith('multipart/') && level < 50) {
      const split = ct.params.boundary ? splitMultipart(entity.body, ct.params.boundary) : undefined;
      if (!split?.found || !split.closed)
        throw new ActionSkipped('refused', 'the message has a broken MIME structure; edit it by hand');
      for (const part of split.parts) await walk(part, level + 1, true);
      return;
    }
    if (ct.type === 'message/rfc822' || ct.type === 'message/global') return;
    if (isBodyText(ct.type, ct.params, fields)) return;
    let filename: string | undefined;
    let content: Buffer;
    const cte = (fields.get('content-transfer-encoding')?.[0] ?? '').trim().toLowerCase();
    if (entity.body.length > WHOLE_PARSE_BYTES && cte === 'base64') {
      filename = (await parse(Buffer.concat([entity.header, Buffer.from('\r\n\r\n')]))).attachments[0]
        ?.filename;
      content = decodeBase64(entity.body);
    } else {
      const parsed = await parse(Buffer.concat([entity.header, Buffer.from('\r\n'), entity.body]));
      const att = parsed.attachments[0];
      filename = att?.filename;
      content =
        att?.content ?? Buffer.from(parsed.text ?? (typeof parsed.html === 'string' ? parsed.html : ''));
    }
    unnamed++;
    const name = safeName(filename) ?? `attachment-${unnamed}${extensionForType(ct.type)}`;
    const plain = `attachment ${name}`;
    const n = (segments.get(plain) ?? 0) + 1;
    segments.set(plain, n);
    out.push({
      segment: n === 1 ? plain : `${plain} #${n}`,
      name,
      start: raw.byteOffset - base,
      end: raw.byteOffset - base + raw.length,
      bodyStart: entity.body.byteOffset - base,
      fields,
      content,
      inMultipart,
    });
  };
  await walk(message, 0, false);
  return out;
}

/** As message.ts reads a part as the message's own text: text or HTML, neither attachment nor named. */
function isBodyText(type: string, params: Record<string, string>, fields: Map<string, string[]>): boolean {
  const disposition = fields.get('content-disposition')?.[0] ?? '';
  return (
    (type === 'text/plain' || type === 'text/html') &&
    disposition.split(';')[0].trim().toLowerCase() !== 'attachment' &&
    !params.name &&
    !/filename/i.test(disposition)
  );
}

/** As message.ts names an attachment: the last path segment, without control characters. */
function safeName(name: string | undefined): string | undefined {
  const b = name
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return b ? b.slice(0, 255) : undefined;
}

/** The planned attachment in `message`: the part of that name whose content has the planned sha256. */
export async function findAttachment(
  message: Buffer,
  segment: string,
  sha256: string,
): Promise<AttachmentPart> {
  const part = (await listAttachments(message)).find((p) => p.segment === segment);
  if (!part) throw new ActionSkipped('stale', 'the message has no attachment of that name any more');
  if (createHash('sha256').update(part.content).digest('hex') !== sha256)
    throw new ActionSkipped('stale', 'the attachment differs from the scanned one');
  if (!part.inMultipart)
    throw new ActionSkipped(
      'refused',
      'the attachment is the whole body of the message (no other part): remove the message instead, by hand',
    );
  return part;
}

export interface PartEdit {
  part: AttachmentPart;
  /** Replaces bytes [from, part.end): the whole part, or only its body. */
  from: number;
  bytes: Buffer;
}

/** The message with each edit's range replaced; every other byte as it was. */
export function applyEdits(message: Buffer, edits: PartEdit[]): Buffer {
  const sorted = [...edits].sort((a, b) => a.from - b.from);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const e of sorted) {
    if (e.from < at) throw new ActionSkipped('refused', 'two planned attachments overlap');
    pieces.push(message.subarray(at, e.from), e.bytes);
    at = e.part.end;
  }
  pieces.push(message.subarray(at));
  return Buffer.concat(pieces);
}

/** The line ending the part's header is written with. */
function eolOf(message: Buffer, part: AttachmentPart): string {
  return message.subarray(part.start, part.bodyStart).includes('\r\n') ? '\r\n' : '\n';
}

/**
 * The text part that takes a removed attachment's place: `attachment NAME removed on DATE under an
 * erasure request` (a name that holds the subject's data is given masked by the caller).
 */
export function removalNote(message: Buffer, part: AttachmentPart, shownName: string, date: Date): PartEdit {
  const eol = eolOf(message, part);
  const text = `attachment ${shownName} removed on ${date.toISOString().slice(0, 10)} under an erasure request`;
  const ascii = /^[\x20-\x7e]*$/.test(text);
  const body = ascii ? text : wrapQp(encodeQp(Buffer.from(text, 'utf8')), 76).replace(/\r?\n/g, eol);
  const head = [
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : 'quoted-printable'}`,
    'Content-Disposition: inline',
  ].join(eol);
  return { part, from: part.start, bytes: Buffer.from(`${head}${eol}${eol}${body}`, 'latin1') };
}

/** The attachment's body with new content, in its own transfer encoding and line endings; its header kept. */
export function replaceBody(message: Buffer, part: AttachmentPart, content: Buffer): PartEdit {
  const cte = (part.fields.get('content-transfer-encoding')?.[0] ?? '7bit').trim().toLowerCase();
  const body = message.subarray(part.bodyStart, part.end);
  const eol = body.includes('\r\n') || eolOf(message, part) === '\r\n' ? '\r\n' : '\n';
  const trailing = /\r?\n$/.exec(body.toString('latin1'))?.[0] ?? '';
  let text: Buffer;
  if (cte === 'base64') {
    const firstLine = /^[A-Za-z0-9+/=]+/.exec(body.toString('latin1'))?.[0].length ?? 76;
    const width = Math.max(4, firstLine - (firstLine % 4)) || 76;
    const b64 = content.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
    text = Buffer.from(lines.join(eol) + trailing, 'latin1');
  } else if (cte === 'quoted-printable') {
    text = Buffer.from(wrapQp(encodeQp(content), 76).replace(/\r?\n/g, eol) + trailing, 'latin1');
  } else if (cte === '7bit' || cte === '8bit' || cte === 'binary' || cte === '') {
    text = content;
  } else {
    throw new ActionSkipped('refused', `the attachment's transfer encoding ${cte} cannot be rewritten`);
  }
  return { part, from: part.bodyStart, bytes: text };
}

/** The part's body decoded by dsr itself, when that is exactly what the scan read; else undefined. */
export function decodedBody(message: Buffer, part: AttachmentPart): Buffer | undefined {
  const cte = (part.fields.get('content-transfer-encoding')?.[0] ?? '7bit').trim().toLowerCase();
  const body = message.subarray(part.bodyStart, part.end);
  let decoded: Buffer | undefined;
  if (cte === 'base64') decoded = decodeBase64(body);
  else if (cte === 'quoted-printable') decoded = decodeQp(body.toString('latin1'));
  else if (cte === '7bit' || cte === '8bit' || cte === 'binary' || cte === '') decoded = body;
  return decoded?.equals(part.content) ? decoded : undefined;
}

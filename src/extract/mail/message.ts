import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import type { Limits } from '../../core/limits.js';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput, ItemSource, MessageRef } from '../../core/types.js';
import type { ExtractContext } from '../api.js';
import { htmlToText } from '../html/html.js';
import { spooledSource, withSpoolFile, writePieces } from '../nested-temp-file.js';
import { detectEncoding } from '../text/decode.js';
import { isEncodedText } from '../text/text.js';
import { decodeQuotedPrintable, headersWithWordsDecoded, wellFormedBase64 } from './decode.js';
import { type NamedAddress, searchAddresses } from './headers.js';
import {
  type ContentType,
  decodeBase64,
  decodeBase64Pieces,
  type Entity,
  extensionForType,
  headerFields,
  messageIdOf,
  parseContentType,
  parseHeaderParams,
  splitEntity,
  splitMultipart,
} from './mime.js';

const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
} as const;

/** Address headers searched as structured text: one `Display Name <address>` per line. */
const ADDRESS_HEADERS: [key: 'from' | 'to' | 'cc' | 'bcc' | 'replyTo', field: string][] = [
  ['from', 'header:From'],
  ['to', 'header:To'],
  ['cc', 'header:Cc'],
  ['bcc', 'header:Bcc'],
  ['replyTo', 'header:Reply-To'],
];
const EXTRA_ADDRESS_HEADERS: [name: string, field: string][] = [
  ['sender', 'header:Sender'],
  ['delivered-to', 'header:Delivered-To'],
  ['return-path', 'header:Return-Path'],
];

interface WalkState {
  parts: number;
  texts: number;
  htmls: number;
  messages: number;
  /** itemPath segments already used in this message. */
  segments: Map<string, number>;
  attachments: number;
  /** Its headers and body text parts hold nothing of the subject (see textPartsClean): they are not read. */
  textClean?: boolean;
  /** Read its headers and body text parts only: its attachments and attached messages were read already. */
  textOnly?: boolean;
}

/**
 * Searches one RFC 822 message: address headers (display names too), subject, every text and HTML body
 * part; hands every attachment and attached message back to the engine as a child item.
 */
export async function extractMessage(raw: Buffer, input: ItemInput, ctx: ExtractContext): Promise<void> {
  const entity = splitEntity(raw);
  // A file already known to be a message (by name, MIME type or mailbox) only needs to start with a header line.
  if (!/^[!-9;-~]+[ \t]*:/.test(entity.header.subarray(0, 256).toString('latin1'))) {
    ctx.error('corrupt', 'no RFC 822 header block; the message was searched as plain text');
    ctx.text(raw.toString('utf8'), { field: 'body' });
    return;
  }
  const fields = headerFields(entity.header);
  // A subject scan reads no further a message that cannot hold the subject (see rawClean). Only the
  // whole message: one part with the subject makes the message an item whose record counts the other
  // people named anywhere in its headers and text.
  const clean = ctx.rawClean;
  const textClean = clean !== undefined && ownTextClean(entity, clean, ctx.textClean, ctx.limits.maxMembers);
  if (textClean && plainBody(fields, entity.body)) return;
  const state: WalkState = {
    parts: 0,
    texts: 0,
    htmls: 0,
    messages: 0,
    segments: new Map(),
    attachments: 0,
    textClean,
  };
  if (textClean) {
    // Its attachments and attached messages are read as usual: they are items of their own.
    await walk(entity, input, ctx, state, 0);
    if (!ctx.childHeldSubject?.()) return;
    // One of them holds the subject and erasure would remove the whole message: the other people in
    // its own headers and text are counted after all.
    await searchMessageText(entity, fields, input, ctx);
    return;
  }
  await searchMessage(entity, fields, input, ctx, state);
}

/** Searches the message's headers, then walks its parts as `state` says. */
async function searchMessage(
  entity: Entity,
  fields: Map<string, string[]>,
  input: ItemInput,
  ctx: ExtractContext,
  state: WalkState,
): Promise<void> {
  // A single-part message is parsed once for headers and body (most mail in a big mbox is like that).
  const type = parseContentType(fields.get('content-type')?.[0])?.type ?? 'text/plain';
  const whole = type === 'text/plain' || type === 'text/html' ? await parseEntity(entity) : undefined;
  searchHeaders(
    whole ?? (await simpleParser(Buffer.concat([entity.header, Buffer.from('\r\n\r\n')]), PARSE_OPTIONS)),
    ctx,
  );
  await walk(entity, input, ctx, state, 0, whole);
}

/** The message's headers and body text, without its attachments and attached messages. */
function searchMessageText(
  entity: Entity,
  fields: Map<string, string[]>,
  input: ItemInput,
  ctx: ExtractContext,
): Promise<void> {
  // Its structure's problems were reported by the first walk.
  return searchMessage(
    entity,
    fields,
    input,
    { ...ctx, error() {} },
    {
      parts: 0,
      texts: 0,
      htmls: 0,
      messages: 0,
      segments: new Map(),
      attachments: 0,
      textOnly: true,
    },
  );
}

/** Charsets whose text keeps ASCII as its own bytes and writes every other character as bytes 0x80–0xFF. */
const BYTE_CHARSETS = new Set([
  'utf-8',
  'utf8',
  'us-ascii',
  'ascii',
  'iso-8859-1',
  'latin1',
  'iso-8859-15',
  'windows-1252',
]);
/** What mailparser would decode in a header block: encoded words, quoted-pair escapes, punycode. */
const DECODED_IN_HEADERS = /=\?|\\|xn--/i;

/**
 * Whether mailparser's text of this message is its bytes decoded as UTF-8 or an 8-bit charset and
 * nothing more (besides unfolding its headers, reading addresses out of them and undoing a body's
 * transfer encoding): its header block reads as its bytes, and its body is a single text/plain part
 * (see plainBody). A subject scan then needs no parse to know that it holds nothing of the subject
 * (see ExtractContext.rawClean).
 */
export function readsAsItsBytes(entity: Entity, fields: Map<string, string[]>): boolean {
  return headersReadAsTheirBytes(entity.header) && plainBody(fields, entity.body) !== undefined;
}

/** What a subject scan tests a message with (see ExtractContext.rawClean, textClean). */
export interface CleanTests {
  clean: (bytes: Uint8Array) => boolean;
  textClean?: (text: string) => boolean;
  limits: Pick<Limits, 'maxMembers' | 'maxDepth' | 'maxTextChars'>;
}

/**
 * A subject scan's look at a whole message before it becomes an item: the number of items it would be
 * read as (itself and its attachments) when none of them can hold anything of the subject, so that it
 * need not be read at all; undefined when it must be read. That is when its raw bytes hold none of
 * the raw anchors, its own text is clean (ownTextClean), and each attachment is plain text whose
 * bytes, base64 decoded here, hold none either, as does its name. An attached message, an attachment
 * of another format (a PDF, an Office file: only its extractor can read it) or anything that would
 * give an error entry or hit a limit sends the message the normal way. `depth` is the message's.
 */
export function cleanMessageItems(raw: Buffer, depth: number, t: CleanTests): number | undefined {
  if (raw.length > t.limits.maxTextChars || !t.clean(raw)) return undefined;
  const entity = splitEntity(raw);
  if (!/^[!-9;-~]+[ \t]*:/.test(entity.header.subarray(0, 256).toString('latin1'))) return undefined;
  if (!ownTextClean(entity, t.clean, t.textClean, t.limits.maxMembers, true)) return undefined;
  let items = 1;
  const attachments = (e: Entity, level: number): boolean => {
    const fields = headerFields(e.header);
    const ct = parseContentType(fields.get('content-type')?.[0]) ?? { type: 'text/plain', params: {} };
    if (ct.type.startsWith('multipart/') && level < 50) {
      // ownTextClean walked this structure: it is whole.
      const split = splitMultipart(e.body, ct.params.boundary!);
      return split.parts.every((part) => attachments(splitEntity(part), level + 1));
    }
    if (ct.type === 'message/rfc822' || ct.type === 'message/global') return false;
    if (bodyText(ct, fields)) return true;
    items++;
    const att = depth + 1 < t.limits.maxDepth ? attachmentWithoutParser(e, fields, ct) : undefined;
    if (!att) return false;
    const name = safeName(att.filename) ?? `attachment-${items - 1}${extensionForType(ct.type)}`;
    return plainTextClean(att.content, name, t);
  };
  return attachments(entity, 0) ? items : undefined;
}

const PLAIN_TEXT_NAME = /\.(txt|csv)$/i;

/** An attachment the text extractor would read as UTF-8 or an 8-bit charset, holding no anchor. */
function plainTextClean(data: Buffer, name: string, t: CleanTests): boolean {
  if (data.length > t.limits.maxTextChars || !t.clean(data)) return false;
  if (t.textClean && !t.textClean(name.replace(/[_./\\-]/g, ' '))) return false;
  // Named as only the text format names its files (the registry, which loads this module, is not asked).
  const head = data.subarray(0, 65536);
  if (!PLAIN_TEXT_NAME.test(name) || isEncodedText(name, head)) return false;
  const guess = detectEncoding(head);
  return guess !== 'binary' && guess.encoding !== 'utf-16le' && guess.encoding !== 'utf-16be';
}

/**
 * Whether a message's own text, its headers and the parts read as its body (not its attachments or
 * attached messages), holds nothing of the subject, known from its bytes and their transfer encodings
 * undone here (see headersClean, textPartsClean), without mailparser. `clean` tests bytes for the
 * subject's raw anchors, `textClean` text for its anchors (see ExtractContext); `rawChecked`: the
 * whole message's bytes were tested with `clean` already.
 */
export function ownTextClean(
  entity: Entity,
  clean: (bytes: Uint8Array) => boolean,
  textClean: ((text: string) => boolean) | undefined,
  maxParts: number,
  rawChecked = false,
): boolean {
  return headersClean(entity.header, clean) && textPartsClean(entity, clean, textClean, maxParts, rawChecked);
}

/**
 * Whether no text mailparser reads out of this header block can hold the subject: its bytes, unfolded,
 * hold none of the raw anchors, nor do they with its RFC 2047 encoded words decoded (see
 * headersWithWordsDecoded; the white space between adjacent words kept and removed, as mailparser
 * may do either). Quoted-pair escapes and punycode are left to mailparser.
 */
function headersClean(header: Buffer, clean: (bytes: Uint8Array) => boolean): boolean {
  const text = header.toString('latin1').replace(/\r?\n(?=[ \t])/g, '');
  if (/\\|xn--/i.test(text) || !clean(Buffer.from(text, 'latin1'))) return false;
  if (!text.includes('=?')) return true;
  const decoded = headersWithWordsDecoded(text);
  return decoded !== undefined && clean(decoded[0]) && (decoded[1] === decoded[0] || clean(decoded[1]));
}

/** A header block with none of DECODED_IN_HEADERS: its text is its bytes, unfolded. */
function headersReadAsTheirBytes(header: Buffer): boolean {
  return !DECODED_IN_HEADERS.test(header.toString('latin1'));
}

/**
 * The bytes whose decoding in its charset is the text of a body that is one text/plain part in one of
 * BYTE_CHARSETS, without `format=flowed` or a disposition (see partBytes), or undefined.
 */
function plainBody(fields: Map<string, string[]>, body: Buffer): Buffer | undefined {
  const ct = partType(fields);
  if (ct?.type !== 'text/plain' || (ct.params.format ?? '').toLowerCase() === 'flowed') return undefined;
  return partBytes(fields, body);
}

/**
 * The HTML of a body that is one text/html part in one of BYTE_CHARSETS (see partBytes), decoded as
 * mailparser decodes it (see decodeCharset).
 */
function htmlBody(fields: Map<string, string[]>, body: Buffer): string | undefined {
  const ct = partType(fields);
  const bytes = ct?.type === 'text/html' ? partBytes(fields, body) : undefined;
  if (!bytes) return undefined;
  return decodeCharset(bytes, ct!.params.charset);
}

/**
 * Bytes as mailparser decodes a text part: UTF-8 when its charset is missing or says ASCII or UTF-8,
 * else by iconv-lite, with Latin-1 read as Windows-1252 (as libmime's charset table, which mailparser
 * goes by, and browsers read it: `0x80` is `€`, not a control character).
 */
function decodeCharset(bytes: Buffer, charset = 'utf-8'): string {
  if (['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, '')))
    return bytes.toString('utf8');
  return iconv.decode(bytes, LATIN1_NAMES.has(charset.toLowerCase()) ? 'windows-1252' : charset);
}

/** Names of Latin-1 (ISO-8859-1) that libmime maps to Windows-1252. */
const LATIN1_NAMES = new Set([
  'iso-8859-1',
  'iso8859-1',
  'iso88591',
  'iso_8859-1',
  'iso_8859-1:1987',
  'iso-ir-100',
  'latin1',
  'l1',
  'cp819',
  'ibm819',
  'csisolatin1',
]);

/**
 * The text of a message whose body is one text/plain or text/html part, as dsr reads it without
 * mailparser (plainBody, htmlBody), or undefined where dsr leaves the message to mailparser. It must
 * be mailparser's own `text` or `html` (line breaks aside: mailparser gives LF for CRLF), or the fast
 * paths would miss what a parse finds: the mailparser pin's test (test/extract/mailparser-drift.test.ts)
 * checks it on tricky bodies.
 */
export function bodyWithoutParser(
  raw: Buffer,
): { type: 'text/plain' | 'text/html'; text: string } | undefined {
  const entity = splitEntity(raw);
  const fields = headerFields(entity.header);
  const ct = partType(fields);
  if (ct?.type === 'text/html') {
    const html = htmlBody(fields, entity.body);
    return html === undefined ? undefined : { type: 'text/html', text: html };
  }
  const bytes = plainBody(fields, entity.body);
  return bytes && { type: 'text/plain', text: decodeCharset(bytes, ct?.params.charset) };
}

/** A part's one content type (text/plain when it has none), or undefined for two or extended (RFC 2231) parameters. */
function partType(fields: Map<string, string[]>): ContentType | undefined {
  const types = fields.get('content-type') ?? [];
  if (types.length > 1 || types[0]?.includes('*=')) return undefined;
  return types.length ? parseContentType(types[0]) : { type: 'text/plain', params: {} };
}

/**
 * A part's bytes with its transfer encoding undone, when that is 7bit, 8bit, binary, quoted-printable
 * (by libqp, the version mailparser's splitter decodes it with) or well-formed base64, it has no
 * disposition and its charset, if any, is one of BYTE_CHARSETS; else undefined.
 */
function partBytes(fields: Map<string, string[]>, body: Buffer): Buffer | undefined {
  const encodings = fields.get('content-transfer-encoding') ?? [];
  if (encodings.length > 1 || fields.has('content-disposition')) return undefined;
  const charset = partType(fields)?.params.charset;
  if (charset !== undefined && !BYTE_CHARSETS.has(charset.toLowerCase())) return undefined;
  const encoding = (encodings[0] ?? '7bit').trim().toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return wellFormedBase64(body);
  return encoding === '7bit' || encoding === '8bit' || encoding === 'binary' ? body : undefined;
}

/** A part read as the message's own text (`body`, `html`): text or HTML, neither attachment nor named. */
function bodyText(ct: ContentType, fields: Map<string, string[]>): boolean {
  const disposition = fields.get('content-disposition')?.[0] ?? '';
  return (
    (ct.type === 'text/plain' || ct.type === 'text/html') &&
    disposition.split(';')[0].trim().toLowerCase() !== 'attachment' &&
    !ct.params.name &&
    !/filename/i.test(disposition)
  );
}

/**
 * Whether every part that walk would read as the message's text holds nothing of the subject, known
 * without mailparser: plain text that reads as its bytes (plainBody) with none of the raw anchors in
 * them, or HTML decoded here as mailparser decodes it (htmlBody) whose text and attributes hold none of
 * the text anchors. Attachments and attached messages do not count: they are items of their own. A
 * broken structure or more than `maxParts` parts is left to walk, which reports it.
 */
function textPartsClean(
  entity: Entity,
  clean: (bytes: Uint8Array) => boolean,
  textClean: ((text: string) => boolean) | undefined,
  maxParts: number,
  rawChecked = false,
): boolean {
  let parts = 0;
  const check = (e: Entity, level: number): boolean => {
    if (++parts > maxParts) return false;
    const fields = headerFields(e.header);
    const ct = parseContentType(fields.get('content-type')?.[0]) ?? { type: 'text/plain', params: {} };
    if (ct.type.startsWith('multipart/') && level < 50) {
      const split = ct.params.boundary ? splitMultipart(e.body, ct.params.boundary) : undefined;
      if (!split?.found || !split.closed) return false;
      return split.parts.every((part) => check(splitEntity(part), level + 1));
    }
    if (ct.type === 'message/rfc822' || ct.type === 'message/global' || !bodyText(ct, fields)) return true;
    if (ct.type === 'text/html') {
      const html = textClean ? htmlBody(fields, e.body) : undefined;
      if (html === undefined) return false;
      // As searchHtml reads it.
      const { body, attributes } = htmlToText(html);
      return textClean!(body) && textClean!(attributes);
    }
    const text = plainBody(fields, e.body);
    // A part read as its own bytes was tested with the whole message's.
    return text !== undefined && ((rawChecked && text === e.body) || clean(text));
  };
  return check(entity, 0);
}

/** mailparser, loaded on the first message: it takes a tenth of a second to compile, in every worker. */
async function simpleParser(
  ...args: Parameters<typeof import('mailparser').simpleParser>
): Promise<ParsedMail> {
  const { simpleParser: parse } = await import('mailparser');
  return parse(...args);
}

function parseEntity(entity: Entity): Promise<ParsedMail> {
  return simpleParser(Buffer.concat([entity.header, Buffer.from('\r\n'), entity.body]), PARSE_OPTIONS);
}

function searchHeaders(parsed: ParsedMail, ctx: ExtractContext): void {
  for (const [key, field] of ADDRESS_HEADERS) searchAddresses(ctx, field, addresses(parsed[key]));
  for (const [name, field] of EXTRA_ADDRESS_HEADERS) {
    const v = parsed.headers.get(name);
    if (v && typeof v === 'object' && 'value' in v)
      searchAddresses(ctx, field, addresses(v as AddressObject));
  }
  if (parsed.subject) ctx.text(parsed.subject, { field: 'header:Subject' });
}

/** Flattens address groups; a group's own name is kept as a line of its own. */
function addresses(obj: AddressObject | AddressObject[] | undefined): NamedAddress[] {
  const out: NamedAddress[] = [];
  const add = (a: EmailAddress) => {
    if (a.group) {
      if (a.name) out.push({ name: a.name });
      for (const g of a.group) add(g);
    } else out.push({ name: a.name, address: a.address });
  };
  for (const o of obj ? (Array.isArray(obj) ? obj : [obj]) : []) for (const a of o.value) add(a);
  return out;
}

async function walk(
  entity: Entity,
  input: ItemInput,
  ctx: ExtractContext,
  state: WalkState,
  level: number,
  preparsed?: ParsedMail,
): Promise<void> {
  ctx.signal.throwIfAborted();
  if (++state.parts > ctx.limits.maxMembers) {
    if (state.parts === ctx.limits.maxMembers + 1)
      ctx.error('limit', `more than ${ctx.limits.maxMembers} MIME parts; the rest not read`);
    return;
  }
  const fields = headerFields(entity.header);
  const ct = parseContentType(fields.get('content-type')?.[0]) ?? { type: 'text/plain', params: {} };

  if (ct.type.startsWith('multipart/') && level < 50) {
    const boundary = ct.params.boundary;
    const split = boundary ? splitMultipart(entity.body, boundary) : undefined;
    if (!split?.found) {
      ctx.error(
        'corrupt',
        `broken MIME structure: ${boundary ? 'the multipart boundary never occurs' : 'multipart without a boundary'}; the body was searched as plain text`,
      );
      searchText(entity.body.toString('utf8'), ctx, state);
      return;
    }
    if (!split.closed)
      ctx.error('corrupt', 'broken MIME structure: the closing multipart boundary is missing');
    for (const part of split.parts) await walk(splitEntity(part), input, ctx, state, level + 1);
    return;
  }

  if (ct.type === 'message/rfc822' || ct.type === 'message/global') {
    if (!state.textOnly) await attachedMessage(entity, fields, input, ctx, state);
    return;
  }

  const isBodyText = bodyText(ct, fields);
  // Nothing of the subject in any (see textPartsClean): no finding to name its field for.
  if (isBodyText && state.textClean) return;
  if (!isBodyText && state.textOnly) return;
  if (!isBodyText && !preparsed && entity.body.length > WHOLE_PARSE_BYTES && isBase64(fields)) {
    // A large attachment: mailparser would copy it several times over; its headers are parsed alone
    // and its body decoded once.
    const head = await simpleParser(Buffer.concat([entity.header, Buffer.from('\r\n\r\n')]), PARSE_OPTIONS);
    const filename = head.attachments[0]?.filename;
    if (entity.body.length <= SPOOL_BYTES) {
      await attachment(bufferSource(decodeBase64(entity.body)), filename, ct.type, input, ctx, state);
      return;
    }
    // Larger still: decoded to a temporary file, so that only the message itself is held.
    await withSpoolFile('attachment', async (path) => {
      const size = writePieces(path, decodeBase64Pieces(entity.body));
      await attachment(spooledSource(path, size), filename, ct.type, input, ctx, state);
    });
    return;
  }
  const plain = preparsed || isBodyText ? undefined : attachmentWithoutParser(entity, fields, ct);
  if (plain) {
    await attachment(bufferSource(plain.content), plain.filename, ct.type, input, ctx, state);
    return;
  }
  const parsed = preparsed ?? (await parseEntity(entity));
  if (isBodyText) {
    if (ct.type === 'text/html') {
      const html =
        typeof parsed.html === 'string'
          ? parsed.html
          : (parsed.attachments[0]?.content?.toString('utf8') ?? '');
      searchHtml(html, ctx, state);
    } else {
      const text = parsed.text ?? parsed.attachments[0]?.content?.toString('utf8') ?? '';
      searchText(text, ctx, state);
    }
    return;
  }
  const att = parsed.attachments[0];
  const content =
    att?.content ?? Buffer.from(parsed.text ?? (typeof parsed.html === 'string' ? parsed.html : ''));
  await attachment(bufferSource(content), att?.filename, ct.type, input, ctx, state);
}

/** mailparser's text types: a part of one of these with an inline disposition is read as text. */
const PARSER_TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);

/**
 * The content and file name mailparser gives an attachment, known without it: a base64 part that
 * mailparser takes for an attachment (not one of its text types, or not inline), with one content
 * type, at most one disposition, and a file name of plain characters (nothing to decode: no RFC 2047
 * or 2231 encoding, no escapes) or none. Undefined for anything else: mailparser reads it.
 */
function attachmentWithoutParser(
  entity: Entity,
  fields: Map<string, string[]>,
  ct: ContentType,
): { content: Buffer; filename: string | undefined } | undefined {
  const types = fields.get('content-type') ?? [];
  const dispositions = fields.get('content-disposition') ?? [];
  const encodings = fields.get('content-transfer-encoding') ?? [];
  if (types.length !== 1 || dispositions.length > 1 || encodings.length !== 1) return undefined;
  if (encodings[0].trim().toLowerCase() !== 'base64') return undefined;
  const disposition = dispositions.length ? parseHeaderParams(dispositions[0]) : undefined;
  const inline = !disposition || disposition.value.toLowerCase() === 'inline';
  if (inline && PARSER_TEXT_TYPES.has(ct.type)) return undefined;
  if ([types[0], dispositions[0] ?? ''].some((v) => v.includes('*') || v.includes('\\') || v.includes('=?')))
    return undefined;
  const filename = disposition?.params.filename || ct.params.name || undefined;
  if (filename !== undefined && !PLAIN_FILENAME.test(filename)) return undefined;
  return { content: decodeBase64(entity.body), filename };
}

const PLAIN_FILENAME = /^[\w.()+,-](?:[\w .()+,-]*[\w.()+,-])?$/;

/** Parts larger than this that are not body text are decoded without mailparser (base64 only). */
const WHOLE_PARSE_BYTES = 1024 * 1024;
/** Base64 bodies larger than this are decoded to a temporary file rather than into memory. */
const SPOOL_BYTES = 16 * 1024 * 1024;

const bufferSource = (data: Buffer): ItemSource => ({ kind: 'buffer', data });

function isBase64(fields: Map<string, string[]>): boolean {
  return (fields.get('content-transfer-encoding')?.[0] ?? '').trim().toLowerCase() === 'base64';
}

async function attachment(
  source: ItemSource,
  filename: string | undefined,
  type: string,
  input: ItemInput,
  ctx: ExtractContext,
  state: WalkState,
): Promise<void> {
  state.attachments++;
  const name = safeName(filename) ?? `attachment-${state.attachments}${extensionForType(type)}`;
  await ctx.child({
    ref: { path: input.ref.path, itemPath: [...input.ref.itemPath, unique(`attachment ${name}`, state)] },
    name,
    source,
    contentType: type,
  });
}

async function attachedMessage(
  entity: Entity,
  fields: Map<string, string[]>,
  input: ItemInput,
  ctx: ExtractContext,
  state: WalkState,
): Promise<void> {
  const cte = (fields.get('content-transfer-encoding')?.[0] ?? '').toLowerCase();
  let inner = entity.body;
  if (cte === 'base64' || cte === 'quoted-printable') {
    const parsed = await simpleParser(
      Buffer.concat([
        Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: '),
        Buffer.from(cte),
        Buffer.from('\r\n\r\n'),
        entity.body,
      ]),
      PARSE_OPTIONS,
    );
    inner = parsed.attachments[0]?.content ?? inner;
  }
  state.messages++;
  const id = messageIdOf(splitEntity(inner).header);
  const segment = id ? `message ${id}` : `message #${state.messages}`;
  const disp = fields.get('content-disposition')?.[0] ?? '';
  const filename = /filename\*?="?([^";]+)/i.exec(disp)?.[1];
  const name = filename && /\.eml$/i.test(filename) ? filename : 'message.eml';
  await ctx.child({
    ref: { path: input.ref.path, itemPath: [...input.ref.itemPath, unique(segment, state)] },
    name,
    source: { kind: 'buffer', data: inner },
    contentType: 'message/rfc822',
  });
}

function searchText(text: string, ctx: ExtractContext, state: WalkState): void {
  if (!text.trim()) return;
  state.texts++;
  ctx.text(text, { field: state.texts === 1 ? 'body' : `body ${state.texts}` });
}

function searchHtml(html: string, ctx: ExtractContext, state: WalkState): void {
  if (!html.trim()) return;
  state.htmls++;
  const field = state.htmls === 1 ? 'html' : `html ${state.htmls}`;
  const { body, attributes } = htmlToText(html);
  ctx.text(body, { field });
  if (attributes.trim()) ctx.text(attributes, { field: `${field} attributes`, structured: true });
}

function safeName(name: string | undefined): string | undefined {
  const base = name
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return base ? base.slice(0, 255) : undefined;
}

/** Two attachments with the same name (or attached messages with the same id) in one message: the second gets ` #2`. */
function unique(segment: string, state: WalkState): string {
  const n = (state.segments.get(segment) ?? 0) + 1;
  state.segments.set(segment, n);
  return n === 1 ? segment : `${segment} #${n}`;
}

/**
 * An mbox slice starts with its `From ` envelope line and has body lines starting `From ` escaped as
 * `>From ` (mboxrd: one `>` removed from `>+From `). Returns the RFC 822 message inside.
 */
export function unwrapMboxMessage(raw: Buffer): Buffer {
  if (!(raw[0] === 0x46 && raw.subarray(0, 5).toString('latin1') === 'From ')) return raw;
  const nl = raw.indexOf(0x0a);
  const msg = nl === -1 ? raw.subarray(raw.length) : raw.subarray(nl + 1);
  if (msg.indexOf('>From ') === -1) return msg;
  return Buffer.from(msg.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
}

/**
 * A top-level message file is its own message: record it so that erasure and the TUI know the whole
 * file is one message. Nested messages inherit their container's MessageRef instead.
 */
export async function markMessageFile(
  input: ItemInput,
  raw: Buffer,
  kind: MessageRef['kind'],
): Promise<void> {
  if (input.message || input.depth !== 0) return;
  const fingerprint: MessageRef['fingerprint'] = {
    size: raw.length,
    sha256: createHash('sha256').update(raw).digest('hex'),
  };
  // The walk's own lstat, when there was one: taken before the bytes were read, so a message changed
  // in between can only look stale to an erasure (its sha256 is of the bytes read), never current.
  if (input.source.kind === 'file')
    fingerprint.mtimeMs = input.source.mtimeMs ?? (await stat(fsPath(input.source.absPath))).mtimeMs;
  input.message = { kind, itemPath: [], fingerprint };
}

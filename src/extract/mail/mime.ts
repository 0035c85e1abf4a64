/**
 * Just enough RFC 5322/2046 structure to walk a message's MIME tree ourselves: mailparser flattens
 * attached messages into their parent (their text and attachments merged in), which would lose the
 * `message <id>` level of itemPath. Decoding of each leaf (charsets, QP, base64, RFC 2047/2231) stays
 * with mailparser.
 */

export interface Entity {
  header: Buffer;
  body: Buffer;
}

/** Splits at the first empty line. A part that starts with an empty line has no header. */
export function splitEntity(raw: Buffer): Entity {
  if (raw[0] === 0x0a) return { header: raw.subarray(0, 0), body: raw.subarray(1) };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { header: raw.subarray(0, 0), body: raw.subarray(2) };
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (lf === -1 && crlf === -1) return { header: raw, body: raw.subarray(raw.length) };
  if (crlf !== -1 && (lf === -1 || crlf < lf))
    return { header: raw.subarray(0, crlf + 2), body: raw.subarray(crlf + 4) };
  return { header: raw.subarray(0, lf + 1), body: raw.subarray(lf + 2) };
}

/** Unfolded header fields by lower-case name, in order. Values are raw (latin1), not RFC 2047 decoded. */
export function headerFields(header: Buffer): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const unfolded = header.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    fields.set(key, [...(fields.get(key) ?? []), m[2].trim()]);
  }
  return fields;
}

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

export function parseContentType(value: string | undefined): ContentType | undefined {
  if (!value) return undefined;
  const { value: type, params } = parseHeaderParams(value);
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(type)) return undefined;
  return { type, params };
}

/** A structured header's value (lower case) and its parameters (names lower case, values unquoted). */
export function parseHeaderParams(value: string): { value: string; params: Record<string, string> } {
  const [head, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { value: head.trim().toLowerCase(), params };
}

/** Splits `a; b="x;y"; c` at semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && quoted) {
      cur += ch + (value[i + 1] ?? '');
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface Multipart {
  parts: Buffer[];
  /** At least one delimiter line was found. */
  found: boolean;
  /** The closing `--boundary--` line was found. */
  closed: boolean;
}

/** The body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1). The preamble and epilogue are dropped. */
export function splitMultipart(body: Buffer, boundary: string): Multipart {
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let found = false;
  let from = 0;
  for (;;) {
    const at = body.indexOf(delim, from);
    if (at === -1) break;
    from = at + delim.length;
    if (at !== 0 && body[at - 1] !== 0x0a) continue;
    const after = at + delim.length;
    const closing = body[after] === 0x2d && body[after + 1] === 0x2d;
    // The rest of the delimiter line must be blank (transport padding), or it is text that merely starts alike.
    const eol = body.indexOf(0x0a, after);
    const tail = body
      .subarray(closing ? after + 2 : after, eol === -1 ? body.length : eol)
      .toString('latin1');
    if (tail.trim() !== '') continue;
    found = true;
    if (partStart !== -1) parts.push(body.subarray(partStart, trimLineBreak(body, at)));
    if (closing) return { parts, found, closed: true };
    partStart = eol === -1 ? body.length : eol + 1;
    from = partStart;
  }
  if (partStart !== -1) parts.push(body.subarray(partStart));
  return { parts, found, closed: false };
}

/** The CRLF (or LF) before a delimiter belongs to the delimiter, not to the part. */
function trimLineBreak(body: Buffer, at: number): number {
  if (at >= 2 && body[at - 2] === 0x0d && body[at - 1] === 0x0a) return at - 2;
  if (at >= 1 && body[at - 1] === 0x0a) return at - 1;
  return at;
}

/** The Message-ID with its angle brackets (`<abc@example.dk>`), or undefined. Control characters are dropped. */
export function messageIdOf(header: Buffer): string | undefined {
  const v = headerFields(header).get('message-id')?.[0];
  if (!v) return undefined;
  const m = /<[^<>\s]+>/.exec(v);
  const id = (m ? m[0] : v.trim()).replace(/[\u0000-\u001f\u007f]/g, '');
  if (!id) return undefined;
  return id.length > 250 ? `${id.slice(0, 250)}…` : id;
}

const EXT_BY_TYPE: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/json': '.json',
  'application/msword': '.doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.oasis.opendocument.text': '.odt',
  'application/vnd.oasis.opendocument.spreadsheet': '.ods',
  'application/vnd.ms-outlook': '.msg',
  'message/rfc822': '.eml',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/csv': '.csv',
  'text/calendar': '.ics',
  'text/vcard': '.vcf',
  'text/x-vcard': '.vcf',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
};

/** A file name suffix for an attachment that has no name, so the right extractor reads it. */
export function extensionForType(type: string): string {
  return EXT_BY_TYPE[type] ?? '.bin';
}

const BASE64_PIECE = 1 << 20;
const NOT_BASE64 = /[^A-Za-z0-9+/=]+/g;

/**
 * A base64 body decoded as mailparser decodes it (characters outside the alphabet skipped, each `=`
 * ending a run of groups), without copies or a string of the whole: into one buffer.
 */
export function decodeBase64(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil((body.length * 3) / 4));
  let written = 0;
  for (const run of base64Runs(body)) written += out.write(run, written, 'base64');
  return out.subarray(0, written);
}

/** The same, piece by piece (to a file, for an attachment too large to hold). */
export function* decodeBase64Pieces(body: Buffer): Generator<Buffer> {
  for (const run of base64Runs(body)) if (run) yield Buffer.from(run, 'base64');
}

/** The body's base64 in runs that each decode alone: whole groups, or the groups before a `=`. */
function* base64Runs(body: Buffer): Generator<string> {
  let carry = '';
  for (let i = 0; i < body.length; i += BASE64_PIECE) {
    const piece =
      carry + body.toString('latin1', i, Math.min(body.length, i + BASE64_PIECE)).replace(NOT_BASE64, '');
    let at = 0;
    for (let pad = piece.indexOf('=', at); pad !== -1; pad = piece.indexOf('=', at)) {
      yield piece.slice(at, pad);
      for (at = pad; piece.charCodeAt(at) === 61; ) at++;
    }
    const whole = at + ((piece.length - at) & ~3);
    yield piece.slice(at, whole);
    carry = piece.slice(whole);
  }
  yield carry;
}

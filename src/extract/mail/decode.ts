/**
 * Transfer encodings undone in bulk, byte by byte, for the subject scan's look at a message before (or
 * instead of) mailparser: each gives the very bytes mailparser's decoders give, or says it cannot.
 */

const EQ = 0x3d;
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;

/** The value of each ASCII hex digit; -1 for every other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/**
 * Quoted-printable decoded exactly as libqp's `decode` (mailparser's splitter decodes with it) does:
 * white space at the end of a line (before CR or LF) dropped, then every `=` before CRLF, LF or the
 * end removed with its line break (a soft break), then `=XX` read as a byte; anything else is itself.
 */
export function decodeQuotedPrintable(input: Uint8Array): Buffer {
  // Pass 1: line ends and soft breaks, into `out`; pass 2 reads the `=XX` escapes in place.
  const length = input.length;
  const out = new Uint8Array(length);
  let n = 0;
  /** Where the run of spaces and tabs that ends `out` begins, or -1. */
  let blanks = -1;
  /** A soft break was removed here: an `=` before it is no longer the one before a line break. */
  let guard = 0;
  for (let i = 0; i < length; i++) {
    const c = input[i];
    if (c > SP && c !== EQ) {
      blanks = -1;
      out[n++] = c;
    } else if (c === SP || c === TAB) {
      if (blanks === -1) blanks = n;
      out[n++] = c;
    } else if (c === CR || c === LF) {
      if (blanks !== -1) n = blanks;
      blanks = -1;
      if (c === LF && n - 1 >= guard && out[n - 1] === EQ) guard = --n;
      else if (c === LF && n - 2 >= guard && out[n - 1] === CR && out[n - 2] === EQ) guard = n -= 2;
      else out[n++] = c;
    } else {
      blanks = -1;
      out[n++] = c;
    }
  }
  if (blanks !== -1) n = blanks;
  if (n - 1 >= guard && out[n - 1] === EQ) n--;
  let w = 0;
  for (let r = 0; r < n; r++) {
    const c = out[r];
    if (c === EQ && r + 2 < n) {
      const hi = HEX[out[r + 1]];
      const lo = HEX[out[r + 2]];
      if ((hi | lo) >= 0) {
        out[w++] = (hi << 4) | lo;
        r += 2;
        continue;
      }
    }
    out[w++] = c;
  }
  return Buffer.from(out.buffer, 0, w);
}

/** Base64 alphabet bytes: 1; white space: 2; `=`: 3; anything else 0. */
const B64_CLASS = new Uint8Array(256);
for (const c of Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'))
  B64_CLASS[c] = 1;
for (const c of [SP, TAB, CR, LF, 0x0b, 0x0c]) B64_CLASS[c] = 2;
B64_CLASS[EQ] = 3;

/**
 * Base64 of whole quartets with padding only at its end (white space anywhere), decoded; undefined
 * for anything else. Every decoder (mailparser's streams its input and reads padding in between as
 * well) gives these bytes for it; for other input they can differ.
 */
export function wellFormedBase64(body: Uint8Array): Buffer | undefined {
  let digits = 0;
  let pads = 0;
  for (let i = 0; i < body.length; i++) {
    const k = B64_CLASS[body[i]];
    if (k === 1) {
      if (pads) return undefined;
      digits++;
    } else if (k === 3) {
      if (++pads > 2) return undefined;
    } else if (k !== 2) return undefined;
  }
  if ((digits + pads) % 4 !== 0) return undefined;
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  return Buffer.from(b.toString('latin1'), 'base64');
}

/** Charsets (normalised: lower case, letters and digits) whose bytes a raw-byte test reads as they are. */
const RAW_CHARSETS = new Set([
  'utf8',
  'usascii',
  'ascii',
  'iso88591',
  'latin1',
  'l1',
  'iso885915',
  'windows1252',
  'cp1252',
]);

/** libmime's encoded word (RFC 2047), as its decodeWords finds them. */
const ENCODED_WORD = /=\?([\w_\-*]+)\?([QqBb])\?([^?]*)\?=/g;
const ADJACENT_WORDS = /(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g;

/**
 * A header block (unfolded, Latin-1) with its RFC 2047 encoded words replaced by their bytes, twice:
 * with the white space between adjacent words kept, and removed (as libmime joins them). Undefined
 * when an `=?` is no word libmime would find, or a word's charset is not one a raw-byte test reads as
 * bytes, or its base64 is not well formed: mailparser then reads the headers.
 */
export function headersWithWordsDecoded(header: string): [spaced: Buffer, joined: Buffer] | undefined {
  let ok = true;
  const decode = (text: string) =>
    text.replace(ENCODED_WORD, (_, charset: string, encoding: string, value: string) => {
      const bytes = ok ? encodedWordBytes(charset, encoding, value) : undefined;
      if (!bytes) {
        ok = false;
        return '';
      }
      return bytes.toString('latin1');
    });
  // An `=?` outside every word is one libmime would not decode either: nothing known of it here.
  if (header.replace(ENCODED_WORD, '').includes('=?')) return undefined;
  const spaced = Buffer.from(decode(header), 'latin1');
  const together = header.replace(ADJACENT_WORDS, '$1');
  // Most headers have no adjacent words: then both readings are one.
  const joined = together === header ? spaced : Buffer.from(decode(together), 'latin1');
  return ok ? [spaced, joined] : undefined;
}

function encodedWordBytes(charset: string, encoding: string, value: string): Buffer | undefined {
  const name = charset
    .split('*')[0]
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (!RAW_CHARSETS.has(name)) return undefined;
  if (encoding === 'B' || encoding === 'b') return wellFormedBase64(Buffer.from(value, 'latin1'));
  // As libmime's decodeWord reads Q: `= 4F` is `=4F`, `_` and white space are spaces.
  const q = Buffer.from(value.replace(/=\s+([0-9a-fA-F])/g, '=$1').replace(/[_\s]/g, ' '), 'latin1');
  let w = 0;
  for (let r = 0; r < q.length; r++) {
    const hi = q[r] === EQ && r + 2 < q.length ? HEX[q[r + 1]] : -1;
    const lo = hi === -1 ? -1 : HEX[q[r + 2]];
    if (lo !== -1) {
      q[w++] = (hi << 4) | lo;
      r += 2;
    } else q[w++] = q[r];
  }
  return q.subarray(0, w);
}

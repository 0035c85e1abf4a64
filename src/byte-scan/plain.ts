import { LETTER_LIMIT, letterBits } from './letters.js';
import { type ByteProgram, programPattern } from './programs.js';

/**
 * The byte-scan module's primitives in plain TypeScript: the fastest versions found without WebAssembly
 * (Buffer.indexOf, regexes, typed arrays, 32-bit words). They are the yardstick the bench measures the
 * module against (bench/byte-scan.ts) and the reference its tests compare it with; dsr itself runs the
 * module.
 */

/** `ByteScanner`: each program's regex (programPattern) over the block as a Latin-1 string. */
export class PlainScanner {
  private readonly res: RegExp[];
  private text = '';

  constructor(programs: readonly ByteProgram[]) {
    this.res = programs.map((p) => new RegExp(programPattern(p), 'g'));
  }

  load(bytes: Buffer): void {
    this.text = bytes.toString('latin1');
  }

  found(program: number): boolean {
    return this.next(program, 0) !== -1;
  }

  next(program: number, from: number): number {
    const re = this.res[program];
    re.lastIndex = from;
    return re.exec(this.text)?.index ?? -1;
  }
}

/** `ByteCounter.count`, four bytes at a time. */
export function countPlain(bytes: Uint8Array): {
  continuation: number;
  fourByteLeads: number;
  lineFeeds: number;
  fromU0300: boolean;
} {
  let continuation = 0;
  let fourByteLeads = 0;
  let lineFeeds = 0;
  let high = 0;
  let i = 0;
  const words = Math.floor(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let w = 0; w < words; w++, i += 4) {
    const v = view.getUint32(i, true);
    const top = v & 0x80808080;
    if (top) {
      // 10xxxxxx: bit 7 set, bit 6 clear; 1111xxxx: bits 7 to 4 set; from 0xCC: bit 7 and (b & 0x7f) >= 0x4c.
      continuation += bytesSet(top & ~(v << 1));
      fourByteLeads += bytesSet(top & (v << 1) & (v << 2) & (v << 3));
      high |= top & ((v & 0x7f7f7f7f) + 0x34343434);
    }
    // A byte equal to 0x0a: zero after the xor.
    const x = v ^ 0x0a0a0a0a;
    lineFeeds += bytesSet(~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080);
  }
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80) continuation++;
    if (b >= 0xf0) fourByteLeads++;
    if (b === 0x0a) lineFeeds++;
    if (b >= 0xcc) high = 1;
  }
  return { continuation, fourByteLeads, lineFeeds, fromU0300: high !== 0 };
}

/** How many of a word's four bytes have their top bit set (the rest clear). */
function bytesSet(bits: number): number {
  return Math.imul((bits >>> 7) & 0x01010101, 0x01010101) >>> 24;
}

const DIGITS = /[0-9]+/g;

/** `DigitRuns.of`: `[start0, end0, …]` of the runs of ASCII digits. */
export function digitRunsPlain(text: string): Int32Array {
  // At most one run for every two units.
  const out = new Int32Array(Math.ceil(text.length / 2) * 2 + 2);
  let n = 0;
  DIGITS.lastIndex = 0;
  for (let m = DIGITS.exec(text); m; m = DIGITS.exec(text)) {
    out[n++] = m.index;
    out[n++] = m.index + m[0].length;
  }
  return out.subarray(0, n);
}

const NOT_LATIN1 = /[^\u0000-\u00ff]/;
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `Latin1Decoder.decode` by TextDecoder: undefined unless the bytes are UTF-8 of characters up to U+00FF. */
export function latin1FromUtf8Plain(
  lead: number,
  piece: Uint8Array,
): { text: string; lead: number } | undefined {
  const bytes = lead === -1 ? piece : Buffer.concat([Uint8Array.of(lead), piece]);
  // A lead of U+0080–U+00FF at the very end waits for the next piece.
  const last = bytes.length ? bytes[bytes.length - 1] : -1;
  const left = last === 0xc2 || last === 0xc3 ? last : -1;
  let text: string;
  try {
    text = utf8.decode(left === -1 ? bytes : bytes.subarray(0, bytes.length - 1));
  } catch {
    return undefined;
  }
  return NOT_LATIN1.test(text) ? undefined : { text, lead: left };
}

/** `FilterHasher.hash`: SipHash-2-4 of each string's UTF-8 under a 16-byte key, 8 bytes each, in 32-bit halves. */
export function sipHashesPlain(key: Uint8Array, strings: readonly string[]): Uint8Array {
  const k = new DataView(key.buffer, key.byteOffset, 16);
  const k0l = k.getUint32(0, true);
  const k0h = k.getUint32(4, true);
  const k1l = k.getUint32(8, true);
  const k1h = k.getUint32(12, true);
  const out = new Uint8Array(8 * strings.length);
  const outView = new DataView(out.buffer);
  let buffer = new Uint8Array(256);
  strings.forEach((s, n) => {
    // UTF-8 takes at most three bytes a UTF-16 unit.
    if (buffer.length < 3 * s.length) buffer = new Uint8Array(3 * s.length);
    const { written: length } = encoder.encodeInto(s, buffer);
    const b = buffer;
    let v0h = k0h ^ 0x736f6d65;
    let v0l = k0l ^ 0x70736575;
    let v1h = k1h ^ 0x646f7261;
    let v1l = k1l ^ 0x6e646f6d;
    let v2h = k0h ^ 0x6c796765;
    let v2l = k0l ^ 0x6e657261;
    let v3h = k1h ^ 0x74656462;
    let v3l = k1l ^ 0x79746573;
    let lo: number;
    let hi: number;
    let t: number;
    const round = () => {
      lo = (v0l + v1l) >>> 0;
      v0h = (v0h + v1h + (lo < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      hi = (v1h << 13) | (v1l >>> 19);
      lo = (v1l << 13) | (v1h >>> 19);
      v1h = hi ^ v0h;
      v1l = lo ^ v0l;
      t = v0h;
      v0h = v0l;
      v0l = t;
      lo = (v2l + v3l) >>> 0;
      v2h = (v2h + v3h + (lo < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      hi = (v3h << 16) | (v3l >>> 16);
      lo = (v3l << 16) | (v3h >>> 16);
      v3h = hi ^ v2h;
      v3l = lo ^ v2l;
      lo = (v0l + v3l) >>> 0;
      v0h = (v0h + v3h + (lo < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      hi = (v3h << 21) | (v3l >>> 11);
      lo = (v3l << 21) | (v3h >>> 11);
      v3h = hi ^ v0h;
      v3l = lo ^ v0l;
      lo = (v2l + v1l) >>> 0;
      v2h = (v2h + v1h + (lo < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      hi = (v1h << 17) | (v1l >>> 15);
      lo = (v1l << 17) | (v1h >>> 15);
      v1h = hi ^ v2h;
      v1l = lo ^ v2l;
      t = v2h;
      v2h = v2l;
      v2l = t;
    };
    const full = length & ~7;
    for (let i = 0; i <= full; i += 8) {
      let ml = 0;
      let mh = 0;
      if (i < full) {
        ml = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
        mh = b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24);
      } else {
        // The last word: the bytes left, and the length's low byte on top.
        for (let j = 0; j < length - full; j++)
          if (j < 4) ml |= b[full + j] << (8 * j);
          else mh |= b[full + j] << (8 * (j - 4));
        mh |= (length & 0xff) << 24;
      }
      v3h ^= mh;
      v3l ^= ml;
      round();
      round();
      v0h ^= mh;
      v0l ^= ml;
    }
    v2l ^= 0xff;
    for (let r = 0; r < 4; r++) round();
    outView.setInt32(8 * n, v0l ^ v1l ^ v2l ^ v3l, true);
    outView.setInt32(8 * n + 4, v0h ^ v1h ^ v2h ^ v3h, true);
  });
  return out;
}

/**
 * `SeenWords.forEachNew`'s words: the letter runs (`\p{L}` per code point, two UTF-16 units or more) of
 * a text not seen before by this object, which remembers at most `limit` words shorter than 13 units
 * (a longer word, or one past the limit, is reported each time it occurs). Found and remembered as the
 * module does, with a letter table and an open-addressing table of hashes, without a string for a
 * word seen before.
 */
export class NewWordsPlain {
  private readonly letters = letterBits();
  private readonly hashes = new Int32Array(SLOTS);
  private readonly starts = new Int32Array(SLOTS);
  private readonly lengths = new Int32Array(SLOTS);
  private readonly used = new Uint8Array(SLOTS);
  private readonly arena: Uint16Array;
  private top = 0;
  private count = 0;

  constructor(private readonly limit: number) {
    this.arena = new Uint16Array(limit * 12);
  }

  forEachNew(text: string, fn: (word: string) => void): void {
    const len = text.length;
    let i = 0;
    while (i < len) {
      const start = i;
      let h = 0x811c9dc5;
      for (let units = this.letterAt(text, i); units; units = this.letterAt(text, i)) {
        h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
        if (units === 2) h = Math.imul(h ^ text.charCodeAt(i + 1), 0x01000193);
        i += units;
      }
      if (i === start) {
        i++;
        continue;
      }
      if (i - start >= 2 && !this.seen(text, start, i - start, h)) fn(text.slice(start, i));
    }
  }

  /** Units of the letter at unit i: 1, 2 for a letter outside the BMP, 0 for none. */
  private letterAt(text: string, i: number): number {
    if (i >= text.length) return 0;
    const u = text.charCodeAt(i);
    if ((u & 0xfc00) === 0xd800 && i + 1 < text.length) {
      const v = text.charCodeAt(i + 1);
      if ((v & 0xfc00) === 0xdc00) {
        const cp = (((u - 0xd800) << 10) | (v - 0xdc00)) + 0x10000;
        return cp < LETTER_LIMIT && (this.letters[cp >> 3] >> (cp & 7)) & 1 ? 2 : 0;
      }
    }
    return (this.letters[u >> 3] >> (u & 7)) & 1;
  }

  private seen(text: string, start: number, n: number, h: number): boolean {
    let slot = h & (SLOTS - 1);
    for (; this.used[slot]; slot = (slot + 1) & (SLOTS - 1)) {
      if (this.hashes[slot] !== h || this.lengths[slot] !== n) continue;
      const at = this.starts[slot];
      let k = 0;
      while (k < n && this.arena[at + k] === text.charCodeAt(start + k)) k++;
      if (k === n) return true;
    }
    if (n >= 13 || this.count >= this.limit) return false;
    this.used[slot] = 1;
    this.hashes[slot] = h;
    this.lengths[slot] = n;
    this.starts[slot] = this.top;
    for (let k = 0; k < n; k++) this.arena[this.top + k] = text.charCodeAt(start + k);
    this.top += n;
    this.count++;
    return false;
  }
}

const SLOTS = 1 << 17;

/**
 * The record layer of BIFF8, the Excel 97-2003 `Workbook` stream: records, the CONTINUE records that
 * carry on a long one, and the Unicode strings that may be split across them (MS-XLS 2.1.4, 2.5.293).
 */

export const CONTINUE = 0x003c;

export interface BiffRecord {
  type: number;
  /** Where the record's header starts in the stream. */
  offset: number;
  data: Buffer;
}

/** The records from `offset` on; stops at the end of the stream or at a record cut short by it. */
export function* records(stream: Buffer, offset = 0): Generator<BiffRecord> {
  let p = offset;
  while (p + 4 <= stream.length) {
    const type = stream.readUInt16LE(p);
    const length = stream.readUInt16LE(p + 2);
    if (p + 4 + length > stream.length) return;
    yield { type, offset: p, data: stream.subarray(p + 4, p + 4 + length) };
    p += 4 + length;
  }
}

/**
 * Reads a record and its CONTINUE records as one: plain fields run on across a boundary, and a string's
 * characters do too, each continuation starting with a new flags byte (compressed or UTF-16).
 */
export class ContinuedReader {
  private segment = 0;
  private pos = 0;

  constructor(private readonly segments: Buffer[]) {}

  get done(): boolean {
    this.skipEmpty();
    return this.segment >= this.segments.length;
  }

  u8(): number {
    this.skipEmpty();
    const s = this.segments[this.segment];
    if (!s) throw new RangeError('record ends early');
    return s[this.pos++];
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }

  skip(bytes: number): void {
    let left = bytes;
    while (left > 0) {
      this.skipEmpty();
      const s = this.segments[this.segment];
      if (!s) return;
      const n = Math.min(left, s.length - this.pos);
      this.pos += n;
      left -= n;
    }
  }

  /** `count` characters, 8-bit (`high` false: Latin-1) or UTF-16, re-flagged at each continuation. */
  chars(count: number, high: boolean): string {
    const out: string[] = [];
    let left = count;
    let wide = high;
    while (left > 0) {
      let s = this.segments[this.segment];
      if (s && this.pos >= s.length) {
        // Characters carried on in a CONTINUE record: it starts with their flags byte.
        this.segment++;
        this.pos = 0;
        s = this.segments[this.segment];
        if (s?.length) wide = (s[this.pos++] & 1) === 1;
        continue;
      }
      if (!s) throw new RangeError('string ends early');
      const width = wide ? 2 : 1;
      const n = Math.min(left, Math.floor((s.length - this.pos) / width));
      if (n === 0) throw new RangeError('string split inside a character');
      const bytes = s.subarray(this.pos, this.pos + n * width);
      out.push(wide ? bytes.toString('utf16le') : bytes.toString('latin1'));
      this.pos += n * width;
      left -= n;
    }
    return out.join('');
  }

  /** An XLUnicodeRichExtendedString (the shared strings table): its text, runs and phonetic data skipped. */
  richString(): string {
    const count = this.u16();
    const flags = this.u8();
    const runs = flags & 0x08 ? this.u16() : 0;
    const extension = flags & 0x04 ? this.u32() : 0;
    const text = this.chars(count, (flags & 1) === 1);
    this.skip(runs * 4 + extension);
    return text;
  }

  private skipEmpty(): void {
    while (this.segment < this.segments.length && this.pos >= this.segments[this.segment].length) {
      this.segment++;
      this.pos = 0;
    }
  }
}

/** An XLUnicodeString (2-byte count) or ShortXLUnicodeString (1-byte count) at `at` of one record. */
export function unicodeString(data: Buffer, at: number, countBytes: 1 | 2): string {
  if (at + countBytes + 1 > data.length) return '';
  const count = countBytes === 1 ? data[at] : data.readUInt16LE(at);
  const flags = data[at + countBytes];
  const start = at + countBytes + 1;
  return flags & 1
    ? data.toString('utf16le', start, Math.min(data.length, start + count * 2))
    : data.toString('latin1', start, Math.min(data.length, start + count));
}

/** The number an RK value holds (MS-XLS 2.5.217). */
export function rkNumber(rk: number): number {
  let n: number;
  if (rk & 2) n = rk >> 2;
  else {
    const b = Buffer.alloc(8);
    b.writeInt32LE(rk & ~3, 4);
    n = b.readDoubleLE(0);
  }
  return rk & 1 ? n / 100 : n;
}

/** `A1`-style name of a zero-based cell. */
export function cellName(row: number, col: number): string {
  let letters = '';
  for (let c = col + 1; c > 0; c = Math.floor((c - 1) / 26))
    letters = String.fromCharCode(65 + ((c - 1) % 26)) + letters;
  return `${letters}${row + 1}`;
}

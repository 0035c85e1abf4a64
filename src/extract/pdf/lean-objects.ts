import { inflateSync } from 'node:zlib';

/**
 * The object layer of the lean PDF reader (see lean-text.ts): a lexer for PDF's value syntax, the
 * cross-reference table or stream, object streams and Flate streams. Anything it does not fully
 * understand throws `NotLean`, and the caller reads the file with pdf.js instead.
 */
export class NotLean extends Error {
  override name = 'NotLean';
}

export function notLean(why: string): never {
  throw new NotLean(why);
}

export class Name {
  constructor(readonly name: string) {}
}
export class Ref {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
/** A string's bytes. */
export class PdfString {
  constructor(readonly bytes: Uint8Array) {}
  /** The bytes one char each (latin1). */
  get text(): string {
    return latin1(this.bytes, 0, this.bytes.length);
  }
}
/** An operator in a content stream, or a keyword (`obj`, `R`, `stream`) in a file. */
export class Op {
  constructor(readonly op: string) {}
}
export type Dict = Map<string, Value>;
export type Value = number | boolean | null | Name | Ref | PdfString | Value[] | Dict | Stream | Op;
export interface Stream {
  dict: Dict;
  /** The raw bytes between `stream` and `endstream`. */
  raw: Uint8Array;
}

export function isDict(v: Value | undefined): v is Dict {
  return v instanceof Map;
}
export function isStream(v: Value | undefined): v is Stream {
  return typeof v === 'object' && v !== null && 'raw' in v && 'dict' in v;
}

const WHITE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITE[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 16; i++)
  HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
/** Operators of up to three bytes by those bytes: one object each, however often a stream uses them. */
const SHORT_OPS = new Map<number, Op>();

/** Nesting of arrays and dictionaries past which a file is left to pdf.js. */
const MAX_DEPTH = 64;

/** Reads PDF values from `data`, starting at `pos`. */
export class Lexer {
  pos: number;
  constructor(
    readonly data: Uint8Array,
    pos = 0,
    readonly end = data.length,
  ) {
    this.pos = pos;
  }

  skipSpace(): void {
    const d = this.data;
    for (;;) {
      while (this.pos < this.end && WHITE[d[this.pos]]) this.pos++;
      if (this.pos < this.end && d[this.pos] === 0x25) {
        while (this.pos < this.end && d[this.pos] !== 0x0a && d[this.pos] !== 0x0d) this.pos++;
      } else return;
    }
  }

  /** The next value, with `n g R` folded into a `Ref`; undefined at the end. */
  next(depth = 0): Value | undefined {
    if (depth > MAX_DEPTH) notLean('nesting too deep');
    this.skipSpace();
    if (this.pos >= this.end) return undefined;
    const d = this.data;
    const c = d[this.pos];
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literal();
    if (c === 0x3c) {
      if (d[this.pos + 1] === 0x3c) {
        this.pos += 2;
        return this.dict(depth);
      }
      return this.hex();
    }
    if (c === 0x5b) {
      this.pos++;
      const items: Value[] = [];
      for (;;) {
        this.skipSpace();
        if (this.pos >= this.end) notLean('unterminated array');
        if (d[this.pos] === 0x5d) {
          this.pos++;
          return items;
        }
        const v = this.next(depth + 1);
        if (v === undefined) notLean('unterminated array');
        if (v instanceof Op) {
          if (v.op !== 'R') notLean(`operator ${v.op} in an array`);
          this.foldRef(items);
        } else items.push(v);
      }
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) return this.number();
    if (DELIM[c]) notLean(`unexpected ${String.fromCharCode(c)}`);
    const start = this.pos;
    // Operators of up to three bytes are looked up by their bytes, without making a string.
    let key = 0;
    while (this.pos < this.end && !WHITE[d[this.pos]] && !DELIM[d[this.pos]]) {
      if (this.pos - start < 3) key = key * 256 + d[this.pos];
      this.pos++;
    }
    if (this.pos - start <= 3) {
      const op = SHORT_OPS.get(key);
      if (op) return op;
    }
    const word = latin1(d, start, this.pos);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    const op = new Op(word);
    if (word.length <= 3 && SHORT_OPS.size < 1000) SHORT_OPS.set(key, op);
    return op;
  }

  private foldRef(items: Value[]): void {
    const gen = items.pop();
    const num = items.pop();
    if (typeof num !== 'number' || typeof gen !== 'number') notLean('malformed reference');
    items.push(new Ref(num, gen));
  }

  private dict(depth: number): Dict {
    const dict: Dict = new Map();
    const d = this.data;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end) notLean('unterminated dictionary');
      if (d[this.pos] === 0x3e && d[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return dict;
      }
      const key = this.next(depth + 1);
      if (!(key instanceof Name)) notLean('dictionary key is not a name');
      let value = this.next(depth + 1);
      if (value === undefined || value instanceof Op) notLean(`dictionary entry ${key.name} has no value`);
      if (typeof value === 'number') {
        // `n g R`: looked ahead, and undone when it is not a reference.
        const at = this.pos;
        this.skipSpace();
        const c = d[this.pos];
        const gen = c >= 0x30 && c <= 0x39 ? this.next(depth + 1) : undefined;
        this.skipSpace();
        const e = d[this.pos + 1];
        if (typeof gen === 'number' && d[this.pos] === 0x52 && (e === undefined || WHITE[e] || DELIM[e])) {
          this.pos++;
          value = new Ref(value, gen);
        } else this.pos = at;
      }
      dict.set(key.name, value);
    }
  }

  /** pdf.js's `getNumber` for the plain forms (`12`, `-3.5`, `.25`), the same arithmetic. */
  private number(): number {
    const d = this.data;
    let sign = 1;
    let c = d[this.pos];
    if (c === 0x2d || c === 0x2b) {
      if (c === 0x2d) sign = -1;
      c = d[++this.pos];
    }
    let divideBy = 0;
    if (c === 0x2e) {
      divideBy = 10;
      c = d[++this.pos];
    }
    if (!(c >= 0x30 && c <= 0x39)) notLean('unusual number');
    let value = c - 0x30;
    while (++this.pos < this.end) {
      c = d[this.pos];
      if (c >= 0x30 && c <= 0x39) {
        if (divideBy !== 0) divideBy *= 10;
        value = value * 10 + (c - 0x30);
      } else if (c === 0x2e && divideBy === 0) divideBy = 1;
      else break;
    }
    if (this.pos < this.end && !WHITE[c] && !DELIM[c]) notLean('unusual number');
    if (divideBy !== 0) value /= divideBy;
    return sign * value;
  }

  private name(): Name {
    const d = this.data;
    const start = ++this.pos;
    while (this.pos < this.end && !WHITE[d[this.pos]] && !DELIM[d[this.pos]]) this.pos++;
    const raw = latin1(d, start, this.pos);
    if (raw.includes('#')) notLean('escaped name');
    return new Name(raw);
  }

  private hex(): PdfString {
    const d = this.data;
    const close = d.indexOf(0x3e, this.pos);
    if (close === -1 || close >= this.end) notLean('unterminated hex string');
    const bytes = new Uint8Array((close - this.pos) >> 1);
    let n = 0;
    let high = -1;
    for (let i = this.pos + 1; i < close; i++) {
      const v = HEX[d[i]];
      if (v === 255) {
        if (WHITE[d[i]]) continue;
        notLean('bad hex string');
      }
      if (high < 0) high = v;
      else {
        bytes[n++] = high * 16 + v;
        high = -1;
      }
    }
    if (high >= 0) bytes[n++] = high * 16;
    this.pos = close + 1;
    return new PdfString(bytes.subarray(0, n));
  }

  private literal(): PdfString {
    const d = this.data;
    const start = ++this.pos;
    // The common string, without escapes or nested parentheses, is its bytes in the file.
    const close = d.indexOf(0x29, start);
    if (close !== -1 && close < this.end) {
      let plain = true;
      for (let i = start; i < close && plain; i++) plain = d[i] !== 0x5c && d[i] !== 0x28 && d[i] !== 0x0d;
      if (plain) {
        this.pos = close + 1;
        return new PdfString(d.subarray(start, close));
      }
    }
    let depth = 1;
    const out: number[] = [];
    while (this.pos < this.end) {
      const c = d[this.pos];
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        if (--depth === 0) {
          this.pos++;
          return new PdfString(Uint8Array.from(out));
        }
      } else if (c === 0x5c) {
        const e = d[++this.pos];
        this.pos++;
        if (e === 0x6e) out.push(0x0a);
        else if (e === 0x72) out.push(0x0d);
        else if (e === 0x74) out.push(0x09);
        else if (e === 0x62) out.push(0x08);
        else if (e === 0x66) out.push(0x0c);
        else if (e === 0x28 || e === 0x29 || e === 0x5c) out.push(e);
        else if (e >= 0x30 && e <= 0x37) {
          let n = e - 0x30;
          for (let k = 0; k < 2 && d[this.pos] >= 0x30 && d[this.pos] <= 0x37; k++)
            n = n * 8 + d[this.pos++] - 0x30;
          out.push(n & 0xff);
        } else if (e === 0x0d) {
          if (d[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) notLean('unusual string escape');
        continue;
      } else if (c === 0x0d) notLean('carriage return in a string');
      out.push(c);
      this.pos++;
    }
    return notLean('unterminated string');
  }
}

export function latin1(d: Uint8Array, start: number, end: number): string {
  // Short runs (tokens, a line of text) are cheaper without a Buffer.
  if (end - start <= 4096)
    return String.fromCharCode.apply(null, d.subarray(start, end) as unknown as number[]);
  return Buffer.from(d.buffer, d.byteOffset + start, end - start).toString('latin1');
}

/** A stream's decoded bytes: no filter or Flate, with at most PNG "Up" prediction. */
export function decodeStream(stream: Stream): Uint8Array {
  const filter = stream.dict.get('Filter');
  const names = Array.isArray(filter) ? filter : filter === undefined ? [] : [filter];
  if (names.length === 0) return stream.raw;
  if (names.length > 1 || !(names[0] instanceof Name) || names[0].name !== 'FlateDecode')
    notLean('stream filter other than Flate');
  let bytes: Uint8Array;
  try {
    bytes = inflateSync(stream.raw);
  } catch {
    return notLean('damaged Flate stream');
  }
  const parms = stream.dict.get('DecodeParms');
  if (parms === undefined || parms === null) return bytes;
  if (!isDict(parms)) return notLean('unusual DecodeParms');
  const predictor = parms.get('Predictor') ?? 1;
  if (predictor === 1) return bytes;
  if (predictor !== 12) notLean('predictor other than PNG Up');
  const columns = parms.get('Columns');
  if (
    typeof columns !== 'number' ||
    parms.get('Colors') !== undefined ||
    parms.get('BitsPerComponent') !== undefined
  )
    notLean('unusual predictor parameters');
  const row = columns + 1;
  if (bytes.length % row) notLean('predicted data not whole rows');
  const out = new Uint8Array((bytes.length / row) * columns);
  for (let r = 0; r * row < bytes.length; r++) {
    if (bytes[r * row] !== 2) notLean('PNG predictor other than Up');
    for (let c = 0; c < columns; c++)
      out[r * columns + c] = (bytes[r * row + 1 + c] + (r ? out[(r - 1) * columns + c] : 0)) & 0xff;
  }
  return out;
}

type XrefEntry = { offset: number } | { stream: number; index: number };

/** A PDF file's objects, looked up through its cross-reference table or stream. */
export class PdfFile {
  readonly trailer: Dict;
  private readonly xref = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, Value>();
  private readonly objStreams = new Map<
    number,
    { nums: number[]; offsets: number[]; data: Uint8Array; first: number }
  >();
  private readonly resolving = new Set<number>();

  constructor(readonly data: Uint8Array) {
    const tail = latin1(data, Math.max(0, data.length - 1024), data.length);
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!m) notLean('no startxref at the end');
    let at = Number(m[1]);
    let trailer: Dict | undefined;
    const seen = new Set<number>();
    while (!seen.has(at)) {
      seen.add(at);
      const section = this.readXref(at);
      trailer ??= section;
      if (section.get('XRefStm') !== undefined) notLean('hybrid cross-reference');
      const prev = section.get('Prev');
      if (typeof prev !== 'number') break;
      at = prev;
    }
    if (!trailer) notLean('no trailer');
    this.trailer = trailer;
    if (trailer.get('Encrypt') !== undefined) notLean('encrypted');
  }

  /** One cross-reference section at `at`, its entries added where no later section set them. */
  private readXref(at: number): Dict {
    const lex = new Lexer(this.data, at);
    const first = lex.next();
    if (first instanceof Op && first.op === 'xref') {
      for (;;) {
        const start = lex.next();
        if (start instanceof Op && start.op === 'trailer') break;
        const count = lex.next();
        if (typeof start !== 'number' || typeof count !== 'number') notLean('malformed xref table');
        lex.skipSpace();
        for (let i = 0; i < count; i++) {
          const line = latin1(this.data, lex.pos, lex.pos + 20);
          const e = /^(\d{10}) (\d{5}) ([nf])[\r\n ]{2}$/.exec(line);
          if (!e) notLean('malformed xref entry');
          lex.pos += 20;
          if (e[3] === 'n' && !this.xref.has(start + i)) this.xref.set(start + i, { offset: Number(e[1]) });
        }
      }
      const trailer = lex.next();
      if (!isDict(trailer)) notLean('no trailer dictionary');
      return trailer;
    }
    // A cross-reference stream: `n g obj << /Type /XRef … >> stream`.
    const obj = this.objectAt(at);
    if (
      !isStream(obj) ||
      !(obj.dict.get('Type') instanceof Name) ||
      (obj.dict.get('Type') as Name).name !== 'XRef'
    )
      notLean('startxref points at neither a table nor a stream');
    const w = obj.dict.get('W');
    const size = obj.dict.get('Size');
    const index = obj.dict.get('Index') ?? [0, size as Value];
    if (!Array.isArray(w) || w.length !== 3 || !w.every((n) => typeof n === 'number' && n >= 0 && n <= 8))
      notLean('malformed /W');
    if (!Array.isArray(index) || index.length % 2 || !index.every((n) => typeof n === 'number'))
      notLean('malformed /Index');
    const [w0, w1, w2] = w as number[];
    if (w0 + w1 + w2 === 0) notLean('xref stream entries of no bytes');
    const bytes = decodeStream(obj);
    const field = (pos: number, width: number) => {
      let n = 0;
      for (let k = 0; k < width; k++) n = n * 256 + bytes[pos + k];
      return n;
    };
    let pos = 0;
    for (let s = 0; s < index.length; s += 2) {
      const [start, count] = [index[s] as number, index[s + 1] as number];
      for (let i = 0; i < count; i++) {
        if (pos + w0 + w1 + w2 > bytes.length) notLean('short xref stream');
        const type = w0 ? field(pos, w0) : 1;
        const a = field(pos + w0, w1);
        const b = field(pos + w0 + w1, w2);
        pos += w0 + w1 + w2;
        if (this.xref.has(start + i)) continue;
        if (type === 1) this.xref.set(start + i, { offset: a });
        else if (type === 2) this.xref.set(start + i, { stream: a, index: b });
        else if (type !== 0) notLean('unknown xref entry type');
      }
    }
    return obj.dict;
  }

  /** The indirect object whose `n g obj` starts at `at`. */
  private objectAt(at: number, num?: number): Value {
    const lex = new Lexer(this.data, at);
    const n = lex.next();
    const g = lex.next();
    const kw = lex.next();
    if (typeof n !== 'number' || typeof g !== 'number' || !(kw instanceof Op) || kw.op !== 'obj')
      notLean('cross-reference offset is not an object');
    if (num !== undefined && n !== num) notLean('cross-reference offset points at another object');
    const value = lex.next();
    if (value === undefined || value instanceof Op) notLean('empty object');
    const after = lex.next();
    if (after instanceof Op && after.op === 'stream') {
      if (!isDict(value)) notLean('stream without a dictionary');
      let start = lex.pos;
      if (this.data[start] === 0x0d) start++;
      if (this.data[start] === 0x0a) start++;
      let length = value.get('Length');
      if (length instanceof Ref) length = this.get(length);
      if (typeof length !== 'number' || start + length > this.data.length) notLean('bad stream /Length');
      const endLex = new Lexer(this.data, start + length);
      const end = endLex.next();
      if (!(end instanceof Op) || end.op !== 'endstream') notLean('stream /Length does not reach endstream');
      return { dict: value, raw: this.data.subarray(start, start + length) };
    }
    if (!(after instanceof Op) || after.op !== 'endobj') notLean('object without endobj');
    return value;
  }

  /** The value `v` stands for: itself, or the object a reference points at. */
  get(v: Value | undefined): Value | undefined {
    if (!(v instanceof Ref)) return v;
    const cached = this.cache.get(v.num);
    if (cached !== undefined) return cached;
    const entry = this.xref.get(v.num);
    if (!entry) return null;
    if (this.resolving.has(v.num)) notLean('reference loop');
    this.resolving.add(v.num);
    try {
      const value =
        'offset' in entry ? this.objectAt(entry.offset, v.num) : this.inObjectStream(entry, v.num);
      this.cache.set(v.num, value);
      return value;
    } finally {
      this.resolving.delete(v.num);
    }
  }

  dict(v: Value | undefined): Dict | undefined {
    const d = this.get(v);
    return isDict(d) ? d : undefined;
  }

  private inObjectStream(entry: { stream: number; index: number }, num: number): Value {
    let os = this.objStreams.get(entry.stream);
    if (!os) {
      const s = this.get(new Ref(entry.stream, 0));
      if (!isStream(s)) return notLean('object stream is not a stream');
      const n = s.dict.get('N');
      const first = s.dict.get('First');
      if (typeof n !== 'number' || typeof first !== 'number') return notLean('malformed object stream');
      const data = decodeStream(s);
      const lex = new Lexer(data, 0, Math.min(first, data.length));
      const nums: number[] = [];
      const offsets: number[] = [];
      for (let i = 0; i < n; i++) {
        const num = lex.next();
        const off = lex.next();
        if (typeof num !== 'number' || typeof off !== 'number') notLean('malformed object stream header');
        nums.push(num);
        offsets.push(off);
      }
      os = { nums, offsets, data, first };
      this.objStreams.set(entry.stream, os);
    }
    const off = os.offsets[entry.index];
    if (off === undefined || os.nums[entry.index] !== num) notLean('object stream index does not match');
    const value = new Lexer(os.data, os.first + off).next();
    if (value === undefined || value instanceof Op) notLean('empty object in object stream');
    return value;
  }
}

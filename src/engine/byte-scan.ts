import { BYTE_SCAN_WASM } from './byte-scan.wasm.js';

/**
 * Byte patterns searched 16 bytes at a time by a small WebAssembly module (byte-scan.wat): a regex over
 * a Latin-1 string stops at every byte that could start a match (~1 ns per byte in V8), the module
 * compares 16 bytes per step and looks closer only where the first byte and one more fit.
 *
 * A program is a row of steps, each one byte: `(byte | mask) === value`, so a letter with mask 0x20
 * matches in either case, exactly as `i` does for ASCII letters. After a step, `gap` allows one
 * separator: 1 = phone (space, `.`, `-`, no-break space), 2 = CPR (`-`, space, no-break space, or a
 * dash: 0x96 the en dash in Windows-1252, E2 80 90–93 U+2010–U+2013 in UTF-8); a no-break space is
 * 0xA0 (Windows-1252) or 0xC2 0xA0 (UTF-8). Steps are letters and digits, never a
 * separator byte, so a program matches where the regex spelled the same way matches.
 */
export interface ByteStep {
  mask: number;
  value: number;
  gap?: 0 | 1 | 2;
}

/** Steps for an ASCII string matched with ASCII letters in either case (the regex `i` flag). */
export function caselessSteps(s: string): ByteStep[] {
  return [...s].map((ch) => {
    const c = ch.charCodeAt(0);
    if (c > 0x7f) throw new Error('caselessSteps: ASCII only');
    return /[a-z]/i.test(ch) ? { mask: 0x20, value: c | 0x20 } : { mask: 0, value: c };
  });
}

/** Steps for digits, with a separator of `gap` allowed after the digits `gapAfter` says (0-based). */
export function digitSteps(digits: string, gap: 1 | 2, gapAfter: (i: number) => boolean): ByteStep[] {
  return [...digits].map((d, i) => ({
    mask: 0,
    value: d.charCodeAt(0),
    gap: i < digits.length - 1 && gapAfter(i) ? gap : 0,
  }));
}

// @types/node 20 does not declare WebAssembly: the parts used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

const PAGE = 65536;
const HEADER = 12;
let compiled: WebAssembly.Module | undefined;

/**
 * An instance of the module with a memory of its own (the module is compiled once per thread) and a
 * byte view of that memory, made anew whenever the memory grows. Each user of the module extends it.
 */
export class ModuleInstance {
  protected readonly exports: Record<string, unknown>;
  protected readonly memory: WebAssembly.Memory;
  protected bytes: Buffer;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(BYTE_SCAN_WASM, 'base64'));
    this.exports = new WebAssembly.Instance(compiled).exports;
    this.memory = this.exports.memory as WebAssembly.Memory;
    this.bytes = Buffer.from(this.memory.buffer);
  }

  /** Grows the memory to hold at least `size` bytes (`bytes` is then a view of the new memory). */
  protected reserve(size: number): void {
    const have = this.memory.buffer.byteLength;
    if (size <= have) return;
    this.memory.grow(Math.ceil((size - have) / PAGE));
    this.bytes = Buffer.from(this.memory.buffer);
  }
}

/**
 * One thread's matcher for a fixed set of programs: `load` copies a block of bytes in, `found(i)`
 * tells whether program `i` occurs in the block loaded last, `next(i, from)` where.
 */
export class ByteScanner extends ModuleInstance {
  private readonly find: (prog: number, data: number, len: number, from: number) => number;
  private readonly offsets: number[] = [];
  private readonly data: number;
  private length = 0;

  constructor(programs: ByteStep[][]) {
    super();
    this.find = this.exports.find as ByteScanner['find'];
    const words = new DataView(this.memory.buffer);
    let at = 0;
    for (const steps of programs) {
      if (steps.length === 0) throw new Error('ByteScanner: a program needs a step');
      const [offset, sep] = filterOf(steps);
      this.offsets.push(at);
      words.setInt32(at, steps.length, true);
      words.setInt32(at + 4, offset, true);
      words.setInt32(at + 8, sep ? 1 : 0, true);
      steps.forEach((s, i) => {
        words.setUint8(at + HEADER + 4 * i, s.mask);
        words.setUint8(at + HEADER + 4 * i + 1, s.value);
        words.setUint8(at + HEADER + 4 * i + 2, s.gap ?? 0);
      });
      at += HEADER + 4 * steps.length;
    }
    this.data = Math.ceil(at / 16) * 16;
  }

  load(bytes: Uint8Array): void {
    this.reserve(this.data + bytes.length);
    this.bytes.set(bytes, this.data);
    this.length = bytes.length;
  }

  found(program: number): boolean {
    return this.find(this.offsets[program], this.data, this.length, 0) !== -1;
  }

  /** Where program `program` first matches at or after byte `from` of the block, or -1. */
  next(program: number, from: number): number {
    return this.find(this.offsets[program], this.data, this.length, from);
  }
}

/**
 * Where the module checks a second byte before looking closer: the last step at a fixed distance from
 * the first (steps before any gap), or, when a gap may follow the first step, the next byte as either
 * the second step or a separator.
 */
function filterOf(steps: ByteStep[]): [offset: number, separator: boolean] {
  if (steps.length === 1) return [0, false];
  if (steps[0].gap) return [1, true];
  const gap = steps.findIndex((s, i) => i < steps.length - 1 && s.gap);
  return [gap === -1 ? steps.length - 1 : gap, false];
}

/** What `ByteCounter.count` finds in a block of bytes. */
export interface ByteCounts {
  /** Bytes 0x80–0xBF: UTF-8 continuation bytes. */
  continuation: number;
  /** Bytes from 0xF0: leads of 4-byte sequences (two UTF-16 units each). */
  fourByteLeads: number;
  lineFeeds: number;
  /** A byte from 0xCC occurs: in UTF-8, a character from U+0300 up, which NFC may change. */
  fromU0300: boolean;
}

const OUT = 0;
const COUNT_DATA = 16;

/**
 * Counts a block of bytes 16 at a time (the module's `count`): the UTF-16 length and lines of valid
 * UTF-8 text without decoding it (TextDecoder took ~1.9 ns a byte of Danish text, this ~0.1 ns).
 */
export class ByteCounter extends ModuleInstance {
  private readonly run = this.exports.count as (data: number, len: number, out: number) => void;

  count(bytes: Uint8Array): ByteCounts {
    this.reserve(COUNT_DATA + bytes.length);
    this.bytes.set(bytes, COUNT_DATA);
    this.run(COUNT_DATA, bytes.length, OUT);
    const out = new Int32Array(this.memory.buffer, OUT, 4);
    return { continuation: out[0], fourByteLeads: out[1], lineFeeds: out[2], fromU0300: out[3] !== 0 };
  }
}

/**
 * The runs of ASCII digits in a string, found 16 UTF-16 units at a time (the module's `digitRuns`), and
 * what the phone and CPR detectors read off them (`phoneStarts`, `cprMatches`): they look closer only
 * where a run is, instead of having V8 try their patterns at every character (~1–2.5 ns each, a fifth
 * of an inventory's time). The arrays returned are views of the module's memory, valid until the next
 * call.
 */
export class DigitScanner extends ModuleInstance {
  private readonly calls = this.exports as unknown as {
    digitRuns(data: number, len: number, out: number): number;
    phoneStarts(data: number, len: number, runs: number, n: number, min: number, out: number): number;
    cprMatches(data: number, len: number, runs: number, n: number, out: number): number;
  };
  private length = 0;
  private runsAt = 0;
  private count = 0;

  /** Reads `text`'s digit runs; the other methods answer for it. */
  load(text: string): this {
    this.length = text.length;
    // The text with two units of 0 on either side, which the module reads instead of checking bounds.
    const end = DATA + text.length * 2;
    this.runsAt = align(end + 4);
    // At most one run for every two units; phoneStarts writes up to three places a run after them.
    const runBytes = (Math.ceil(text.length / 2) + 1) * 8;
    this.reserve(this.runsAt + runBytes + align(runBytes * 1.5));
    this.bytes.fill(0, DATA - 4, DATA);
    this.bytes.write(text, DATA, 'utf16le');
    this.bytes.fill(0, end, end + 4);
    this.count = this.calls.digitRuns(DATA, text.length, this.runsAt);
    return this;
  }

  /** `[start0, end0, start1, end1, …]`: each run's first unit and one past its last, in order. */
  runs(): Int32Array {
    return new Int32Array(this.memory.buffer, this.runsAt, this.count * 2);
  }

  /** Where the phone pattern may match, in order (see phoneMatches in detectors/phone.ts). */
  phoneStarts(minDigits: number): Int32Array {
    const out = this.outAt();
    const n = this.calls.phoneStarts(DATA, this.length, this.runsAt, this.count, minDigits, out);
    return new Int32Array(this.memory.buffer, out, n);
  }

  /** `[start0, end0, …]`: where `(?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d)` matches, in order. */
  cprMatches(): Int32Array {
    const out = this.outAt();
    const n = this.calls.cprMatches(DATA, this.length, this.runsAt, this.count, out);
    return new Int32Array(this.memory.buffer, out, n * 2);
  }

  private outAt(): number {
    return this.runsAt + align(this.count * 8);
  }
}

const align = (n: number) => Math.ceil(n / 16) * 16;
/** Where DigitScanner puts the text: after room for the units of 0 before it. */
const DATA = 16;

/**
 * Texts shorter than this (a header, a metadata field, a path) are better searched by the detectors'
 * patterns themselves: handing one to the module costs ~0.4 µs, more than V8 takes to search it (a
 * 1,500-character text dense with numbers took as long either way; a 60,000-character chunk of the
 * bench corpus a third as long by its digit runs).
 */
export const SHORT_TEXT = 1024;

let digitScanner: DigitScanner | undefined;
let lastText: string | undefined;

/** This thread's DigitScanner, loaded with `text` (kept for the last text: both detectors read a chunk). */
export function digitScanOf(text: string): DigitScanner {
  digitScanner ??= new DigitScanner();
  if (text !== lastText) {
    digitScanner.load(text);
    lastText = text;
  }
  return digitScanner;
}

/**
 * Decodes UTF-8 that holds only characters up to U+00FF (ASCII and Latin-1 letters such as æ, ø, å:
 * most Danish text) with the module's `latin1FromUtf8`, 16 ASCII bytes a step, into a one-byte string
 * (TextDecoder took ~1.8 ns a byte of such text, this ~0.5). Anything else is left to TextDecoder.
 */
export class Latin1Decoder extends ModuleInstance {
  private readonly run = this.exports.latin1FromUtf8 as (
    src: number,
    len: number,
    dst: number,
    read: number,
  ) => number;

  /**
   * `lead` (a byte the last piece ended with, or -1) then `piece`, decoded: the text and the lead byte
   * left at its end, if any; undefined when they hold any other byte.
   */
  decode(lead: number, piece: Uint8Array): { text: string; lead: number } | undefined {
    const src = 16;
    const len = piece.length + (lead === -1 ? 0 : 1);
    const dst = src + Math.ceil(len / 16) * 16 + 16;
    this.reserve(dst + len + 16);
    if (lead === -1) this.bytes.set(piece, src);
    else {
      this.bytes[src] = lead;
      this.bytes.set(piece, src + 1);
    }
    const written = this.run(src, len, dst, 0);
    if (written < 0) return undefined;
    const read = this.bytes.readInt32LE(0);
    return {
      text: this.bytes.toString('latin1', dst, dst + written),
      lead: read < len ? this.bytes[src + read] : -1,
    };
  }
}

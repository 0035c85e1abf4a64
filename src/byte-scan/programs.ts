import { align, ModuleInstance } from './instance.js';

/**
 * Byte programs, searched 16 bytes at a time by the module's `find`: a regex over a Latin-1 string
 * stops at every byte that could start a match, the module compares 16 bytes per step and looks closer
 * only where the first byte and one more fit.
 *
 * A program is a row of steps, each one byte: `(byte | mask) === value`, so a letter with mask 0x20
 * matches in either case, exactly as `i` does for ASCII letters. After a step with `gap`, one of the
 * program's separators may stand: a separator is a sequence of one to three bytes, each in a range.
 * No separator may begin with a byte a step accepts, and none may be a prefix of another: a program
 * then matches exactly where its regex (`programPattern`) matches.
 */
export interface ByteProgram {
  steps: ByteStep[];
  /** What may stand after a step with `gap` (at most eight). */
  separators?: readonly ByteSeq[];
}

export interface ByteStep {
  mask: number;
  value: number;
  /** One separator of the program may follow this step. */
  gap?: boolean;
}

/** Bytes in a row: each one byte or an inclusive range of bytes. */
export type ByteSeq = readonly (number | readonly [number, number])[];

/** Steps for an ASCII string matched with ASCII letters in either case (the regex `i` flag). */
export function caselessSteps(s: string): ByteStep[] {
  return [...s].map((ch) => {
    const c = ch.charCodeAt(0);
    if (c > 0x7f) throw new Error('caselessSteps: ASCII only');
    return /[a-z]/i.test(ch) ? { mask: 0x20, value: c | 0x20 } : { mask: 0, value: c };
  });
}

/** Steps for ASCII characters matched exactly, with a gap after the characters `gapAfter` says (0-based). */
export function exactSteps(s: string, gapAfter: (i: number) => boolean = () => false): ByteStep[] {
  return [...s].map((ch, i) => {
    const c = ch.charCodeAt(0);
    if (c > 0x7f) throw new Error('exactSteps: ASCII only');
    return { mask: 0, value: c, gap: i < s.length - 1 && gapAfter(i) };
  });
}

/** The regex source, over a Latin-1 string of the bytes, that a program stands for. */
export function programPattern(program: ByteProgram): string {
  const separators = program.separators?.length
    ? `(?:${program.separators.map((sep) => sep.map((b) => byteClass(rangeOf(b))).join('')).join('|')})?`
    : '';
  return program.steps
    .map((s, i) => {
      const bytes: number[] = [];
      for (let b = 0; b < 256; b++) if ((b | s.mask) === s.value) bytes.push(b);
      const one = bytes.length === 1 ? hex(bytes[0]) : `[${bytes.map(hex).join('')}]`;
      return one + (s.gap && i < program.steps.length - 1 ? separators : '');
    })
    .join('');
}

/** The most bytes a match of the program spans. */
export function programSpan(program: ByteProgram): number {
  const separator = Math.max(0, ...(program.separators ?? []).map((sep) => sep.length));
  return program.steps.reduce(
    (n, s, i) => n + 1 + (s.gap && i < program.steps.length - 1 ? separator : 0),
    0,
  );
}

const rangeOf = (b: number | readonly [number, number]): readonly [number, number] =>
  typeof b === 'number' ? [b, b] : b;
const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;
const byteClass = ([lo, hi]: readonly [number, number]) => (lo === hi ? hex(lo) : `[${hex(lo)}-${hex(hi)}]`);

/** A program's header with the tables of the bytes separators begin with (see assembly/index.ts). */
const HEADER = 48;
const SEPARATOR = 8;
const MAX_SEPARATORS = 8;

/**
 * One thread's matcher for a fixed set of programs: `load` copies a block of bytes in, `found(i)`
 * tells whether program `i` occurs in the block loaded last, `next(i, from)` where.
 */
export class ByteScanner extends ModuleInstance {
  private readonly find = this.exports.find as (
    prog: number,
    data: number,
    len: number,
    from: number,
  ) => number;
  private readonly offsets: number[] = [];
  private readonly data: number;
  private length = 0;

  constructor(programs: readonly ByteProgram[]) {
    super();
    const size = programs.reduce(
      (n, p) => n + HEADER + SEPARATOR * (p.separators?.length ?? 0) + 4 * p.steps.length,
      0,
    );
    this.reserve(size);
    const words = new DataView(this.memory.buffer);
    let at = 0;
    for (const program of programs) {
      check(program);
      const { steps } = program;
      const separators = program.separators ?? [];
      const [offset, sep] = filterOf(steps);
      this.offsets.push(at);
      words.setInt32(at, steps.length, true);
      words.setInt32(at + 4, offset, true);
      words.setInt32(at + 8, sep ? 1 : 0, true);
      words.setInt32(at + 12, separators.length, true);
      const { low, high } = firstBytes(separators);
      for (let k = 0; k < 16; k++) {
        words.setUint8(at + 16 + k, low[k]);
        words.setUint8(at + 32 + k, high[k]);
      }
      separators.forEach((seq, s) => {
        const to = at + HEADER + SEPARATOR * s;
        words.setUint8(to, seq.length);
        seq.forEach((b, k) => {
          const [lo, hi] = rangeOf(b);
          words.setUint8(to + 1 + 2 * k, lo);
          words.setUint8(to + 2 + 2 * k, hi);
        });
      });
      const first = at + HEADER + SEPARATOR * separators.length;
      steps.forEach((s, i) => {
        words.setUint8(first + 4 * i, s.mask);
        words.setUint8(first + 4 * i + 1, s.value);
        words.setUint8(first + 4 * i + 2, s.gap ? 1 : 0);
      });
      at = first + 4 * steps.length;
    }
    this.data = align(at);
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

/** Refuses a program the module would not match exactly as its regex (see ByteProgram). */
function check({ steps, separators = [] }: ByteProgram): void {
  if (steps.length === 0) throw new Error('ByteScanner: a program needs a step');
  if (separators.length > MAX_SEPARATORS)
    throw new Error(`ByteScanner: at most ${MAX_SEPARATORS} separators`);
  for (const seq of separators) {
    if (seq.length < 1 || seq.length > 3) throw new Error('ByteScanner: a separator is one to three bytes');
    const [lo, hi] = rangeOf(seq[0]);
    for (let b = lo; b <= hi; b++)
      if (steps.some((s) => (b | s.mask) === s.value))
        throw new Error(`ByteScanner: separator byte 0x${b.toString(16)} is also a step's byte`);
  }
  for (const a of separators)
    for (const b of separators)
      if (a !== b && a.length <= b.length && a.every((x, k) => overlaps(rangeOf(x), rangeOf(b[k]))))
        throw new Error('ByteScanner: a separator may not begin another');
}

/**
 * The bytes the separators begin with, as the module's filter looks them up: separator k is bucket
 * bit k, set in `low` at the low nibbles and in `high` at the high nibbles of its first bytes. A byte
 * whose two entries share a bit may begin a separator: exactly those bytes for a single byte, or a
 * range within one high nibble, a few more for a wider range (the filter only picks places to look at).
 */
function firstBytes(separators: readonly ByteSeq[]): { low: Uint8Array; high: Uint8Array } {
  const low = new Uint8Array(16);
  const high = new Uint8Array(16);
  separators.forEach((seq, k) => {
    const [lo, hi] = rangeOf(seq[0]);
    for (let n = lo >> 4; n <= hi >> 4; n++) high[n] |= 1 << k;
    const nibbles = lo >> 4 === hi >> 4 ? [lo & 15, hi & 15] : [0, 15];
    for (let n = nibbles[0]; n <= nibbles[1]; n++) low[n] |= 1 << k;
  });
  return { low, high };
}

const overlaps = (a: readonly [number, number], b: readonly [number, number]) => a[0] <= b[1] && b[0] <= a[1];

/**
 * Where the module checks a second byte before looking closer: the last step at a fixed distance from
 * the first (steps before any gap), or, when a gap may follow the first step, the next byte as either
 * the second step or the first byte of a separator.
 */
function filterOf(steps: ByteStep[]): [offset: number, separator: boolean] {
  if (steps.length === 1) return [0, false];
  if (steps[0].gap) return [1, true];
  const gap = steps.findIndex((s, i) => i < steps.length - 1 && s.gap);
  return [gap === -1 ? steps.length - 1 : gap, false];
}

import { align, ModuleInstance } from './instance.js';

/**
 * The runs of ASCII digits in a string, found 16 UTF-16 units at a time (the module's `digitRuns`), so
 * that a detector of numbers looks closer only where a run is instead of having V8 try its pattern at
 * every character.
 */
export class DigitRuns extends ModuleInstance {
  private readonly digitRuns = this.exports.digitRuns as (data: number, len: number, out: number) => number;

  /**
   * `[start0, end0, start1, end1, …]`: each run's first unit and one past its last, in order. A view of
   * the module's memory, valid until the next call.
   */
  of(text: string): Int32Array {
    const end = DATA + text.length * 2;
    const out = align(end);
    // At most one run for every two units.
    this.reserve(out + (Math.ceil(text.length / 2) + 1) * 8);
    this.bytes.write(text, DATA, 'utf16le');
    const count = this.digitRuns(DATA, text.length, out);
    return new Int32Array(this.memory.buffer, out, count * 2);
  }
}

/** Where DigitRuns puts the text. */
const DATA = 16;

/**
 * Texts shorter than this (a header, a metadata field, a path) are better searched by a pattern of
 * their own: handing one to the module costs ~0.4 µs, more than V8 takes to search it.
 */
export const SHORT_TEXT = 1024;

let scanner: DigitRuns | undefined;
let lastText: string | undefined;
let lastRuns: Int32Array | undefined;

/**
 * This thread's digit runs of `text` (see DigitRuns.of), kept for the last text: several detectors read
 * the runs of one chunk. Valid until the next call with another text.
 */
export function digitRunsOf(text: string): Int32Array {
  scanner ??= new DigitRuns();
  if (text !== lastText || !lastRuns) {
    lastRuns = scanner.of(text);
    lastText = text;
  }
  return lastRuns;
}

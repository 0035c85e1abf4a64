import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { TextDecoder } from 'node:util';
import { ByteCounter } from '../byte-scan/index.js';
import { fsPath } from '../core/raw-path.js';
import type { ItemInput } from '../core/types.js';
import type { TextPlace } from '../extract/chunker.js';
import type { MboxSpan } from '../extract/mail/mbox.js';
import { readHead } from '../extract/read.js';
import { selectFormat } from '../extract/registry.js';
import { detectEncoding } from '../extract/text/decode.js';
import { isEncodedText } from '../extract/text/text.js';
import type { HashSoFar } from './fingerprint.js';

/**
 * One worker's part of a huge plain-text file (see `textRanges`): it reads bytes `from` to `to`, which
 * begin at `place` of the file's text, and owns the matches that start in characters [ownFrom, ownTo).
 * The bytes around the owned ones (the margins) give its matches their context and the evidence its
 * neighbours' matches near the border.
 */
export interface TextRange {
  index: number;
  from: number;
  to: number;
  place: TextPlace;
  ownFrom: number;
  ownTo: number;
  encoding: 'utf-8' | 'windows-1252';
  /** Bytes of byte order mark at `from` (the first range only). */
  bom: number;
}

/** Part `index` of a huge mailbox: the messages one worker reads (see `planMbox`). */
export interface MboxPart {
  index: number;
  spans: MboxSpan[];
}

/**
 * Bytes read on each side of a range's own ones: at least 4,096 characters, the chunks' overlap, so
 * that a match is found whole with the same context as in one read, and far more than the distance at
 * which a name and a CPR number count as one person's.
 */
export const MARGIN_BYTES = 16 * 1024;

/** Thrown when the file turns out not to be splittable after ranges were handed out. */
export class NotSplittable extends Error {}

/** Bytes decoded at a time while counting … */
const COUNT_BLOCK = 1 << 20;
/** … and read at a time looking for a border. */
const LOOK = 4096;

/**
 * Cuts a top-level plain-text file (not RTF, UTF-8 or Windows-1252) into ranges of about `rangeBytes`
 * for the workers to read at once, counting on this thread the characters, lines and columns the text
 * has up to each of them: a finding's offset, line and column are then exactly those of one read.
 * Yields nothing for a file of another kind. Ranges are cut before an ASCII byte, where no UTF-8
 * sequence or NFC composition spans the cut. Throws NotSplittable when the file proves not to be
 * valid UTF-8 further on (one read then decodes such pieces as Windows-1252) or has a megabyte
 * without an ASCII byte.
 */
export async function* textRanges(
  input: ItemInput,
  rangeBytes: number,
  signal?: AbortSignal,
  hashing?: HashSoFar,
): AsyncGenerator<TextRange> {
  if (input.source.kind !== 'file' || input.depth !== 0) return;
  const { absPath, size } = input.source;
  const head = await readHead(input);
  if (selectFormat(input, head).id !== 'text' || isEncodedText(input.name, head)) return;
  const guess = detectEncoding(head);
  if (guess === 'binary' || (guess.encoding !== 'utf-8' && guess.encoding !== 'windows-1252')) return;
  const counter = new TextCounter(absPath, guess.encoding, guess.bom, hashing);
  try {
    // The borders between ranges, each before an ASCII byte; a last range shorter than half is joined.
    const borders: number[] = [];
    for (let b = rangeBytes; b + rangeBytes / 2 < size; b += rangeBytes) {
      const at = counter.asciiAtOrAfter(b);
      if (at === undefined || at >= size) break;
      if (at > (borders.at(-1) ?? 0) + MARGIN_BYTES * 2) borders.push(at);
    }
    if (!borders.length) return;
    const starts = [guess.bom, ...borders];
    // Counted in order of position: a range's start with its margin, its own start, and the next's.
    let from = 0;
    let place: TextPlace = { offset: 0, line: 1, column: 1 };
    let ownFrom = 0;
    for (let i = 0; i < starts.length; i++) {
      signal?.throwIfAborted();
      const last = i === starts.length - 1;
      let range: TextRange = {
        index: i,
        from,
        to: size,
        place,
        ownFrom,
        ownTo: Number.POSITIVE_INFINITY,
        encoding: guess.encoding,
        bom: i === 0 ? guess.bom : 0,
      };
      if (!last) {
        from = counter.asciiAtOrBefore(starts[i + 1] - MARGIN_BYTES, starts[i]);
        place = await counter.placeAt(from, signal);
        ownFrom = (await counter.placeAt(starts[i + 1], signal)).offset;
        range = {
          ...range,
          ownTo: ownFrom,
          to: counter.asciiAtOrAfter(starts[i + 1] + MARGIN_BYTES) ?? size,
        };
      }
      yield range;
    }
  } finally {
    counter.close();
  }
}

/**
 * Counts a file's text up to a byte position as the extractor and Chunker would see it: characters of
 * its NFC form, newlines, and the column. Moves forward only.
 */
class TextCounter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(COUNT_BLOCK);
  private position: number;
  private readonly place: TextPlace = { offset: 0, line: 1, column: 1 };
  private readonly decoder: TextDecoder;

  /**
   * `hashing`: the file's sha256 is taken along as the bytes are counted (its fingerprint, when the
   * file turns out to hold the subject, then only reads what is left; `hashing.to` says how far).
   */
  constructor(
    path: string,
    private readonly encoding: 'utf-8' | 'windows-1252',
    bom: number,
    private readonly hashing?: HashSoFar,
  ) {
    this.fd = openSync(fsPath(path), 'r');
    this.position = bom;
    this.decoder = new TextDecoder(encoding);
    if (hashing && bom) {
      const head = Buffer.alloc(bom);
      readSync(this.fd, head, 0, bom, 0);
      hashing.hash.update(head);
      hashing.to = bom;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The first byte below 0x80 at or after `at`, within a megabyte; undefined at the end of the file. */
  asciiAtOrAfter(at: number): number | undefined {
    for (let start = at; start < at + COUNT_BLOCK; start += LOOK) {
      const n = readSync(this.fd, this.buf, 0, LOOK, start);
      if (n === 0) return undefined;
      for (let i = 0; i < n; i++) if (this.buf[i] < 0x80) return start + i;
    }
    throw new NotSplittable('no ASCII byte within a megabyte');
  }

  /** The last byte below 0x80 at or before `at`, not before `floor` (which is one). */
  asciiAtOrBefore(at: number, floor: number): number {
    for (let end = at + 1; end > floor; end -= LOOK) {
      const start = Math.max(floor, end - LOOK);
      const n = readSync(this.fd, this.buf, 0, end - start, start);
      for (let i = n - 1; i >= 0; i--) if (this.buf[i] < 0x80) return start + i;
    }
    return floor;
  }

  /** The place of byte `at` (before an ASCII byte), counting from where the last call stopped. */
  async placeAt(at: number, signal?: AbortSignal): Promise<TextPlace> {
    while (this.position < at) {
      signal?.throwIfAborted();
      const n = readSync(this.fd, this.buf, 0, Math.min(COUNT_BLOCK, at - this.position), this.position);
      if (n === 0) throw new NotSplittable('the file became shorter');
      // A block is counted up to its last ASCII byte (or to `at`, which is one).
      let end = n;
      if (this.position + n < at) {
        while (end > 0 && this.buf[end - 1] >= 0x80) end--;
        end--;
        if (end <= 0) throw new NotSplittable('no ASCII byte within a megabyte');
      }
      this.count(this.buf.subarray(0, end));
      if (this.hashing) {
        this.hashing.hash.update(this.buf.subarray(0, end));
        this.hashing.to = this.position + end;
      }
      this.position += end;
      // Counting a huge file takes a while: the workers' results come in meanwhile.
      await yieldToEvents();
    }
    return { ...this.place };
  }

  private count(bytes: Buffer): void {
    const ascii = isAscii(bytes);
    if (!ascii && this.encoding === 'utf-8' && !isUtf8(bytes))
      throw new NotSplittable('not UTF-8 throughout');
    // Text below U+0300 (ASCII, Danish letters, Latin-1) is counted from its bytes: each byte but a
    // continuation byte is one UTF-16 unit, and NFC leaves such text as it is.
    const counts = ascii || this.encoding === 'utf-8' ? byteCounter()?.count(bytes) : undefined;
    if (counts && !counts.fromU0300) {
      const nl = bytes.lastIndexOf(10);
      const tail =
        nl === -1 || ascii
          ? bytes.length - nl - 1
          : bytes.length - nl - 1 - byteCounter()!.count(bytes.subarray(nl + 1)).continuation;
      this.advance(bytes.length - counts.continuation, counts.lineFeeds, nl === -1 ? -1 : tail);
      return;
    }
    if (ascii) {
      this.advance(bytes.length, countLineFeeds(bytes), lastLineFeed(bytes, bytes.length));
      return;
    }
    let text = this.decoder.decode(bytes);
    if (MAY_COMPOSE.test(text)) text = text.normalize('NFC');
    this.advance(text.length, countLineFeeds(text), lastLineFeed(text, text.length));
  }

  /**
   * Moves the place over `length` characters holding `lines` line feeds, `tail` characters of them
   * after the last one (-1 without one).
   */
  private advance(length: number, lines: number, tail: number): void {
    this.place.offset += length;
    this.place.line += lines;
    this.place.column = tail === -1 ? this.place.column + length : tail + 1;
  }
}

function countLineFeeds(text: Buffer | string): number {
  const nl = (typeof text === 'string' ? '\n' : 10) as never;
  let lines = 0;
  for (let i = text.indexOf(nl); i !== -1; i = text.indexOf(nl, i + 1)) lines++;
  return lines;
}

/** Characters after the last line feed of `text` (bytes of ASCII, or a string), or -1 without one. */
function lastLineFeed(text: Buffer | string, length: number): number {
  const last = typeof text === 'string' ? text.lastIndexOf('\n') : text.lastIndexOf(10);
  return last === -1 ? -1 : length - last - 1;
}

let counter: ByteCounter | null | undefined;

/** This thread's counter; null without WebAssembly (`--jitless`), where blocks are decoded instead. */
function byteCounter(): ByteCounter | null {
  if (counter === undefined) {
    try {
      counter = new ByteCounter();
    } catch {
      counter = null;
    }
  }
  return counter;
}

/** As the Chunker's: below U+0300 every character is its own NFC form. */
const MAY_COMPOSE = /[\u0300-\uffff]/;

/**
 * Whether a range's bytes are UTF-8 throughout (checked by the worker that reads it: one read would
 * decode a piece that is not as Windows-1252, which a range cannot reproduce).
 */
export function rangeIsUtf8(path: string, range: Pick<TextRange, 'from' | 'to'>): boolean {
  const fd = openSync(fsPath(path), 'r');
  const buf = Buffer.allocUnsafe(COUNT_BLOCK);
  try {
    for (let position = range.from; position < range.to; ) {
      const n = readSync(fd, buf, 0, Math.min(COUNT_BLOCK, range.to - position), position);
      if (n === 0) return true;
      // Up to the block's last ASCII byte, unless the range ends with it: no sequence is cut.
      let end = n;
      if (position + n < range.to) {
        while (end > 0 && buf[end - 1] >= 0x80) end--;
        end--;
        if (end <= 0) return false;
      }
      if (!isUtf8(buf.subarray(0, end))) return false;
      position += end;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

import type { Chunk, ItemRef, Location, WordBox } from '../core/types.js';

/**
 * Characters per chunk handed to the detectors. A chunk with its overlap stays below V8's large-object
 * size (128 KiB, also as two-byte text): joining and flattening smaller strings happens in the young
 * generation, while each string of a megabyte took fresh pages and copying, ~10x the cost per character.
 */
export const CHUNK_CHARS = 56 * 1024;
/**
 * Characters repeated from the end of one chunk at the start of the next. A match is owned by the
 * chunk in which it starts before the middle of the overlap, so every match is seen whole exactly once
 * with at least OVERLAP/2 characters of context on each side.
 */
export const OVERLAP = 4096;

export interface ChunkerOptions {
  ref: ItemRef;
  field?: string;
  page?: number;
  structured?: boolean;
  location?: Partial<Location>;
  faceTag?: boolean;
  /** Text read by OCR: its words' boxes (see Chunk.boxes). */
  boxes?: readonly WordBox[];
  /** Stop after this many characters; reported through `truncated`. */
  maxChars: number;
  /** The text continues a stream from this place (a part of a huge file read by one worker of several). */
  resume?: TextPlace;
  /** Matches starting outside these characters of the stream belong to another part (see Chunk.own). */
  own?: { from: number; to: number };
}

/** A place in a text stream as the Chunker counts it: characters before it (NFC), its line and column. */
export interface TextPlace {
  offset: number;
  line: number;
  column: number;
}

/** Cuts a stream of text pieces into overlapping, NFC-normalised chunks with line/column provenance. */
export class Chunker {
  private buf = '';
  private carry = '';
  private offset = 0;
  private line = 1;
  private column = 1;
  private overlap = 0;
  private total = 0;
  truncated = false;

  /** Characters taken so far (after normalisation, up to `maxChars`). */
  get chars(): number {
    return this.total;
  }

  constructor(
    private readonly opts: ChunkerOptions,
    private readonly emit: (chunk: Chunk) => void,
  ) {
    if (opts.resume) {
      this.offset = opts.resume.offset;
      this.line = opts.resume.line;
      this.column = opts.resume.column;
    }
  }

  push(piece: string): void {
    if (this.truncated) return;
    // Hold back the last base character and its marks: a combining mark in the next piece may
    // compose with it (`a` + U+030A = `å`).
    const carried = this.carry;
    if (piece.length && !MAY_COMPOSE.test(piece) && !MAY_COMPOSE.test(carried)) {
      // Below U+0300 throughout (most text): NFC changes nothing and the last character is a base
      // character, so the piece is added as it is, not first joined to the carry (a copy of it all).
      const head = piece.slice(0, -1);
      if (this.total + carried.length + head.length <= this.opts.maxChars) {
        this.carry = piece.slice(-1);
        this.total += carried.length + head.length;
        this.buf += carried;
        this.buf += head;
        while (this.buf.length >= CHUNK_CHARS + this.overlap) this.flush(false);
        return;
      }
    }
    let text = carried + piece;
    const keep = lastBaseIndex(text);
    this.carry = text.slice(keep);
    text = nfc(text.slice(0, keep));
    if (this.total + text.length > this.opts.maxChars) {
      text = text.slice(0, Math.max(0, this.opts.maxChars - this.total));
      this.truncated = true;
      this.carry = '';
    }
    this.total += text.length;
    this.buf += text;
    while (this.buf.length >= CHUNK_CHARS + this.overlap) this.flush(false);
  }

  end(): void {
    if (this.carry) {
      this.buf += nfc(this.carry);
      this.carry = '';
    }
    this.flush(true);
  }

  private flush(final: boolean): void {
    // The final tail is emitted even when it only repeats the overlap: the previous chunk left its
    // last OVERLAP/2 characters for this one to own.
    if (final && this.buf.length === 0) return;
    const text = final ? this.buf : this.buf.slice(0, CHUNK_CHARS + this.overlap);
    this.emit({
      ref: this.opts.ref,
      text,
      field: this.opts.field,
      page: this.opts.page,
      structured: this.opts.structured,
      location: this.opts.location,
      ...(this.opts.faceTag ? { faceTag: true } : {}),
      ...(this.opts.boxes ? { boxes: this.opts.boxes } : {}),
      offset: this.offset,
      overlap: this.overlap,
      acceptFrom: this.overlap / 2,
      acceptTo: final ? text.length : text.length - OVERLAP / 2,
      line: this.line,
      column: this.column,
      ...(this.opts.own
        ? { own: { from: this.opts.own.from - this.offset, to: this.opts.own.to - this.offset } }
        : {}),
    });
    if (final) return;
    const keepFrom = text.length - OVERLAP;
    this.advance(text, keepFrom);
    this.buf = this.buf.slice(keepFrom);
    this.offset += keepFrom;
    this.overlap = OVERLAP;
  }

  private advance(text: string, upTo: number): void {
    const nl = text.lastIndexOf('\n', upTo - 1);
    if (nl === -1) {
      this.column += upTo;
      return;
    }
    let count = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < upTo; i = text.indexOf('\n', i + 1)) count++;
    this.line += count;
    this.column = upTo - nl;
  }
}

const COMBINING = /\p{M}/u;
/** Below U+0300 every character is its own NFC form (combining marks and Hangul start above). */
const MAY_COMPOSE = /[\u0300-\uffff]/;

function nfc(text: string): string {
  return MAY_COMPOSE.test(text) ? text.normalize('NFC') : text;
}

/** Index of the last character that is not a combining mark (nor the low half of a surrogate pair). */
function lastBaseIndex(text: string): number {
  let i = text.length - 1;
  while (i > 0 && COMBINING.test(text[i])) i--;
  const code = text.charCodeAt(i);
  if (i > 0 && code >= 0xdc00 && code <= 0xdfff) i--;
  return Math.max(0, i);
}

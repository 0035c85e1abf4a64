import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { Latin1Decoder } from '../../byte-scan/index.js';
import { decodeWindows1252, Windows1252Decoder } from './windows-1252.js';

/**
 * Encoding detection for text of unknown origin: a BOM wins (UTF-8, UTF-16LE/BE); else a NUL-byte
 * pattern marks BOM-less UTF-16; else valid UTF-8; else Windows-1252, the usual legacy encoding of
 * Danish files. NUL bytes in any other pattern mean binary.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface EncodingGuess {
  encoding: TextEncoding;
  /** Bytes of BOM to skip. */
  bom: number;
}

export function detectEncoding(head: Uint8Array): EncodingGuess | 'binary' {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const sample = head.subarray(0, Math.min(head.length, 8192));
  // Most text has no NUL at all: found natively, without a loop over the sample.
  if (sample.indexOf(0) !== -1) {
    let nulEven = 0;
    let nulOdd = 0;
    for (let i = 0; i < sample.length; i++) {
      if (sample[i] === 0) {
        if (i % 2 === 0) nulEven++;
        else nulOdd++;
      }
    }
    const pairs = Math.floor(sample.length / 2) || 1;
    // UTF-16 text of Latin script has a NUL in nearly every other byte, on one side only.
    if (nulOdd / pairs > 0.3 && nulEven === 0) return { encoding: 'utf-16le', bom: 0 };
    if (nulEven / pairs > 0.3 && nulOdd === 0) return { encoding: 'utf-16be', bom: 0 };
    return 'binary';
  }
  return { encoding: isUtf8Prefix(head) ? 'utf-8' : 'windows-1252', bom: 0 };
}

/**
 * Valid UTF-8, allowing the sample to end inside a multi-byte sequence. Checked natively without
 * decoding; only a sequence cut off at the end goes through a (streaming, fatal) decoder.
 */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  const end = completeEnd(bytes);
  if (!isUtf8(bytes.subarray(0, end))) return false;
  if (end === bytes.length) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(end), { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Where a multi-byte sequence that the sample's last bytes leave unfinished begins (else the length). */
function completeEnd(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back];
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return length > back ? n - back : n;
    }
  }
  return n;
}

/** Decodes a whole buffer with the detected encoding, or undefined when it is binary. */
export function decodeBuffer(data: Uint8Array): { text: string; encoding: TextEncoding } | undefined {
  const guess = detectEncoding(data.subarray(0, 65536));
  if (guess === 'binary') return undefined;
  const body = data.subarray(guess.bom);
  if (guess.encoding === 'windows-1252') return { text: decodeWindows1252(body), encoding: guess.encoding };
  if (guess.encoding !== 'utf-8')
    return { text: new TextDecoder(guess.encoding).decode(body), encoding: guess.encoding };
  const decoder = new Utf8OrLegacyDecoder();
  const parts: string[] = [];
  for (let i = 0; i < body.length; i += PIECE)
    parts.push(decoder.decode(body.subarray(i, i + PIECE), i + PIECE < body.length));
  return { text: parts.join(''), encoding: guess.encoding };
}

const PIECE = 1 << 20;

/** Decodes an async stream of byte pieces into text pieces. */
export async function* decodeStream(
  pieces: AsyncIterable<Uint8Array>,
  encoding: TextEncoding,
  bom: number,
): AsyncGenerator<string> {
  const decoder = encoding === 'utf-8' ? new Utf8OrLegacyDecoder() : new StreamDecoder(encoding);
  let first = true;
  for await (const piece of pieces) {
    const bytes = first ? piece.subarray(bom) : piece;
    first = false;
    const text = decoder.decode(bytes, true);
    if (text) yield text;
  }
  const tail = decoder.decode(EMPTY, false);
  if (tail) yield tail;
}

const EMPTY = new Uint8Array(0);

interface PieceDecoder {
  decode(bytes: Uint8Array, more: boolean): string;
}

class StreamDecoder implements PieceDecoder {
  private readonly decoder: TextDecoder | Windows1252Decoder;
  constructor(encoding: TextEncoding) {
    this.decoder = encoding === 'windows-1252' ? new Windows1252Decoder() : new TextDecoder(encoding);
  }
  decode(bytes: Uint8Array, more: boolean): string {
    return this.decoder.decode(bytes, { stream: more });
  }
}

let latin1: Latin1Decoder | undefined;

/**
 * UTF-8, except that a piece which is not valid UTF-8 is read as Windows-1252: a legacy file whose
 * first 64 KiB happen to be plain ASCII still reads `Østergård` correctly further on. A piece of
 * characters up to U+00FF only (most Danish text) is decoded by the byte-scan module, others by
 * TextDecoder. The BOM is the caller's to skip: a decoder first used mid-file must not drop a U+FEFF.
 */
class Utf8OrLegacyDecoder implements PieceDecoder {
  private utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly legacy = new Windows1252Decoder();
  /** Bytes of an unfinished UTF-8 sequence at the end of the last piece, held by `utf8`. */
  private held: Uint8Array = EMPTY;
  /** The lead byte of a Latin-1 letter the last piece ended with, decoded by `latin1` (or -1). */
  private lead = -1;

  decode(piece: Uint8Array, more: boolean): string {
    let bytes = piece;
    if (this.held.length === 0) {
      latin1 ??= new Latin1Decoder();
      const fast = latin1.decode(this.lead, bytes);
      if (fast && (more || fast.lead === -1)) {
        this.lead = fast.lead;
        return fast.text;
      }
      if (this.lead !== -1) bytes = Buffer.concat([Uint8Array.of(this.lead), bytes]);
      this.lead = -1;
    }
    try {
      const text = this.utf8.decode(bytes, { stream: more });
      this.held = more ? unfinishedTail(this.held, bytes) : EMPTY;
      return text;
    } catch {
      this.utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      const all = this.held.length ? Buffer.concat([this.held, bytes]) : bytes;
      this.held = EMPTY;
      return this.legacy.decode(all);
    }
  }
}

/** The last bytes of valid UTF-8 (`held` then `bytes`) that start a sequence not yet complete. */
function unfinishedTail(held: Uint8Array, bytes: Uint8Array): Uint8Array {
  const tail =
    bytes.length >= 3 ? bytes.subarray(bytes.length - 3) : Buffer.concat([held, bytes]).subarray(-3);
  for (let i = tail.length - 1; i >= 0; i--) {
    const b = tail[i];
    if (b < 0x80) return EMPTY;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return tail.length - i < length ? Uint8Array.from(tail.subarray(i)) : EMPTY;
    }
  }
  return EMPTY;
}

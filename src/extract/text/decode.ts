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
  let nulEven = 0;
  let nulOdd = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) nulEven++;
      else nulOdd++;
    }
  }
  if (nulEven + nulOdd > 0) {
    const pairs = Math.floor(sample.length / 2) || 1;
    // UTF-16 text of Latin script has a NUL in nearly every other byte, on one side only.
    if (nulOdd / pairs > 0.3 && nulEven === 0) return { encoding: 'utf-16le', bom: 0 };
    if (nulEven / pairs > 0.3 && nulOdd === 0) return { encoding: 'utf-16be', bom: 0 };
    return 'binary';
  }
  return { encoding: isUtf8Prefix(head) ? 'utf-8' : 'windows-1252', bom: 0 };
}

/** Valid UTF-8, allowing the sample to end inside a multi-byte sequence. */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Decodes a whole buffer with the detected encoding, or undefined when it is binary. */
export function decodeBuffer(data: Uint8Array): { text: string; encoding: TextEncoding } | undefined {
  const guess = detectEncoding(data.subarray(0, 65536));
  if (guess === 'binary') return undefined;
  return { text: new TextDecoder(guess.encoding).decode(data.subarray(guess.bom)), encoding: guess.encoding };
}

/** Decodes an async stream of byte pieces into text pieces, NFC-normalised. */
export async function* decodeStream(
  pieces: AsyncIterable<Uint8Array>,
  encoding: TextEncoding,
  bom: number,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let first = true;
  for await (const piece of pieces) {
    const bytes = first ? piece.subarray(bom) : piece;
    first = false;
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { ItemInput } from '../core/types.js';

/** First bytes of an item, for sniffing its format. */
export async function readHead(input: ItemInput, bytes = 65536): Promise<Uint8Array> {
  if (input.source.kind === 'buffer') return input.source.data.subarray(0, bytes);
  // Synchronous: every item's head is read once, and a page-cached read is far faster than three
  // round trips (open, read, close) through libuv's thread pool.
  const fd = openSync(input.source.absPath, 'r');
  try {
    const buf = Buffer.alloc(Math.min(bytes, Math.max(input.source.size, 0)) || bytes);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The item's bytes as a stream of pieces, whatever its source. */
/** Pieces of a streamed text file: decoded, they are strings V8 makes and drops cheaply (see CHUNK_CHARS). */
export const TEXT_PIECE_BYTES = 64 * 1024;

export async function* readPieces(input: ItemInput, highWaterMark = 1 << 20): AsyncGenerator<Uint8Array> {
  if (input.source.kind === 'buffer') {
    const { data } = input.source;
    for (let i = 0; i < data.length; i += highWaterMark) yield data.subarray(i, i + highWaterMark);
    return;
  }
  for await (const piece of createReadStream(input.source.absPath, { highWaterMark })) yield piece as Buffer;
}

export function extensionOf(name: string): string {
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? '';
  const dot = base.indexOf('.', 1);
  return dot === -1 ? '' : base.slice(dot);
}

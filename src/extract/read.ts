import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { fsPath } from '../core/raw-path.js';
import type { ItemInput } from '../core/types.js';

/**
 * First bytes of an item, for sniffing its format. A file's head is read once per item and kept with
 * it: the engine, the format check and the extractor each ask for it, and on this kind of machine an
 * open, read and close cost ~100 µs (a folder of small .eml files spent a tenth of its time there).
 */
export async function readHead(input: ItemInput, bytes = 65536): Promise<Uint8Array> {
  if (input.source.kind === 'buffer') return input.source.data.subarray(0, bytes);
  const known = heads.get(input);
  if (known && (known.asked >= bytes || known.head.length < known.asked))
    return known.head.subarray(0, bytes);
  // Synchronous: a page-cached read is far faster than three round trips (open, read, close) through
  // libuv's thread pool.
  const fd = openSync(fsPath(input.source.absPath), 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(bytes, Math.max(input.source.size, 0)) || bytes);
    const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    heads.set(input, { asked: bytes, head });
    return head;
  } finally {
    closeSync(fd);
  }
}

/** Heads read, per item (`asked`: the bytes asked for; a shorter head is the whole file). */
const heads = new WeakMap<ItemInput, { asked: number; head: Uint8Array }>();

/** Pieces of a streamed text file: decoded, they are strings V8 makes and drops cheaply (see CHUNK_CHARS). */
export const TEXT_PIECE_BYTES = 64 * 1024;

/**
 * Read buffers kept for the next file: a fresh buffer per read costs page faults and external-memory
 * accounting that triggers garbage collections, several times the read itself. A list, not one buffer,
 * because a worker may have two items in flight (each yields now and then).
 */
const spareBuffers: Buffer[] = [];

export function borrowBuffer(size: number): Buffer {
  const i = spareBuffers.findIndex((b) => b.length >= size);
  return i === -1 ? Buffer.allocUnsafe(size) : spareBuffers.splice(i, 1)[0];
}

export function returnBuffer(buf: Buffer): void {
  if (spareBuffers.length < 4) spareBuffers.push(buf);
}

/**
 * A text file's bytes in pieces that are only valid until the next one is asked for (they share one
 * buffer): for a consumer that decodes each piece at once. Page-cached reads are synchronous, as for
 * the head: faster than a round trip through libuv's thread pool per piece.
 */
export async function* readTransientPieces(
  input: ItemInput,
  range?: { start: number; end: number },
): AsyncGenerator<Uint8Array> {
  if (input.source.kind === 'buffer') {
    yield* readPieces(input, TEXT_PIECE_BYTES);
    return;
  }
  const fd = openSync(fsPath(input.source.absPath), 'r');
  const buf = borrowBuffer(TEXT_PIECE_BYTES);
  try {
    const end = range?.end ?? Number.POSITIVE_INFINITY;
    for (let position = range?.start ?? 0, piece = 1; position < end; piece++) {
      // Let an abort (Ctrl-C in an in-process read) through now and then on a very large file.
      if (piece % 64 === 0) await yieldToEvents();
      const n = readSync(fd, buf, 0, Math.min(TEXT_PIECE_BYTES, end - position), position);
      if (n === 0) return;
      position += n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
    returnBuffer(buf);
  }
}

/** The item's bytes as a stream of pieces, whatever its source. */
export async function* readPieces(input: ItemInput, highWaterMark = 1 << 20): AsyncGenerator<Uint8Array> {
  if (input.source.kind === 'buffer') {
    const { data } = input.source;
    for (let i = 0; i < data.length; i += highWaterMark) yield data.subarray(i, i + highWaterMark);
    return;
  }
  for await (const piece of createReadStream(fsPath(input.source.absPath), { highWaterMark }))
    yield piece as Buffer;
}

export function extensionOf(name: string): string {
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? '';
  const dot = base.indexOf('.', 1);
  return dot === -1 ? '' : base.slice(dot);
}

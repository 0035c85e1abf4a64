import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { fsPath } from '../core/raw-path.js';
import type { ItemInput } from '../core/types.js';
import { borrowBuffer, returnBuffer } from '../extract/read.js';
import { formatForName, selectFormat } from '../extract/registry.js';
import { detectEncoding } from '../extract/text/decode.js';
import { isEncodedText } from '../extract/text/text.js';
import { needsDecoding, type RawAnchors } from './raw-anchors.js';
import { fileResult, type TopLevelResult } from './result.js';

/** Small blocks: their Latin-1 strings stay in the young generation, which frees them almost for nothing. */
const BLOCK = 64 * 1024;

/** Part of a file: bytes `start` up to `end` (exclusive). */
export interface ByteRange {
  start: number;
  end: number;
}
const HEAD = 65536;
const JSON_ESCAPE = Buffer.from('\\u');

/**
 * Reads a top-level plain-text or JSON file as raw bytes and settles it without decoding when no
 * anchor of the subject occurs in it: the result is then exactly what the full read would give (no
 * findings, the format, or `skipped: binary`). Returns undefined when the file must be read the normal
 * way: an anchor hit, another format, UTF-16, bytes that decoding could change (see `needsDecoding`),
 * a JSON `\u` escape, or any read error (the full read reports it). Streamed text is never truncated.
 *
 * With `range`, only the bytes from `start` to `end` (plus an anchor's span) are searched, so that the
 * workers can share one huge file; the file is clean when every range is. Only the range at 0 looks at
 * the file's head (format, encoding, binary); later ranges treat a file of unknown format as JSON.
 */
export async function rawPass(
  input: ItemInput,
  anchors: RawAnchors,
  signal?: AbortSignal,
  range?: ByteRange,
): Promise<TopLevelResult | undefined> {
  if (input.depth !== 0 || input.source.kind !== 'file') return undefined;
  const { absPath, size } = input.source;
  // A photo, PDF or archive is known by its name: not even opened here.
  const byName = formatForName(input.name);
  if (byName && byName.id !== 'text' && byName.id !== 'json') return undefined;
  // Synchronous reads: a worker has nothing else to do meanwhile, and a page-cached read is faster
  // than a round trip through libuv's thread pool.
  let fd: number;
  try {
    fd = openSync(fsPath(absPath), 'r');
  } catch {
    return undefined;
  }
  const buf = borrowBuffer(anchors.span + BLOCK);
  try {
    let position = range?.start ?? 0;
    const stop = range ? range.end + anchors.span : Number.POSITIVE_INFINITY;
    let format: string | undefined = position === 0 ? undefined : (byName?.id ?? 'unknown');
    let escapes = format !== 'text';
    let carry = 0;
    for (let block = 1; ; block++) {
      // Let an abort (Ctrl-C, the item's time limit) through every 1 MiB, and on the main thread the
      // workers' results (see runScan).
      if (block % 16 === 0) await yieldToEvents();
      signal?.throwIfAborted();
      const want = Math.min(BLOCK, stop - position);
      const bytesRead = readSync(fd, buf, carry, want, position);
      const end = carry + bytesRead;
      const bytes = buf.subarray(0, end);
      if (format === undefined) {
        const head = bytes.subarray(0, HEAD);
        const extractor = selectFormat(input, head);
        if (extractor.id === 'text' ? isEncodedText(input.name, head) : extractor.id !== 'json')
          return undefined;
        format = extractor.id;
        escapes = format === 'json';
        const guess = detectEncoding(head);
        if (guess === 'binary') return settled(size, format, 'binary');
        if (guess.encoding === 'utf-16le' || guess.encoding === 'utf-16be') return undefined;
      }
      if (needsDecoding(bytes) || (escapes && bytes.includes(JSON_ESCAPE))) return undefined;
      if (anchors.test(bytes)) return undefined;
      if (bytesRead < want || position + bytesRead >= stop) return settled(size, format);
      position += bytesRead;
      carry = Math.min(anchors.span, end);
      buf.copy(buf, 0, end - carry, end);
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    return undefined;
  } finally {
    closeSync(fd);
    returnBuffer(buf);
  }
}

function settled(size: number, format: string, skipped?: string): TopLevelResult {
  return { ...fileResult(size, format), ...(skipped ? { skipped } : {}) };
}

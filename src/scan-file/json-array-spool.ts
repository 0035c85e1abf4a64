import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * Characters gathered before a write. Kept under V8's large-object size even as two-byte text (a
 * context's `…` makes it so): a larger string needs fresh pages to flatten and encode, at several times the cost.
 */
export const WRITE_CHARS = 1 << 15;

/** Bytes read at a time when a spilled spool is copied out. */
const BLOCK_BYTES = 1 << 20;

/** Characters kept in memory before a spool goes to disk (at most ~8 MB as two-byte text). */
export const SPILL_CHARS = 1 << 22;

/** What precedes each value in a spool: the scan file's separator between array elements. */
export const ELEMENT_SEP = ',\n    ';

/**
 * An append-only list that moves to disk once it outgrows `SPILL_CHARS`, so that a scan of millions
 * of files holds its file list and findings in constant memory until the scan file is written. A
 * small one never touches the disk: no temporary file to create, flush, read back and remove (a large
 * share of a small scan's run time) and no identifiers left in a temporary folder.
 *
 * Values are kept as the scan file writes them, each JSON value preceded by `ELEMENT_SEP`, so that
 * the whole list goes into the scan file as one copy of bytes (drop the first comma) instead of a
 * string per value read back and encoded again at the end of a scan.
 */
export class JsonArraySpool<T> {
  /**
   * The file once spilled, written synchronously: a page-cached write of 32 K characters takes
   * microseconds, and an ordered append of another file (`pushFile`) needs no queue of pending writes.
   */
  private fd: number | undefined;
  /** Pieces of WRITE_CHARS (or values already encoded) kept while the spool is small. */
  private readonly held: (string | Uint8Array)[] = [];
  private heldChars = 0;
  /** Values not yet handed on: one piece per 32 K characters, or per quarter second once on disk. */
  private pending = '';
  private flushedAt = Date.now();
  private closed = false;
  count = 0;

  constructor(readonly path: string) {}

  /** True once the spool has gone to disk. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  push(value: T): void {
    this.pushElements(`${ELEMENT_SEP}${JSON.stringify(value)}`, 1);
  }

  /** Adds `count` values serialised elsewhere, each preceded by `ELEMENT_SEP`; UTF-8 bytes are kept as they are. */
  pushElements(elements: string | Uint8Array, count: number): void {
    this.count += count;
    if (typeof elements !== 'string') {
      this.flush();
      if (this.fd !== undefined) writeAll(this.fd, elements);
      else {
        this.held.push(elements);
        this.heldChars += elements.length;
        if (this.heldChars > SPILL_CHARS) this.spill();
      }
      return;
    }
    this.pending += elements;
    if (this.pending.length >= WRITE_CHARS || (this.spilled && Date.now() - this.flushedAt >= 250))
      this.flush();
  }

  /**
   * Adds `count` values serialised elsewhere into the file at `path` (UTF-8 elements, as
   * `pushElements` takes them), copied a block at a time so that a large one is never held whole.
   */
  pushFile(path: string, count: number): void {
    this.flush();
    if (this.fd === undefined) this.spill();
    const fd = this.fd as number;
    const from = openSync(path, 'r');
    try {
      const block = Buffer.allocUnsafe(BLOCK_BYTES);
      for (let n = readSync(from, block); n > 0; n = readSync(from, block))
        writeAll(fd, block.subarray(0, n));
    } finally {
      closeSync(from);
    }
    this.count += count;
  }

  private flush(): void {
    if (!this.pending) return;
    if (this.fd !== undefined) {
      writeAll(this.fd, Buffer.from(this.pending, 'utf8'));
      this.flushedAt = Date.now();
    } else {
      this.held.push(this.pending);
      this.heldChars += this.pending.length;
      if (this.heldChars > SPILL_CHARS) this.spill();
    }
    this.pending = '';
  }

  private spill(): void {
    const fd = openSync(this.path, 'w', 0o600);
    this.fd = fd;
    for (const piece of this.held)
      writeAll(fd, typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
    this.held.length = 0;
    this.heldChars = 0;
    this.flushedAt = Date.now();
  }

  async close(): Promise<void> {
    if (this.fd === undefined || this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }

  /** The values' JSON texts in order: from memory while the spool is small (no await per value), else from disk. */
  lines(): Iterable<string> | AsyncIterable<string> {
    if (!this.spilled) return this.held.concat(this.pending).flatMap((piece) => valuesIn(textOf(piece)));
    return this.fileLines();
  }

  private async *fileLines(): AsyncGenerator<string> {
    const rl = createInterface({ input: createReadStream(this.path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) {
      const value = storedValue(line);
      if (value) yield value;
    }
  }

  /**
   * A spilled spool's values in order, each with where its bytes lie in the file (`readAt` reads them
   * back): for sorting a large spool by keys without holding its values.
   */
  *located(): Generator<{ value: string; at: number; length: number }> {
    const fd = openSync(this.path, 'r');
    try {
      let carry: Buffer = Buffer.alloc(0);
      let base = 0;
      for (;;) {
        const block = Buffer.allocUnsafe(BLOCK_BYTES);
        const n = readSync(fd, block, 0, BLOCK_BYTES, base + carry.length);
        const buf = carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
        let start = 0;
        for (let nl = buf.indexOf(0x0a); ; nl = buf.indexOf(0x0a, start)) {
          // The last line of the file has no line break after it.
          const end = nl === -1 ? (n === 0 ? buf.length : -1) : nl;
          if (end === -1) break;
          let from = start;
          while (from < end && buf[from] === 0x20) from++;
          const to = end > from && buf[end - 1] === 0x2c ? end - 1 : end;
          if (to > from) yield { value: buf.toString('utf8', from, to), at: base + from, length: to - from };
          start = end + 1;
          if (nl === -1) break;
        }
        if (n === 0) return;
        base += start;
        carry = buf.subarray(start);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The stored text as it is, in order: from memory, or from disk a block of bytes at a time. */
  async *pieces(): AsyncGenerator<string | Uint8Array> {
    if (!this.spilled) {
      yield* this.held;
      if (this.pending) yield this.pending;
      return;
    }
    const fh = await open(this.path, 'r');
    try {
      for (;;) {
        const block = Buffer.allocUnsafe(BLOCK_BYTES);
        const { bytesRead } = await fh.read(block, 0, block.length, null);
        if (!bytesRead) break;
        yield block.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }

  async remove(): Promise<void> {
    this.held.length = 0;
    this.pending = '';
    if (this.fd !== undefined && !this.closed) closeSync(this.fd);
    this.closed = true;
    if (this.spilled) await rm(this.path, { force: true });
  }
}

/** Writes all of `bytes` at the file's position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

function textOf(piece: string | Uint8Array): string {
  return typeof piece === 'string'
    ? piece
    : Buffer.from(piece.buffer, piece.byteOffset, piece.length).toString('utf8');
}

/** The JSON values in stored text: JSON text never holds a raw line break, so each line holds at most one. */
function valuesIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const value = storedValue(line);
    if (value) out.push(value);
  }
  return out;
}

/** A stored line is `,` or `    VALUE,` or `    VALUE` (a JSON value never ends in a comma). */
function storedValue(line: string): string {
  const value = line.trimStart();
  return value.endsWith(',') ? value.slice(0, -1) : value;
}

import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * Characters gathered before a write. Kept under V8's large-object size even as two-byte text (a
 * context's `…` makes it so): a larger string took fresh pages to flatten and encode, ~5x the cost.
 */
export const WRITE_CHARS = 1 << 15;

/** Bytes read at a time when a spilled spool is copied out. */
const BLOCK_BYTES = 1 << 20;

/** Characters kept in memory before a spool goes to disk (at most ~8 MB as two-byte text). */
export const SPILL_CHARS = 1 << 22;

/**
 * An append-only list (one JSON value per line) that moves to disk once it outgrows `SPILL_CHARS`,
 * so that a scan of millions of files holds its file list and findings in constant memory until the
 * scan file is written. A small one never touches the disk: no temporary file to create, flush, read
 * back and remove (a quarter of a small scan's run time went there) and no identifiers left in a
 * temporary folder.
 */
export class Spool<T> {
  private out: WriteStream | undefined;
  /** Pieces of WRITE_CHARS kept while the spool is small. */
  private readonly held: string[] = [];
  private heldChars = 0;
  /** Lines not yet handed on: one piece per 32 K characters, or per quarter second once on disk. */
  private pending = '';
  private flushedAt = Date.now();
  count = 0;

  constructor(readonly path: string) {}

  /** True once the spool has gone to disk. */
  get spilled(): boolean {
    return this.out !== undefined;
  }

  push(value: T): void {
    this.pushLines(`${JSON.stringify(value)}\n`, 1);
  }

  /** Adds lines already serialised (each ending in `\n`), `count` of them. */
  pushLines(lines: string, count: number): void {
    this.count += count;
    this.pending += lines;
    if (this.pending.length >= WRITE_CHARS || (this.out && Date.now() - this.flushedAt >= 250)) this.flush();
  }

  private flush(): void {
    if (!this.pending) return;
    if (this.out) {
      this.out.write(this.pending);
      this.flushedAt = Date.now();
    } else {
      this.held.push(this.pending);
      this.heldChars += this.pending.length;
      if (this.heldChars > SPILL_CHARS) this.spill();
    }
    this.pending = '';
  }

  private spill(): void {
    this.out = createWriteStream(this.path, { mode: 0o600 });
    for (const piece of this.held) this.out.write(piece);
    this.held.length = 0;
    this.heldChars = 0;
    this.flushedAt = Date.now();
  }

  async close(): Promise<void> {
    if (!this.out) return;
    this.flush();
    const out = this.out;
    await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  }

  /** The lines in order: from memory while the spool is small (no await per line), else read back from disk. */
  lines(): Iterable<string> | AsyncIterable<string> {
    if (!this.out) return [...this.held, this.pending].flatMap((piece) => piece.split('\n')).filter(Boolean);
    return this.fileLines();
  }

  private async *fileLines(): AsyncGenerator<string> {
    const rl = createInterface({ input: createReadStream(this.path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) if (line) yield line;
  }

  /**
   * A spilled spool's bytes in blocks that each end at a line end, read with no decoding: a large
   * list is copied into the scan file without a string per line (readline spent ~0.4 s on 230,000
   * findings, UTF-8 decoding and encoding them again).
   */
  async *lineBlocks(): AsyncGenerator<Buffer> {
    const fh = await open(this.path, 'r');
    try {
      const block = Buffer.allocUnsafe(BLOCK_BYTES);
      let carry = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await fh.read(block, 0, block.length, null);
        if (!bytesRead) break;
        const data = carry.length
          ? Buffer.concat([carry, block.subarray(0, bytesRead)])
          : block.subarray(0, bytesRead);
        const end = data.lastIndexOf(0x0a) + 1;
        // The block is reused for the next read: what is handed on and what is carried are copies.
        carry = Buffer.from(data.subarray(end));
        if (end) yield Buffer.from(data.subarray(0, end));
      }
      if (carry.length) yield carry;
    } finally {
      await fh.close();
    }
  }

  async remove(): Promise<void> {
    this.held.length = 0;
    this.pending = '';
    if (this.out) await rm(this.path, { force: true });
  }
}

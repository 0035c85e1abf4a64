import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * Characters gathered before a write. Kept under V8's large-object size even as two-byte text (a
 * context's `…` makes it so): a larger string took fresh pages to flatten and encode, ~5x the cost.
 */
export const WRITE_CHARS = 1 << 15;

/**
 * An append-only list kept on disk (one JSON value per line), so that a scan of millions of files
 * holds its file list and findings in constant memory until the scan file is written.
 */
export class Spool<T> {
  private readonly out: WriteStream;
  /** Lines not yet handed to the stream: one write per 32 K characters or quarter second, not one per line. */
  private pending = '';
  private flushedAt = Date.now();
  count = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { mode: 0o600 });
  }

  push(value: T): void {
    this.count++;
    this.pending += `${JSON.stringify(value)}\n`;
    if (this.pending.length >= WRITE_CHARS || Date.now() - this.flushedAt >= 250) {
      this.out.write(this.pending);
      this.pending = '';
      this.flushedAt = Date.now();
    }
  }

  async close(): Promise<void> {
    if (this.pending) this.out.write(this.pending);
    this.pending = '';
    await new Promise<void>((res, rej) => this.out.end((err?: Error | null) => (err ? rej(err) : res())));
  }

  async *lines(): AsyncGenerator<string> {
    const rl = createInterface({ input: createReadStream(this.path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) if (line) yield line;
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * An append-only list kept on disk (one JSON value per line), so that a scan of millions of files
 * holds its file list and findings in constant memory until the scan file is written.
 */
export class Spool<T> {
  private readonly out: WriteStream;
  count = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { mode: 0o600 });
  }

  push(value: T): void {
    this.count++;
    this.out.write(`${JSON.stringify(value)}\n`);
  }

  async close(): Promise<void> {
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

import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** Formats that are compressed already: stored as they are instead of deflated again. */
const STORED =
  /\.(jpe?g|png|gif|webp|heic|heif|mp4|m4v|mov|avi|mkv|mp3|m4a|zip|gz|tgz|bz2|xz|7z|rar|docx|xlsx|pptx|odt|ods|pdf)$/i;

/**
 * Streams a zip file into an open file handle, one entry at a time, so that a large video in the export
 * never sits in memory whole. Every entry's sha256 is computed over exactly the bytes put into the zip.
 */
export class ZipWriter {
  private readonly zip: Zip;
  private pending: Uint8Array[] = [];
  private failure: Error | undefined;
  private ended = false;

  constructor(private readonly fh: FileHandle) {
    this.zip = new Zip((err, data, final) => {
      if (err) this.failure = err;
      else this.pending.push(data);
      if (final) this.ended = true;
    });
  }

  /** Adds one entry from pieces of bytes; resolves to the sha256 and size of what was written. */
  async add(
    name: string,
    pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    mtime = new Date(),
  ): Promise<{ sha256: string; size: number }> {
    const file = STORED.test(name) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    file.mtime = mtime;
    this.zip.add(file);
    const hash = createHash('sha256');
    let size = 0;
    for await (const piece of pieces) {
      hash.update(piece);
      size += piece.length;
      file.push(piece);
      await this.flush();
    }
    file.push(new Uint8Array(0), true);
    await this.flush();
    return { sha256: hash.digest('hex'), size };
  }

  async addText(name: string, text: string): Promise<{ sha256: string; size: number }> {
    return this.add(name, [Buffer.from(text, 'utf8')]);
  }

  async end(): Promise<void> {
    this.zip.end();
    await this.flush();
    if (!this.ended && !this.failure) this.failure = new Error('zip stream did not finish');
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.pending.length) {
      const chunk = this.pending.shift()!;
      await this.fh.write(chunk);
    }
  }
}

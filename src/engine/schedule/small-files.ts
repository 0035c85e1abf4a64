import type { ItemInput } from '../../core/types.js';

/** Files smaller than this travel to the workers in batches of up to this many bytes … */
export const BATCH_BYTES = 2 * 1024 * 1024;
/** … or this many files. */
export const BATCH_FILES = 32;

/**
 * Image formats scanners write (TIFF, PNG, WebP): such a file may be a page read by OCR, a second of
 * CPU however small it is, so it counts as half a batch. Without this, a folder of scanned pages went to
 * one worker as one batch and was recognised on one core. JPEG photos (camera libraries) batch as before.
 */
const MAYBE_SCAN = /\.(tiff?|png|webp)$/i;

/**
 * Gathers small files into batches: one message to and from a worker for many files. A file of a
 * batch's bytes or more goes on its own.
 */
export class SmallFiles {
  private batch: ItemInput[] = [];
  private bytes = 0;

  constructor(
    private readonly send: (batch: ItemInput[]) => void,
    private readonly most = { files: BATCH_FILES, bytes: BATCH_BYTES },
  ) {}

  add(input: ItemInput, size: number): void {
    if (size >= this.most.bytes) {
      this.send([input]);
      return;
    }
    this.batch.push(input);
    this.bytes += MAYBE_SCAN.test(input.name) ? Math.max(size, this.most.bytes / 2) : size;
    if (this.batch.length >= this.most.files || this.bytes >= this.most.bytes) this.flush();
  }

  /** Sends what is gathered (the walk has ended). */
  flush(): void {
    if (this.batch.length) this.send(this.batch);
    this.batch = [];
    this.bytes = 0;
  }
}

import type { ItemInput } from '../../core/types.js';

/** Files smaller than this travel to the workers in batches of up to this many bytes … */
export const BATCH_BYTES = 2 * 1024 * 1024;
/** … or this many files. */
export const BATCH_FILES = 32;

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
    this.bytes += size;
    if (this.batch.length >= this.most.files || this.bytes >= this.most.bytes) this.flush();
  }

  /** Sends what is gathered (the walk has ended). */
  flush(): void {
    if (this.batch.length) this.send(this.batch);
    this.batch = [];
    this.bytes = 0;
  }
}

import type { ItemInput } from '../../core/types.js';
import { formatForName } from '../../extract/registry.js';

export interface FileQueueOptions {
  /** Files held at most; the walk waits for room beyond it. */
  limit: number;
  batchFiles: number;
  batchBytes: number;
  /** Tasks each pool can take now: the scan's pool, and the one of the thread a shared scan leaves out. */
  room(): { pool: number; extra: number };
  /** Hands a batch to the pool, or to the extra one. */
  send(batch: ItemInput[], extra: boolean): void;
  stopped(): boolean;
}

/**
 * The files a shared subject scan has found and no thread has taken yet (see raw-pass-here.ts): plain
 * text (by name) apart from other formats. The workers are fed batches from the heads — other formats first,
 * also to the extra thread, then plain text to the pool only — and the main thread takes plain-text
 * files from the tail with `next`.
 */
export class FileQueue {
  private readonly plain: ItemInput[] = [];
  private readonly other: ItemInput[] = [];
  private walked = false;
  private wakeReader: (() => void) | undefined;
  private wakeWalk: (() => void) | undefined;

  constructor(private readonly o: FileQueueOptions) {}

  add(input: ItemInput): void {
    const byName = formatForName(input.name);
    if (!byName || byName.id === 'text' || byName.id === 'json') this.plain.push(input);
    else this.other.push(input);
    this.feed();
    this.wake('reader');
  }

  /** Hands the workers what they have room for; called on every add and every settled task. */
  feed(): void {
    if (this.o.stopped()) {
      this.plain.length = 0;
      this.other.length = 0;
    }
    for (;;) {
      const room = this.o.room();
      if (this.other.length && room.pool > 0) this.o.send(this.batchFrom(this.other), false);
      else if (this.other.length && room.extra > 0) this.o.send(this.batchFrom(this.other), true);
      else if (this.plain.length && room.pool > 0) this.o.send(this.batchFrom(this.plain), false);
      else break;
    }
    if (!this.full()) this.wake('walk');
  }

  /** The next plain-text file for the main thread; undefined once the walk has ended and none is left. */
  async next(): Promise<ItemInput | undefined> {
    while (!this.o.stopped()) {
      const input = this.plain.pop();
      if (input) {
        if (!this.full()) this.wake('walk');
        return input;
      }
      if (this.walked) return undefined;
      await new Promise<void>((r) => {
        this.wakeReader = r;
      });
    }
    return undefined;
  }

  /** Waits while the queue is full. */
  async room(): Promise<void> {
    while (this.full() && !this.o.stopped())
      await new Promise<void>((r) => {
        this.wakeWalk = r;
      });
  }

  /** The walk is over: `next` ends once the plain-text files are taken. */
  end(): void {
    this.walked = true;
    this.wake('reader');
  }

  private full(): boolean {
    return this.plain.length + this.other.length >= this.o.limit;
  }

  private batchFrom(queue: ItemInput[]): ItemInput[] {
    const batch = [queue.shift()!];
    let bytes = sizeOf(batch[0]);
    while (
      queue.length &&
      batch.length < this.o.batchFiles &&
      bytes + sizeOf(queue[0]) <= this.o.batchBytes
    ) {
      bytes += sizeOf(queue[0]);
      batch.push(queue.shift()!);
    }
    return batch;
  }

  private wake(which: 'reader' | 'walk'): void {
    const w = which === 'reader' ? this.wakeReader : this.wakeWalk;
    if (which === 'reader') this.wakeReader = undefined;
    else this.wakeWalk = undefined;
    w?.();
  }
}

function sizeOf(input: ItemInput): number {
  return input.source.kind === 'file' ? input.source.size : input.source.data.length;
}

import pLimit, { type LimitFunction } from 'p-limit';
import type { ItemInput } from '../../core/types.js';
import { readItems } from './read-items.js';
import type { ScanRun } from './run.js';

/**
 * Runs a scan's work, at most eight tasks a thread at once (the next ones wait in the workers while
 * the current one runs: an item's time limit starts when a worker begins it, so waiting costs
 * nothing), and keeps what is in flight, so that the walk stays a little ahead of the workers and
 * the scan ends when all of it has settled.
 */
export class Scheduler {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly limit: LimitFunction;
  private workerTaskSettled: () => void = () => {};

  constructor(private readonly run: ScanRun) {
    this.limit = pLimit(run.concurrency * 8);
  }

  /** Calls `fn` whenever a task of whole items on a worker settles (see FileQueue.feed). */
  onWorkerTaskSettled(fn: () => void): void {
    this.workerTaskSettled = fn;
  }

  /** Runs `work` in its turn. */
  add(work: () => Promise<void>): void {
    this.track(this.limit(work));
  }

  /** Whole items in one task (see readItems), counted in flight on the pool they go to. */
  read(inputs: ItemInput[], how: { here?: boolean; rawChecked?: boolean; extra?: boolean } = {}): void {
    const { here, rawChecked, extra = false } = how;
    const { workers } = this.run;
    if (extra) workers.inExtra++;
    else if (!here) workers.inPool++;
    this.track(
      this.limit(() => readItems(this.run, inputs, { retry: true, here, rawChecked, extra })).finally(() => {
        if (extra) workers.inExtra--;
        else if (!here) workers.inPool--;
        if (!here) this.workerTaskSettled();
      }),
    );
  }

  /** Work that runs outside the turns (this thread's share of the raw-byte pass), awaited with the rest. */
  track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Waits while the work queued would grow beyond bounds. */
  async room(): Promise<void> {
    while (this.inFlight.size >= this.run.concurrency * 16) await Promise.race(this.inFlight);
  }

  /** Waits until nothing is in flight: settled work can hand queued files on to new work. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  /** After a stop: waits until all work has settled, however it ended. */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled(this.inFlight);
  }
}

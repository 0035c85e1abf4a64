import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TopLevelResult } from './scan-item.js';
import type { ScanTask } from './worker.js';

/** The compiled worker entry (see worker-entry.cts). When the engine runs from TypeScript sources (tests), use the build in dist/. */
function workerFile(): string {
  const here = new URL('./worker-entry.cjs', import.meta.url);
  const path = fileURLToPath(here);
  if (existsSync(path)) return path;
  const fromSource = fileURLToPath(new URL('../../dist/src/engine/worker-entry.cjs', import.meta.url));
  if (existsSync(fromSource)) return fromSource;
  throw new Error(`worker module not found at ${path}: run npm run build`);
}

/** Tasks that can be watched at once; beyond that a task runs without a time limit. */
const SLOTS = 1 << 14;
/** How often running tasks are checked against their time limit. */
const TICK_MS = 100;

interface Watched {
  timeoutMs: number;
  timeout: AbortController;
  /** The progress value last seen: 1 + the index of the item the worker is on, 0 before it begins. */
  seen: number;
  /** When the worker was first seen on that item. */
  since?: number;
}

/** A task stopped at its time limit; `index` is the item of the task that was running. */
export class ItemTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly index: number) {
    super('item time limit');
  }
}

/**
 * Worker threads for extraction and detection. A task that runs past its time limit is aborted, which
 * terminates its thread (the only way to stop a parser stuck in a loop); Piscina starts a fresh one.
 */
export class ScanPool {
  private readonly piscina: Piscina;
  /** One progress value per task slot, written by the worker (shared memory: no message per item). */
  private readonly progress = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly freeSlots = Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i);
  private readonly watched = new Map<number, Watched>();
  private ticker: NodeJS.Timeout | undefined;

  constructor(readonly size: number) {
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: size,
      maxThreads: size,
      // A second task waits in each worker, so it never idles for a round trip to the main thread between tasks.
      concurrentTasksPerWorker: 2,
      recordTiming: false,
      idleTimeout: 60_000,
      // Workers have their own heap; keep each bounded so many large files in flight cannot exhaust memory.
      // A bounded young generation: V8 otherwise lets each worker's grow to tens of MB of garbage between
      // scavenges. 8 MB: at 4 MB an inventory's findings outlived the scavenges and were copied into the
      // old generation; 16 MB was no faster than 8 on --all over the bench corpus but peaked 30 MB higher.
      resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 8 },
      workerData: { progress: this.progress },
    });
  }

  /**
   * With `timeoutMs`, each item's clock starts when a worker begins it, not when it is queued: a thread
   * that replaces a stopped one first spends a while loading parsers, and that must not count against
   * the next item (with a short `--timeout` it would time out every following file in turn). A task
   * stopped at the limit rejects with an ItemTimeoutError naming the item.
   */
  run(task: ScanTask, signal: AbortSignal, timeoutMs?: number): Promise<TopLevelResult[]> {
    const slot = timeoutMs === undefined ? undefined : this.freeSlots.pop();
    if (slot === undefined || timeoutMs === undefined) return this.piscina.run(task, { signal });
    Atomics.store(this.progress, slot, 0);
    const watched: Watched = { timeoutMs, timeout: new AbortController(), seen: 0 };
    this.watched.set(slot, watched);
    this.ticker ??= setInterval(() => this.checkTimeouts(), TICK_MS);
    return this.piscina
      .run({ ...task, progressSlot: slot }, { signal: AbortSignal.any([signal, watched.timeout.signal]) })
      .catch((err: unknown) => {
        if (watched.timeout.signal.aborted && !signal.aborted) throw new ItemTimeoutError(watched.seen - 1);
        throw err;
      })
      .finally(() => {
        this.watched.delete(slot);
        this.freeSlots.push(slot);
        if (this.watched.size === 0) this.stopTicker();
      });
  }

  private checkTimeouts(): void {
    const now = Date.now();
    for (const [slot, w] of this.watched) {
      const progress = Atomics.load(this.progress, slot);
      if (progress !== w.seen) {
        w.seen = progress;
        w.since = now;
      } else if (w.since !== undefined && now - w.since >= w.timeoutMs && !w.timeout.signal.aborted) {
        w.timeout.abort(new DOMException('item time limit', 'TimeoutError'));
      }
    }
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  async close(): Promise<void> {
    this.stopTicker();
    await this.piscina.destroy();
  }
}

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

let warm: ScanPool | undefined;

/**
 * Starts the worker threads ahead of need: they take a few hundred milliseconds to load, which can
 * overlap with the command loading its own modules and reading the subject.
 */
export function warmPool(size = defaultConcurrency()): void {
  warm ??= new ScanPool(size);
}

/** The warmed pool when it has the size wanted (it is then the caller's to close). */
export function takeWarmPool(size: number): ScanPool | undefined {
  const pool = warm;
  warm = undefined;
  if (pool && pool.size !== size) {
    void pool.close();
    return undefined;
  }
  return pool;
}

/** Ends a warmed pool nobody took (a usage error, `--help`), so the process can exit. */
export async function closeWarmPool(): Promise<void> {
  const pool = warm;
  warm = undefined;
  await pool?.close();
}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { RUN_DIR_KEY, removeThreadTemps, runTempDir } from '../core/run-temp.js';
import type { TopLevelResult } from './result.js';
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
  /** Undefined: no time limit, only the caller's signal. */
  timeoutMs?: number;
  timedOut: boolean;
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
 * Megabytes of JavaScript heap (old generation) a worker thread may use; an item that needs more ends
 * its thread (V8 stops it, not the machine's memory) and becomes a `limit` error. `DSR_WORKER_HEAP_MB`
 * overrides it.
 */
export function workerHeapMb(): number {
  const fromEnv = Number(process.env.DSR_WORKER_HEAP_MB);
  return Number.isInteger(fromEnv) && fromEnv >= 16 ? fromEnv : 1024;
}

/** A task whose worker thread ran out of its heap cap (see workerHeapMb). */
export class WorkerMemoryError extends Error {
  override readonly name = 'WorkerMemoryError';
  constructor(readonly capMb: number) {
    super(`ran out of the worker's memory cap of ${capMb} MB; not read`);
  }
}

function outOfMemory(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * Worker threads for extraction and detection. A task that runs past its time limit, or whose caller
 * gives up, has its thread terminated (the only way to stop a parser stuck in a loop); Piscina starts a
 * fresh one.
 *
 * Tasks are handed to Piscina without an AbortSignal: Piscina runs an abortable task alone on its
 * thread, so each task would wait for a round trip to the main thread after the one before (workers
 * would idle ~13 % of a subject scan, more while the main thread scans too). Instead each worker notes in shared
 * memory which task it is on, and the pool terminates that thread itself. A task queued behind the
 * stopped one on the same thread fails with it; the scan reads such items again.
 */
export class ScanPool {
  private readonly piscina: Piscina;
  /** Per task slot, written by the worker (shared memory: no message per item): progress, and its thread id. */
  private readonly progress = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly owner = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly freeSlots = Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i);
  private readonly watched = new Map<number, Watched>();
  private timed = 0;
  private readonly aborts = new WeakMap<AbortSignal, Set<() => void>>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly heapMb = workerHeapMb();

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
      // scavenges. 8 MB: at 4 MB an inventory's findings outlive the scavenges and are copied into the old
      // generation; 16 MB is no faster than 8 on --all over the bench corpus but peaks 30 MB higher.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 8 },
      // Temporary files of the workers go in the run's folder (see run-temp.ts).
      workerData: { progress: this.progress, owner: this.owner, [RUN_DIR_KEY]: runTempDir() },
    });
    // A thread that fails with no task of its own (its tasks already settled): Piscina replaces it.
    this.piscina.on('error', () => {});
  }

  /** Tasks handed to the pool and not yet settled. */
  get pending(): number {
    return this.watched.size;
  }

  /**
   * With `timeoutMs`, each item's clock starts when a worker begins it, not when it is queued: a thread
   * that replaces a stopped one first spends a while loading parsers, and that must not count against
   * the next item (with a short `--timeout` it would time out every following file in turn). A task
   * stopped at the limit rejects with an ItemTimeoutError naming the item; one whose `signal` aborts
   * rejects with the signal's reason at once.
   */
  run(task: ScanTask, signal: AbortSignal, timeoutMs?: number): Promise<TopLevelResult[]> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const slot = this.freeSlots.pop();
    // Out of slots (thousands of tasks at once): Piscina's own abort, one task per thread.
    if (slot === undefined) return this.piscina.run({ ...task, transfer: true }, { signal });
    Atomics.store(this.progress, slot, 0);
    Atomics.store(this.owner, slot, 0);
    const watched: Watched = { timeoutMs, timedOut: false, seen: 0 };
    this.watched.set(slot, watched);
    if (timeoutMs !== undefined) {
      this.timed++;
      this.ticker ??= setInterval(() => this.checkTimeouts(), TICK_MS);
    }
    return new Promise<TopLevelResult[]>((resolve, reject) => {
      const forget = this.onAbort(signal, () => {
        this.stopThreadOf(slot);
        reject(signal.reason);
      });
      this.piscina
        .run({ ...task, progressSlot: slot, transfer: true })
        .then(resolve, (err: unknown) => {
          if (outOfMemory(err)) removeThreadTemps(Atomics.load(this.owner, slot));
          reject(
            watched.timedOut
              ? new ItemTimeoutError(watched.seen - 1)
              : outOfMemory(err)
                ? new WorkerMemoryError(this.heapMb)
                : err,
          );
        })
        .finally(() => {
          forget();
          // Only now: until Piscina settles the task, a worker may still write to its slot.
          this.watched.delete(slot);
          this.freeSlots.push(slot);
          if (timeoutMs !== undefined && --this.timed === 0) this.stopTicker();
        });
    });
  }

  /**
   * Calls `fn` when `signal` aborts, until forgotten. One listener per signal: a scan's tasks share its
   * signal, and Node warns from eleven listeners on.
   */
  private onAbort(signal: AbortSignal, fn: () => void): () => void {
    let waiting = this.aborts.get(signal);
    if (!waiting) {
      const set = new Set<() => void>();
      signal.addEventListener('abort', () => {
        for (const f of set) f();
      });
      this.aborts.set(signal, set);
      waiting = set;
    }
    waiting.add(fn);
    return () => waiting.delete(fn);
  }

  /**
   * Terminates the thread running the task in `slot`, if it has begun; Piscina then fails its tasks.
   * What the thread was writing in the run's temp folder (a gzip being inflated) goes with it.
   */
  private stopThreadOf(slot: number): void {
    const id = Atomics.load(this.owner, slot);
    if (id === 0) return;
    const thread = this.piscina.threads.find((t) => t.threadId === id);
    if (!thread) return;
    void thread.terminate().then(
      () => removeThreadTemps(id),
      () => removeThreadTemps(id),
    );
  }

  private checkTimeouts(): void {
    const now = Date.now();
    for (const [slot, w] of this.watched) {
      if (w.timeoutMs === undefined || w.timedOut) continue;
      const progress = Atomics.load(this.progress, slot);
      if (progress !== w.seen) {
        w.seen = progress;
        w.since = now;
      } else if (w.since !== undefined && now - w.since >= w.timeoutMs) {
        w.timedOut = true;
        this.stopThreadOf(slot);
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

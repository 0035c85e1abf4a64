import { ScanPool, takeWarmPool } from '../pool.js';
import type { TopLevelResult } from '../result.js';
import type { ScanTask } from '../worker.js';

/** What the scheduler needs of a pool of worker threads (see ScanPool). */
export interface TaskPool {
  run(task: ScanTask, signal: AbortSignal, timeoutMs?: number): Promise<TopLevelResult[]>;
  close(): Promise<void>;
}

/** Starts the pool, or the extra pool, of `size` threads. */
export type PoolStarter = (size: number, which: 'pool' | 'extra') => TaskPool;

const startScanPool: PoolStarter = (size, which) =>
  (which === 'pool' ? takeWarmPool(size) : undefined) ?? new ScanPool(size);

/**
 * Worker threads kept across the scans of a long-lived process (an agent runs one scan per job): a
 * scan's `close()` leaves them running for the next one, and `closeAll()` ends them. Starting a
 * thread costs a few hundred milliseconds of CPU, more than a small job's whole scan.
 */
export class KeptPools {
  private readonly pools = new Map<string, TaskPool>();

  constructor(private readonly start: PoolStarter = startScanPool) {}

  readonly starter: PoolStarter = (size, which) => {
    const key = `${which}:${size}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = this.start(size, which);
      this.pools.set(key, pool);
    }
    const kept = pool;
    return { run: (task, signal, timeoutMs) => kept.run(task, signal, timeoutMs), close: async () => {} };
  };

  async closeAll(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }
}

/**
 * A scan's worker threads, each pool started on first use: a scan answered from an index may never
 * need one. When this thread takes a share of the raw-byte pass (`shareHere`: see sharesRawPass), it
 * does so in place of one worker thread, which would cost ~0.15 s of CPU to start: that thread is the
 * extra pool's, started only for files of other formats and huge files.
 */
export class Workers {
  /** Tasks handed to the pool and not yet settled … */
  inPool = 0;
  /** … and to the extra pool. */
  inExtra = 0;
  readonly poolSize: number;
  private main: TaskPool | undefined;
  private spare: TaskPool | undefined;

  constructor(
    readonly concurrency: number,
    readonly shareHere: boolean,
    private readonly start: PoolStarter = startScanPool,
  ) {
    this.poolSize = shareHere ? concurrency - 1 : concurrency;
  }

  pool(): TaskPool {
    this.main ??= this.start(this.poolSize, 'pool');
    return this.main;
  }

  extra(): TaskPool {
    this.spare ??= this.start(this.concurrency - this.poolSize, 'extra');
    return this.spare;
  }

  /** Every thread, for the parts of a huge file, the extra one included. */
  everyThread(): TaskPool[] {
    return this.shareHere ? [this.pool(), this.extra()] : [this.pool()];
  }

  /** Tasks each pool can take before a thread holds two (see FileQueue). */
  room(): { pool: number; extra: number } {
    return {
      pool: this.poolSize * 2 - this.inPool,
      extra: (this.concurrency - this.poolSize) * 2 - this.inExtra,
    };
  }

  /** Stops the threads while the caller writes its results; the process waits for them on exit. */
  close(): void {
    void this.main?.close().catch(() => undefined);
    void this.spare?.close().catch(() => undefined);
  }
}

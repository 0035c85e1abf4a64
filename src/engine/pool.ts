import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TopLevelResult } from './scan-item.js';
import type { ScanTask } from './worker.js';

/** The compiled worker module. When the engine runs from TypeScript sources (tests), use the build in dist/. */
function workerFile(): string {
  const here = new URL('./worker.js', import.meta.url);
  const path = fileURLToPath(here);
  if (existsSync(path)) return path;
  const fromSource = fileURLToPath(new URL('../../dist/src/engine/worker.js', import.meta.url));
  if (existsSync(fromSource)) return fromSource;
  throw new Error(`worker module not found at ${path}: run npm run build`);
}

/**
 * Worker threads for extraction and detection. A task that runs past its time limit is aborted, which
 * terminates its thread (the only way to stop a parser stuck in a loop); Piscina starts a fresh one.
 */
export class ScanPool {
  private readonly piscina: Piscina;

  constructor(readonly size: number) {
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: size,
      maxThreads: size,
      idleTimeout: 60_000,
      // Workers have their own heap; keep each bounded so many large files in flight cannot exhaust memory.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
  }

  /**
   * With `timeoutMs`, the clock starts when a worker begins the task, not when it is queued: a thread
   * that replaces a stopped one first spends a while loading parsers, and that must not count against
   * the next item (with a short `--timeout` it would time out every following file in turn).
   */
  run(task: ScanTask, signal: AbortSignal, timeoutMs?: number): Promise<TopLevelResult> {
    if (timeoutMs === undefined) return this.piscina.run(task, { signal });
    const { port1, port2 } = new MessageChannel();
    const timeout = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => {
      timer = setTimeout(() => timeout.abort(new DOMException('item time limit', 'TimeoutError')), timeoutMs);
    });
    return this.piscina
      .run(
        { ...task, started: port2 },
        { signal: AbortSignal.any([signal, timeout.signal]), transferList: [port2] },
      )
      .finally(() => {
        clearTimeout(timer);
        port1.close();
      });
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

  run(task: ScanTask, signal: AbortSignal): Promise<TopLevelResult> {
    return this.piscina.run(task, { signal });
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

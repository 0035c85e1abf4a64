import type { ItemInput } from '../../core/types.js';
import type { TopLevelResult } from '../result.js';
import { deliver } from './collect.js';
import type { ScanRun } from './run.js';
import { readTextInRanges } from './text-in-ranges.js';

/**
 * A huge plain-text file in a subject scan: its raw-byte pass is split into ranges that all workers
 * share, two a thread at a time; the file is settled when every range is clean, else read in full.
 */
export async function rawPassInRanges(run: ScanRun, input: ItemInput, size: number): Promise<void> {
  const { rangeBytes } = run.split;
  const task = { inputs: [input], subject: run.subject, all: run.all, limits: run.limits };
  const wave = rangeBytes * run.concurrency * 2;
  let first: TopLevelResult | undefined;
  let clean = true;
  const pools = run.workers.everyThread();
  for (let start = 0; clean && start < size; start += wave) {
    const runs: Promise<TopLevelResult | undefined>[] = [];
    for (let s = start; s < Math.min(size, start + wave); s += rangeBytes) {
      const range = { start: s, end: Math.min(size, s + rangeBytes) };
      // A range that fails or runs out of time leaves the file to the full read, which reports it.
      runs.push(
        pools[(s / rangeBytes) % pools.length].run({ ...task, range }, run.signal, run.limits.timeoutMs).then(
          (r) => r[0],
          () => undefined,
        ),
      );
    }
    const results = await Promise.all(runs);
    if (run.signal.aborted) return;
    if (start === 0) first = results[0];
    if (first?.skipped) break;
    clean = results.every(Boolean);
  }
  if (first && (clean || first.skipped)) {
    deliver(run, input, first);
    run.progress.emit();
    return;
  }
  await readTextInRanges(run, input, true);
}

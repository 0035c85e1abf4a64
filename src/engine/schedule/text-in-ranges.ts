import { createHash } from 'node:crypto';
import type { ItemInput } from '../../core/types.js';
import { RangeMerger } from '../range-merger.js';
import type { TopLevelResult } from '../result.js';
import { textRanges } from '../text-ranges.js';
import type { ScanTask } from '../worker.js';
import { deliver } from './collect.js';
import { readItems } from './read-items.js';
import { partSize, type ScanRun } from './run.js';

/** Ranges of at least this size: each costs its margins. */
const MIN_TEXT_RANGE_BYTES = 4 * 1024 * 1024;

/**
 * A huge plain-text file read in full: its ranges (see `textRanges`) are read by all workers, a few
 * at a time, with the listing quota that the ranges merged so far leave, and merged in order. A file
 * that is not plain text, not UTF-8 throughout, or whose range fails, is read in one piece instead.
 * `rawChecked`: the raw-byte pass found an anchor in it (see rawPassInRanges).
 */
export async function readTextInRanges(run: ScanRun, input: ItemInput, rawChecked: boolean): Promise<void> {
  // One thread gains nothing from ranges but their margins.
  if (run.concurrency < 2) return readItems(run, [input], { retry: true, here: false, rawChecked });
  const merger = new RangeMerger(run.limits.maxFindings, run.index !== undefined);
  const pools = run.workers.everyThread();
  const pending: { to: number; result: Promise<TopLevelResult | undefined> }[] = [];
  let merged = true;
  // A subject scan reads a huge file in full only where its raw bytes hold an anchor: it will most
  // likely hold the subject and need a fingerprint, which is then hashed along with the counting.
  const hashing = rawChecked ? { hash: createHash('sha256'), to: 0 } : undefined;
  const mergeNext = async () => {
    const part = pending.shift()!;
    const result = await part.result;
    if (!result || !merger.add(result)) merged = false;
    else {
      run.progress.partly(input.ref.path, part.to);
      run.progress.emit();
    }
  };
  try {
    const rangeBytes = partSize(
      run,
      input.source.kind === 'file' ? input.source.size : 0,
      MIN_TEXT_RANGE_BYTES,
    );
    for await (const range of textRanges(input, rangeBytes, run.signal, hashing)) {
      const task: ScanTask = {
        inputs: [input],
        subject: run.subject,
        all: run.all,
        limits: run.limits,
        index: run.index,
        textRange: range,
        quota: merger.quota(),
      };
      pending.push({
        to: range.to,
        result: pools[range.index % pools.length].run(task, run.signal, run.limits.timeoutMs).then(
          (r) => r[0],
          () => undefined,
        ),
      });
      // Two ranges a thread: a thread whose range ends before the one merged next goes straight on
      // instead of idling until it is merged. An index keeps one: each range's tokens (up to
      // MAX_TOKENS, or a token filter) wait to be merged.
      while (merged && pending.length >= (run.index ? run.concurrency : run.concurrency * 2))
        await mergeNext();
      if (!merged) break;
    }
    while (merged && pending.length) await mergeNext();
  } catch {
    // Not splittable after all (see NotSplittable), unreadable, or stopped.
    merged = false;
  }
  await Promise.all(pending.map((p) => p.result));
  run.progress.whole(input.ref.path);
  if (run.signal.aborted) return;
  if (merged && merger.size) {
    const result = await merger.finish(input, hashing);
    deliver(run, input, result);
    run.progress.emit();
    return;
  }
  await readItems(run, [input], { retry: true, here: false, rawChecked });
}

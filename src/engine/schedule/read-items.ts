import type { ItemInput } from '../../core/types.js';
import { ItemTimeoutError } from '../pool.js';
import type { TopLevelResult } from '../result.js';
import type { ScanTask } from '../worker.js';
import { deliver, failed } from './collect.js';
import type { ScanRun } from './run.js';

export interface ReadHow {
  /**
   * Read again once if the task fails: it can also fail because its worker was stopped for another
   * task's time limit. @default true
   */
  retry?: boolean;
  /** On this thread. @default the scan's `inProcess` */
  here?: boolean;
  /** The raw-byte pass already found an anchor: read in full straight away (see ScanTask). */
  rawChecked?: boolean;
  /** On the extra pool (see Workers). */
  extra?: boolean;
}

/**
 * Reads whole top-level items in one task, on a worker thread (or this one), and collects their
 * results. When the task fails, the item that ran out of time is reported, every other one is read
 * again on its own: one bad file never costs its neighbours their findings.
 */
export async function readItems(run: ScanRun, inputs: ItemInput[], how: ReadHow = {}): Promise<void> {
  const { retry = true, here = run.inProcess, rawChecked = false, extra = false } = how;
  if (run.signal.aborted) return;
  run.progress.current = inputs[inputs.length - 1].ref.path;
  let results: TopLevelResult[];
  try {
    const task: ScanTask = {
      inputs,
      subject: run.subject,
      all: run.all,
      limits: run.limits,
      index: run.index,
      ocrCache: run.ocrCache,
      textCache: run.textCache,
      rawChecked,
      spillDir: run.spillDir,
    };
    if (here) results = await (await import('../worker.js')).runTaskHere(task, run.signal);
    else
      results = await (extra ? run.workers.extra() : run.workers.pool()).run(
        task,
        run.signal,
        run.limits.timeoutMs,
      );
  } catch (err) {
    if (run.signal.aborted) return;
    const culprit = err instanceof ItemTimeoutError ? err.index : -1;
    if (inputs.length === 1)
      return culprit === 0 || !retry
        ? failed(run, inputs[0], err)
        : readItems(run, inputs, { retry: false, here, rawChecked });
    // The results of a stopped batch are lost.
    for (const [i, input] of inputs.entries()) {
      if (i === culprit) failed(run, input, err);
      else await readItems(run, [input]);
    }
    return;
  }
  for (const [i, input] of inputs.entries()) deliver(run, input, results[i]);
  run.progress.emit();
}

import { errorMessage, kindOfSystemError } from '../../core/errors.js';
import type { ItemInput, ScanError } from '../../core/types.js';
import { ItemTimeoutError } from '../pool.js';
import { fileResult, type TopLevelResult } from '../result.js';
import type { ScanTask } from '../worker.js';
import { collectPart, taskFailure } from './collect.js';
import { readItems } from './read-items.js';
import type { ScanRun } from './run.js';
import type { TaskPool } from './workers.js';

/** A container's parts hold at least this many bytes: reading a message costs far more than a text range's bytes. */
export const MIN_PART_BYTES = 1024 * 1024;

/** A part of a huge container as it is handed to a worker. */
export interface PartSpec {
  task: Pick<ScanTask, 'mboxPart' | 'zipPart'>;
  /** What the part holds, for the error when it fails. */
  what: string;
  /** Where in the file its bytes end (progress). */
  end: number;
}

/**
 * Plans a container's parts, handing each to `send` as it is planned (on this thread); reports what
 * it cannot read. False: nothing to share, the container is read the usual way.
 */
export type PartPlan = (
  send: (part: PartSpec) => Promise<void>,
  report: (e: ScanError) => void,
) => Promise<boolean>;

/**
 * A huge container read in parts by all workers: the workers read a few planned parts at a time, and
 * each part's findings and items go to the writer as soon as the parts before it are in (`merged`
 * sees each result). A part that fails is reported with what it held.
 */
export async function readInParts(
  run: ScanRun,
  input: ItemInput,
  size: number,
  format: string,
  plan: PartPlan,
  merged?: (result: TopLevelResult, part: PartSpec) => void,
): Promise<void> {
  const { writer, signal, limits } = run;
  const pools = run.workers.everyThread();
  const ref = { path: input.ref.path, itemPath: [] };
  const planned: ScanError[] = [];
  const pending: { part: PartSpec; result: Promise<TopLevelResult | Error> }[] = [];
  const summary: TopLevelResult = { ...fileResult(size, format), parts: 0 };
  const runPart = (task: ScanTask, pool: TaskPool, retry = true): Promise<TopLevelResult | Error> =>
    pool.run(task, signal, limits.timeoutMs).then(
      (r) => r[0],
      // As in readItems: a part can also fail because its thread was stopped for another task.
      (err: Error) =>
        retry && !(err instanceof ItemTimeoutError && err.index === 0) ? runPart(task, pool, false) : err,
    );
  const mergeNext = async () => {
    const { part, result } = pending.shift()!;
    const done = await result;
    if (signal.aborted) return;
    if (done instanceof Error) {
      const { kind, why } = taskFailure(done, limits);
      writer.addError({ ...ref, kind, message: `${part.what} not read: ${why}` });
      return;
    }
    // Every part reads the container itself as its top-level item: counted once, in the summary.
    collectPart(writer, { ...done, itemCount: done.itemCount - 1 });
    summary.itemCount += done.itemCount - 1;
    summary.parts!++;
    merged?.(done, part);
    run.progress.partly(input.ref.path, part.end);
    run.progress.emit();
  };
  let sent = 0;
  const send = async (part: PartSpec) => {
    const task: ScanTask = {
      inputs: [input],
      subject: run.subject,
      all: run.all,
      limits,
      spillDir: run.spillDir,
      ...part.task,
    };
    pending.push({ part, result: runPart(task, pools[sent++ % pools.length]) });
    // Two parts a thread, as for text ranges.
    while (pending.length >= run.concurrency * 2) await mergeNext();
  };
  let inParts = false;
  try {
    inParts = await plan(send, (e) => planned.push(e));
  } catch (err) {
    if (!signal.aborted) planned.push({ ...ref, kind: kindOfSystemError(err), message: errorMessage(err) });
    inParts = sent > 0;
  }
  while (pending.length) await mergeNext();
  run.progress.whole(input.ref.path);
  if (signal.aborted) return;
  if (!inParts) return readItems(run, [input]);
  writer.stats.files++;
  writer.stats.items++;
  writer.stats.bytes += size;
  writer.addScanned(input.ref.path);
  for (const e of planned) writer.addError(e);
  summary.errors = planned;
  run.onResult?.(input, summary);
  run.progress.emit();
}

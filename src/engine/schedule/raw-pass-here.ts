import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { compileSubject } from '../../match/subject.js';
import { rawFirstPass } from '../raw-first.js';
import { deliver } from './collect.js';
import { FileQueue } from './file-queue.js';
import type { ScanRun } from './run.js';
import type { Scheduler } from './scheduler.js';
import { BATCH_BYTES, BATCH_FILES } from './small-files.js';

/** The walk keeps up to this many files queued for this thread and the workers … */
const QUEUE_FILES = 256;
/** … and this thread lets the workers' results in after reading this much itself. */
const HERE_YIELD_BYTES = 1024 * 1024;

/**
 * A subject scan's main thread mostly waits for the workers: it takes a share of the raw-byte pass
 * itself, in place of one worker thread (see Workers). The walk queues files; the workers are fed
 * batches whenever a thread holds fewer than two tasks (see FileQueue), and this thread reads
 * plain-text files meanwhile, letting the workers' results (and so their next batches) in after every
 * 1 MiB it reads. A file it does not settle goes to the workers, read in full, so parsers still run
 * only where a time limit can stop them. Returns the queue the walk adds files to.
 */
export function shareRawPass(run: ScanRun, scheduler: Scheduler): FileQueue {
  const queue = new FileQueue({
    limit: QUEUE_FILES,
    batchFiles: BATCH_FILES,
    batchBytes: BATCH_BYTES,
    room: () => run.workers.room(),
    send: (batch, extra) => scheduler.read(batch, { here: false, rawChecked: false, extra }),
    stopped: () => run.signal.aborted,
  });
  scheduler.onWorkerTaskSettled(() => queue.feed());
  scheduler.track(readPlainText(run, scheduler, queue));
  return queue;
}

async function readPlainText(run: ScanRun, scheduler: Scheduler, queue: FileQueue): Promise<void> {
  const compiled = compileSubject(run.subject!);
  let sinceYield = 0;
  for (let input = await queue.next(); input; input = await queue.next()) {
    run.progress.current = input.ref.path;
    const settled = await rawFirstPass(input, compiled, run.signal).catch(() => null);
    if (settled === null) return; // stopped
    if (!settled) {
      scheduler.read([input], { here: false, rawChecked: true });
      continue;
    }
    deliver(run, input, settled);
    run.progress.emit();
    sinceYield += input.source.kind === 'file' ? input.source.size : 0;
    if (sinceYield >= HERE_YIELD_BYTES) {
      sinceYield = 0;
      await yieldToEvents();
    }
  }
}

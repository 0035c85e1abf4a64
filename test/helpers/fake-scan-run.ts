import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { newScanId } from '../../src/core/ids.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput, ScanFile, Subject } from '../../src/core/types.js';
import type { IndexMode } from '../../src/engine/index-mode.js';
import { fileResult, type TopLevelResult } from '../../src/engine/result.js';
import { Progress, type ScanProgress } from '../../src/engine/schedule/progress.js';
import { DEFAULT_SPLIT, type ScanRun, type SplitSizes } from '../../src/engine/schedule/run.js';
import { type PoolStarter, Workers } from '../../src/engine/schedule/workers.js';
import type { ScanTask } from '../../src/engine/worker.js';
import { ScanWriter } from '../../src/scan-file/writer.js';
import { SUBJECT, tempTree } from './cli.js';

/** A task as a fake pool received it, and which pool that was. */
export interface SentTask {
  task: ScanTask;
  pool: 'pool' | 'extra';
}

/** Answers a task in place of a worker: its results, or a rejection. */
export type Answer = (task: ScanTask, sent: SentTask) => Promise<TopLevelResult[]> | TopLevelResult[];

/**
 * A scan's shared state (see ScanRun) over fake worker pools: each task is recorded and answered by
 * `answer`, and the results land in a real ScanWriter. The scheduler's strategies run against it as
 * in a scan, without threads.
 */
export function fakeScanRun(
  answer: Answer,
  opts: {
    concurrency?: number;
    shareHere?: boolean;
    split?: Partial<SplitSizes>;
    all?: boolean;
    subject?: Subject | null;
    index?: IndexMode;
  } = {},
) {
  const sent: SentTask[] = [];
  const delivered: { input: ItemInput; result: TopLevelResult }[] = [];
  const progress: ScanProgress[] = [];
  let running = 0;
  let mostRunning = 0;
  const started: ('pool' | 'extra')[] = [];
  const start: PoolStarter = (_size, which) => {
    started.push(which);
    return {
      async run(task) {
        const s = { task, pool: which };
        sent.push(s);
        running++;
        mostRunning = Math.max(mostRunning, running);
        try {
          return await answer(task, s);
        } finally {
          running--;
        }
      },
      close: async () => {},
    };
  };
  const stop = new AbortController();
  const writer = new ScanWriter(
    {
      scanId: newScanId(),
      startedAt: new Date().toISOString(),
      roots: [],
      subject: {},
      options: { all: false, excludes: [] },
    },
    true,
  );
  const concurrency = opts.concurrency ?? 2;
  const run: ScanRun = {
    subject: opts.subject === undefined ? SUBJECT : opts.subject,
    all: opts.all ?? false,
    limits: DEFAULT_LIMITS,
    index: opts.index,
    concurrency,
    split: { ...DEFAULT_SPLIT, ...opts.split },
    inProcess: false,
    signal: stop.signal,
    spillDir: '/nonexistent/spill',
    writer,
    workers: new Workers(concurrency, opts.shareHere ?? false, start),
    progress: new Progress(writer, (p) => progress.push(p)),
    onResult: (input, result) => delivered.push({ input, result }),
  };
  return {
    run,
    sent,
    delivered,
    progress,
    /** Pools started, in order. */
    started,
    /** The most tasks the fake pools held at once. */
    mostRunning: () => mostRunning,
    abort: () => stop.abort(),
    /** The scan file the writer holds so far. */
    async scanFile(): Promise<ScanFile> {
      const dir = tempTree();
      try {
        const out = join(dir, 'scan.json');
        await writer.write(out, { finishedAt: new Date().toISOString() });
        return JSON.parse(readFileSync(out, 'utf8'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    discard: () => writer.discard(),
  };
}

/** A top-level file as the walk hands it on. */
export function fileItem(absPath: string, size: number): ItemInput {
  return {
    ref: { path: absPath, itemPath: [] },
    name: absPath.slice(absPath.lastIndexOf('/') + 1),
    source: { kind: 'file', absPath, size },
    depth: 0,
  };
}

/** A whole file's result as a worker gives it: `items` items read, nothing found. */
export function readResult(size: number, items = 1, format = 'text'): TopLevelResult {
  return { ...fileResult(size, format), itemCount: items };
}

/** A promise to settle later, and its handles. */
export function later<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

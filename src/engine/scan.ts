import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newScanId } from '../core/ids.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { runTempDir } from '../core/run-temp.js';
import type { ItemInput, Subject } from '../core/types.js';
import { type WalkPart, walkRoot } from '../crawl/fs-source.js';
import type { ItemSource } from '../crawl/item-source.js';
import { endExifTool } from '../extract/media/exiftool.js';
import type { OcrCacheRef } from '../extract/ocr/cache.js';
import { ScanWriter } from '../scan-file/writer.js';
import type { IndexMode } from './index-mode.js';
import { defaultConcurrency } from './pool.js';
import type { TopLevelResult } from './result.js';
import { Dispatcher, type IndexAnswers } from './schedule/dispatch.js';
import { Progress, type ScanProgress } from './schedule/progress.js';
import { shareRawPass } from './schedule/raw-pass-here.js';
import { DEFAULT_SPLIT, type ScanRun, type SplitSizes } from './schedule/run.js';
import { Scheduler } from './schedule/scheduler.js';
import { KeptPools, Workers } from './schedule/workers.js';
import type { TextCacheRef } from './text-cache.js';

/** What to scan and how; `shortcut` and `readHere` (an index's answers): see IndexAnswers. */
export interface ScanOptions extends IndexAnswers {
  roots: string[];
  subject: Subject | null;
  all?: boolean;
  excludes?: string[];
  /** Files scanned at once (worker threads). @default the number of CPU cores */
  concurrency?: number;
  limits?: Partial<Limits>;
  /** Record every file visited in `scanned`. @default true */
  fileList?: boolean;
  /** Stops the scan; what was done is still written, marked interrupted. */
  signal?: AbortSignal;
  /** Run extraction in this thread instead of worker threads (no time limit enforcement). @default false */
  inProcess?: boolean;
  onProgress?: (p: ScanProgress) => void;
  /** Extra sources (e.g. IMAP mailboxes) feeding items into the same scan. */
  sources?: ItemSource[];
  /** Index mode: workers collect identifier tokens instead of detecting (see IndexMode). */
  index?: IndexMode;
  /** An index's OCR results: scanned pages recognised before are not recognised again. */
  ocrCache?: OcrCacheRef;
  /** The text an index keeps of costly documents: unchanged ones are not parsed again (see TextCache). */
  textCache?: TextCacheRef;
  /** Sees every top-level result (the index stores tokens from here). */
  onResult?: (input: ItemInput, result: TopLevelResult) => void;
  /** dsr's own files (the subject profile, the scan file): listed as skipped with this reason, never searched. */
  ownFiles?: { path: string; reason: string }[];
  /** Walk only this part of each root (an agent's job: see WalkPart). @default the whole root */
  part?: WalkPart;
  /** Files shared among the workers, and the size of their parts. @default DEFAULT_SPLIT */
  split?: SplitSizes;
  /** Worker threads kept from one scan to the next (see KeptPools). @default started and ended here */
  pools?: KeptPools;
}

export interface ScanOutcome {
  writer: ScanWriter;
  interrupted: boolean;
  finishedAt: string;
}

export type { ItemSource, ScanProgress };
export { defaultConcurrency, KeptPools };

/**
 * Walks the roots and reads the other sources, scans every file in worker threads, and collects
 * everything in a ScanWriter. How each file is read is decided in schedule/ (see Dispatcher).
 */
export async function runScan(opts: ScanOptions): Promise<ScanOutcome> {
  const roots = opts.roots.map((r) => resolve(r));
  const all = Boolean(opts.all);
  const writer = new ScanWriter(
    {
      scanId: newScanId(),
      startedAt: new Date().toISOString(),
      roots: [...roots, ...(opts.sources ?? []).map((s) => s.root)],
      subject: opts.subject ?? {},
      options: { all, excludes: opts.excludes ?? [] },
    },
    opts.fileList !== false,
  );
  const concurrency = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const run: ScanRun = {
    subject: opts.subject,
    all,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    index: opts.index,
    ocrCache: opts.ocrCache,
    textCache: opts.textCache,
    concurrency,
    split: opts.split ?? DEFAULT_SPLIT,
    inProcess: Boolean(opts.inProcess),
    signal: stop.signal,
    // Findings too many for a worker to hold for one file (an mbox's thousands of messages) go here
    // until collected: made by the first worker that needs it, removed at the end whatever became of
    // the workers. Named after the scan's random id, inside the run's folder; most scans never make it.
    spillDir: join(runTempDir(), `findings-${writer.header.scanId}`),
    writer,
    workers: new Workers(concurrency, sharesRawPass(opts, concurrency), opts.pools?.starter),
    progress: new Progress(writer, opts.onProgress),
    onResult: opts.onResult,
  };
  const scheduler = new Scheduler(run);
  const queue = run.workers.shareHere ? shareRawPass(run, scheduler) : undefined;
  const ownFiles = new Map((opts.ownFiles ?? []).map((f) => [resolve(f.path), f.reason]));
  const dispatcher = new Dispatcher(run, scheduler, queue, ownFiles, opts);
  try {
    for (const root of roots) {
      for await (const ev of walkRoot(root, opts.excludes ?? [], opts.part)) {
        if (stop.signal.aborted) break;
        await dispatcher.walked(ev);
      }
      if (stop.signal.aborted) break;
    }
    dispatcher.walkEnded();
    for (const source of opts.sources ?? []) {
      if (stop.signal.aborted) break;
      for await (const input of source.items(stop.signal, (e) => writer.addError(e))) {
        if (stop.signal.aborted) break;
        await dispatcher.fromSource(input);
      }
    }
    await scheduler.drain();
  } catch (err) {
    // No scan file will be written: the spools' identifiers must not stay in the temporary folder.
    await writer.discard();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (stop.signal.aborted) await scheduler.settle();
    run.workers.close();
    await endExifTool();
    rmSync(run.spillDir, { recursive: true, force: true });
  }
  return { writer, interrupted: stop.signal.aborted, finishedAt: new Date().toISOString() };
}

/**
 * Whether this scan's main thread takes a share of the raw-byte pass: a subject scan of files with at
 * least two threads allowed, not an inventory, an index run or query, or a scan run in-process.
 */
export function sharesRawPass(
  opts: Pick<ScanOptions, 'all' | 'subject' | 'index' | 'inProcess' | 'readHere' | 'shortcut'>,
  concurrency: number,
): boolean {
  return (
    concurrency >= 2 &&
    !opts.all &&
    opts.subject !== null &&
    !opts.index &&
    !opts.inProcess &&
    !opts.readHere &&
    !opts.shortcut
  );
}

import type { Limits } from '../../core/limits.js';
import type { ItemInput, Subject } from '../../core/types.js';
import type { OcrCacheRef } from '../../extract/ocr/cache.js';
import type { ScanWriter } from '../../scan-file/writer.js';
import type { IndexMode } from '../index-mode.js';
import type { TopLevelResult } from '../result.js';
import type { TextCacheRef } from '../text-cache.js';
import type { Progress } from './progress.js';
import type { Workers } from './workers.js';

/**
 * Sizes from which a file is shared among the workers, and of its parts: from `minBytes` on the raw
 * pass of a subject scan and the full read of plain text, from `textBytes` on an inventory's (`--all`)
 * full read; mailboxes and zips from `mailboxBytes` on, their messages or members in parts of about
 * `rangeBytes`.
 */
export interface SplitSizes {
  minBytes: number;
  rangeBytes: number;
  mailboxBytes: number;
  textBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SPLIT: SplitSizes = {
  // Plain text from this size on is shared among the workers: a subject scan's raw-byte pass (~1 GB/s
  // a thread), and the full read (a subject scan's where it found an anchor, an index's) …
  minBytes: 64 * MiB,
  // … in ranges, and containers in parts, of this size.
  rangeBytes: 16 * MiB,
  // Mailboxes and zips from this size on have their messages or members read by all workers.
  mailboxBytes: 8 * MiB,
  // An inventory's full read of plain text (~50 MB/s a thread) from this size on: read whole, the last
  // 24 MB file keeps one thread busy for ~0.4 s after the other has run out of work.
  textBytes: 8 * MiB,
};

/**
 * What every part of a scan's scheduling shares, passed to each explicitly: the scan's settings, where
 * results go, its workers and its progress.
 */
export interface ScanRun {
  subject: Subject | null;
  all: boolean;
  limits: Limits;
  index: IndexMode | undefined;
  ocrCache?: OcrCacheRef;
  textCache?: TextCacheRef;
  /** Threads reading at once. */
  concurrency: number;
  split: SplitSizes;
  /** Everything read on this thread (no time limit). */
  inProcess: boolean;
  /** The scan's stop: the caller's signal, or an error that ends the scan. */
  signal: AbortSignal;
  /** The scan's private folder for findings too many for a worker to hold for one file. */
  spillDir: string;
  writer: ScanWriter;
  workers: Workers;
  progress: Progress;
  /** Sees every whole top-level result (the index stores tokens from here). */
  onResult: ((input: ItemInput, result: TopLevelResult) => void) | undefined;
}

/** The size of a huge file's parts: at least four a thread, so that the threads finish together. */
export function partSize(run: Pick<ScanRun, 'split' | 'concurrency'>, size: number, min: number): number {
  return Math.min(run.split.rangeBytes, Math.max(min, Math.ceil(size / (run.concurrency * 4))));
}

// Piscina hands its workers the pool's workerData as the thread's own: importing it from piscina would
// load the whole pool package into every worker.
import { threadId, workerData } from 'node:worker_threads';
import type { Limits } from '../core/limits.js';
import type { ItemInput, Subject } from '../core/types.js';
import type { PdfPart } from '../extract/api.js';
import type { ZipPart } from '../extract/archive/zip.js';
import type { OcrCacheRef } from '../extract/ocr/cache.js';
import { type CompiledSubject, compileSubject, EMPTY_SUBJECT } from '../match/subject.js';
import type { CollectorFactory, IndexMode } from './index-mode.js';
import { rawFirstPass } from './raw-first.js';
import type { ByteRange } from './raw-pass.js';
import type { TopLevelResult } from './result.js';
import { scanTopLevel } from './scan-item.js';
import type { TextCacheRef } from './text-cache.js';
import type { MboxPart, TextRange } from './text-ranges.js';

/**
 * A unit of work for a worker thread: top-level files or fetched messages, read one after another.
 * Small files travel in batches: one message to and from a worker for many files.
 */
export interface ScanTask {
  inputs: ItemInput[];
  subject: Subject | null;
  all: boolean;
  limits: Limits;
  /**
   * Only the raw-byte pass over this part of the one input (a huge file shared among workers): the
   * result is the settled file, or none when the file must be read in full.
   */
  range?: ByteRange;
  /** The raw-byte pass over ranges found an anchor: read the file in full straight away. */
  rawChecked?: boolean;
  /** Only this part of the one input, a huge plain-text file, with every detector (see `textRanges`). */
  textRange?: TextRange;
  /** With `textRange`: findings of each kind left to list (see RangeMerger). */
  quota?: { subject: number; others: number };
  /** Only these messages of the one input, a huge mailbox shared among workers (see `planMbox`). */
  mboxPart?: MboxPart;
  /** Only these members of the one input, a huge zip shared among workers (see `planZip`). */
  zipPart?: ZipPart;
  /** The scan's private folder for findings too many to hold for one file (see FindingPacker). */
  spillDir?: string;
  /** Hand large packed findings over by transfer (Piscina's, when the task runs in a pool's thread). */
  transfer?: boolean;
  /** Index mode: collect identifier tokens instead of detecting (see IndexMode). */
  index?: IndexMode;
  /** An index's OCR results (see OcrCache). */
  ocrCache?: OcrCacheRef;
  /** The text an index keeps of costly documents (see TextCache). */
  textCache?: TextCacheRef;
  /** A part of the one input, a PDF whose scanned pages are spread over the workers (see PdfPart). */
  pdfPart?: PdfPart;
  /**
   * This task's place in the pool's shared arrays: the worker writes its thread id when it begins the
   * task and 1 + the index of each item it begins, so each item's time limit starts when it does and
   * the pool knows which thread to stop (see ScanPool.run).
   */
  progressSlot?: number;
}

function shared(): { progress: Int32Array; owner: Int32Array } {
  return workerData as { progress: Int32Array; owner: Int32Array };
}

let cached: { key: string; compiled: CompiledSubject } | undefined;

function subjectFor(subject: Subject | null): CompiledSubject {
  if (!subject) return EMPTY_SUBJECT;
  const key = JSON.stringify(subject);
  if (cached?.key !== key) cached = { key, compiled: compileSubject(subject) };
  return cached.compiled;
}

let previous: Promise<unknown> = Promise.resolve();

/**
 * Piscina entry point. Extraction and detection are CPU-bound and may loop on hostile input, so they run
 * here. Tasks run one after another: the pool keeps a second one waiting in each worker, so that the
 * worker goes straight on to it instead of idling for a round trip to the main thread. With
 * `task.transfer`, the results may come wrapped for Piscina to transfer their findings' buffers.
 */
export default async function runTask(task: ScanTask, signal?: AbortSignal): Promise<unknown> {
  const results = await runTaskHere(task, signal);
  return task.transfer ? transferable(results) : results;
}

/** Runs a task on this thread. */
export function runTaskHere(task: ScanTask, signal?: AbortSignal): Promise<TopLevelResult[]> {
  const run = previous.then(() => runNow(task, signal));
  previous = run.catch(() => undefined);
  return run;
}

/** Findings of at least this many bytes are transferred to the main thread instead of copied. */
const TRANSFER_BYTES = 64 * 1024;

/**
 * An inventory's findings cross as buffers moved, not copied: a copy costs a serialisation buffer and a
 * new buffer on the main thread, each as large as the findings (see BLOCK_BYTES for why that matters).
 */
async function transferable(results: TopLevelResult[]): Promise<unknown> {
  const buffers = new Set<ArrayBuffer>();
  let bytes = 0;
  for (const r of results)
    for (const part of r.packed?.elements ?? []) {
      buffers.add(part.buffer as ArrayBuffer);
      bytes += part.byteLength;
    }
  if (bytes < TRANSFER_BYTES) return results;
  // Loaded only here: most tasks return little, and the pool package is not needed to run them.
  const piscina = await import('piscina');
  return piscina.move({ [piscina.transferableSymbol]: [...buffers], [piscina.valueSymbol]: results });
}

async function runNow(task: ScanTask, signal?: AbortSignal): Promise<TopLevelResult[]> {
  if (task.progressSlot !== undefined) Atomics.store(shared().owner, task.progressSlot, threadId);
  if (task.range) {
    if (task.progressSlot !== undefined) Atomics.store(shared().progress, task.progressSlot, 1);
    const settled = await rawFirstPass(task.inputs[0], subjectFor(task.subject), signal, task.range);
    return settled ? [settled] : [];
  }
  const results: TopLevelResult[] = [];
  for (const [i, input] of task.inputs.entries()) {
    if (task.progressSlot !== undefined) Atomics.store(shared().progress, task.progressSlot, i + 1);
    results.push(await runOne(input, task, signal));
  }
  return results;
}

async function runOne(input: ItemInput, task: ScanTask, signal?: AbortSignal): Promise<TopLevelResult> {
  const opts = {
    subject: subjectFor(task.subject),
    all: task.all,
    limits: task.limits,
    signal,
    rawChecked: task.rawChecked,
    spillDir: task.spillDir,
    textRange: task.textRange,
    quota: task.quota,
    mboxPart: task.mboxPart,
    zipPart: task.zipPart,
    ocrCache: task.ocrCache,
    textCache: task.textCache,
    pdfPart: task.pdfPart,
  };
  // Findings cross to the main thread as the scan file's own elements, serialised as they are found:
  // one string copies far faster than thousands of cloned objects, and the main thread (which shares
  // two cores with the workers) need not serialise them itself.
  if (!task.index) return scanTopLevel(input, { ...opts, pack: true });
  const collectorFor = await collectorFactory(task.index.collector);
  const size = input.source.kind === 'file' ? input.source.size : input.source.data.length;
  const collector = collectorFor(task.index.key, { bytes: size, part: task.textRange !== undefined });
  const result = await scanTopLevel(input, {
    ...opts,
    detectors: [],
    onChunk: (chunk) => collector.add(chunk.text),
  });
  collector.finish(result);
  return result;
}

let collectors: { url: string; factory: Promise<CollectorFactory> } | undefined;

/** The index's collectors, loaded by a thread on its first task in index mode. */
function collectorFactory(url: string): Promise<CollectorFactory> {
  if (collectors?.url !== url)
    collectors = {
      url,
      factory: import(url).then((m: { collectorFor: CollectorFactory }) => m.collectorFor),
    };
  return collectors.factory;
}

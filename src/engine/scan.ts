import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import pLimit from 'p-limit';
import { errorMessage, kindOfSystemError } from '../core/errors.js';
import { newScanId } from '../core/ids.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { runTempDir } from '../core/run-temp.js';
import type { ItemInput, ScanError, Subject } from '../core/types.js';
import { type FileEntry, walkRoot } from '../crawl/fs-source.js';
import type { ItemSource } from '../crawl/item-source.js';
import type { MboxSpan } from '../extract/mail/mbox.js';
import { endExifTool } from '../extract/media/exiftool.js';
import { readHead } from '../extract/read.js';
import { selectFormat } from '../extract/registry.js';
import { compileSubject } from '../match/subject.js';
import { ScanWriter } from '../report/scan-writer.js';
import { FileQueue } from './file-queue.js';
import type { IndexMode } from './index-mode.js';
import { defaultConcurrency, ItemTimeoutError, ScanPool, takeWarmPool, WorkerMemoryError } from './pool.js';
import { RangeMerger } from './range-merger.js';
import { rawFirstPass } from './raw-first.js';
import { fileResult, type TopLevelResult } from './result.js';
import { textRanges } from './text-ranges.js';
import type { ScanTask } from './worker.js';

export interface ScanOptions {
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
  /** Answers a file without reading it (an unchanged, non-candidate file from an index); undefined: scan it. */
  shortcut?: (file: FileEntry) => TopLevelResult | undefined;
  /**
   * Files to read in this thread rather than in a worker: ones already read within the time limit
   * before (an index's candidates), so that a query touching a few files never starts worker threads.
   */
  readHere?: (file: FileEntry) => boolean;
  /** Sees every top-level result (the index stores tokens from here). */
  onResult?: (input: ItemInput, result: TopLevelResult) => void;
  /** dsr's own files (the subject profile, the scan file): listed as skipped with this reason, never searched. */
  ownFiles?: { path: string; reason: string }[];
  /**
   * Files shared among the workers in ranges of about `rangeBytes`: from `minBytes` on the raw pass of a
   * subject scan and the full read of plain text, from `textBytes` on an inventory's (`--all`) full
   * read; mailboxes and zips from `mailboxBytes` on, their messages or members in parts
   * of about the same size. @default 64 MiB, 16 MiB, 8 MiB, 8 MiB
   */
  split?: { minBytes: number; rangeBytes: number; mailboxBytes: number; textBytes: number };
}

export type { ItemSource };

export interface ScanProgress {
  files: number;
  bytes: number;
  findings: number;
  errors: number;
  current?: string;
  elapsedMs: number;
}

export interface ScanOutcome {
  writer: ScanWriter;
  interrupted: boolean;
  finishedAt: string;
}

export { defaultConcurrency };

/** Files smaller than this travel to the workers in batches of up to this many bytes … */
const BATCH_BYTES = 2 * 1024 * 1024;
/** … or this many files. */
const BATCH_FILES = 32;
/** The main thread lets the workers' results in after reading this much itself … */
const HERE_YIELD_BYTES = 1024 * 1024;
/** … and the walk keeps up to this many files queued for it and the workers. */
const QUEUE_FILES = 256;
/**
 * Files from this size on are shared among the workers: a subject scan's raw-byte pass (~1 GB/s a
 * thread), and the full read of plain text (a subject scan's where it found an anchor, an index's) …
 */
const SPLIT_BYTES = 64 * 1024 * 1024;
/**
 * … and from this size on an inventory's full read of plain text (~50 MB/s a thread): with 24 MB
 * files read whole, the last one kept one thread busy for ~0.4 s after the other ran out of work …
 */
const TEXT_SPLIT_BYTES = 8 * 1024 * 1024;
/** … in ranges of this size (text read in full: see scanTextSplit). */
const RANGE_BYTES = 16 * 1024 * 1024;
const MIN_TEXT_RANGE_BYTES = 4 * 1024 * 1024;
/** Mailboxes and zips from this size on have their messages or members read by all workers, in parts of at least … */
const MAILBOX_SPLIT_BYTES = 8 * 1024 * 1024;
/** … this size (reading a message costs far more than a text range's bytes). */
const MIN_MAILBOX_PART_BYTES = 1024 * 1024;

/** A part of a huge container as it is handed to a worker (see scanInParts). */
interface PartSpec {
  task: Pick<ScanTask, 'mboxPart' | 'zipPart'>;
  /** What the part holds, for the error when it fails. */
  what: string;
  /** Where in the file its bytes end (progress). */
  end: number;
}

/** Walks the roots, scans every file in worker threads, and collects everything in a ScanWriter. */
export async function runScan(opts: ScanOptions): Promise<ScanOutcome> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
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
  const split = opts.split ?? {
    minBytes: SPLIT_BYTES,
    rangeBytes: RANGE_BYTES,
    mailboxBytes: MAILBOX_SPLIT_BYTES,
    textBytes: TEXT_SPLIT_BYTES,
  };
  /** Parts of a huge file: at least four a thread, so that the threads finish together. */
  const partSize = (size: number, min: number) =>
    Math.min(split.rangeBytes, Math.max(min, Math.ceil(size / (concurrency * 4))));
  // A subject scan's main thread mostly waits for the workers: it takes a share of the raw-byte pass
  // itself (see shared), in place of one worker thread, which would cost ~0.15 s of CPU to start.
  const shareRaw = sharesRawPass(opts, concurrency);
  const poolSize = shareRaw ? concurrency - 1 : concurrency;
  // Started on first use: a scan answered from an index may never need a worker.
  let pool: ScanPool | undefined;
  const getPool = () => {
    pool ??= takeWarmPool(poolSize) ?? new ScanPool(poolSize);
    return pool;
  };
  // The thread a shared scan leaves out, started only for files of other formats and huge files.
  let extraPool: ScanPool | undefined;
  const getExtraPool = () => {
    extraPool ??= new ScanPool(concurrency - poolSize);
    return extraPool;
  };
  // Eight tasks per worker: the next ones are queued while the current one runs (the time limit starts when a
  // worker begins an item, so waiting in the queue costs nothing).
  const limit = pLimit(concurrency * 8);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  // Findings too many for a worker to hold for one file (an mbox's thousands of messages) go here
  // until collected: made by the first worker that needs it, removed at the end whatever became of
  // the workers. Named after the scan's random id, inside the run's folder; most scans never make it.
  const spillDir = join(runTempDir(), `findings-${writer.header.scanId}`);
  const ownFiles = new Map((opts.ownFiles ?? []).map((f) => [resolve(f.path), f.reason]));
  let current: string | undefined;
  /** How far each huge file being read in parts has got (its bytes count in the stats once done). */
  const partlyRead = new Map<string, number>();
  const progress = () =>
    opts.onProgress?.({
      files: writer.stats.files,
      bytes: writer.stats.bytes + [...partlyRead.values()].reduce((a, b) => a + b, 0),
      findings: writer.findingCount,
      errors: writer.stats.errors,
      current,
      elapsedMs: Date.now() - started,
    });

  const failed = (input: ItemInput, err: unknown) => {
    const timedOut = (err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError';
    writer.stats.files++;
    writer.addScanned(input.ref.path);
    writer.addError({
      path: input.ref.path,
      itemPath: input.ref.itemPath,
      kind: timedOut ? 'timeout' : err instanceof WorkerMemoryError ? 'limit' : 'corrupt',
      message: timedOut
        ? `not finished within ${limits.timeoutMs / 1000} s; stopped`
        : err instanceof WorkerMemoryError
          ? err.message
          : `internal error: ${(err as Error)?.message ?? err}`,
    });
    progress();
  };

  /** `retry`: a task can also fail because its worker was stopped for another task's time limit. */
  const scanBatch = async (
    inputs: ItemInput[],
    retry = true,
    here = opts.inProcess,
    rawChecked = false,
    extra = false,
  ): Promise<void> => {
    if (stop.signal.aborted) return;
    current = inputs[inputs.length - 1].ref.path;
    let results: TopLevelResult[];
    try {
      const task: ScanTask = {
        inputs,
        subject: opts.subject,
        all,
        limits,
        index: opts.index,
        rawChecked,
        spillDir,
      };
      if (here) results = await (await import('./worker.js')).runTaskHere(task, stop.signal);
      else results = await (extra ? getExtraPool() : getPool()).run(task, stop.signal, limits.timeoutMs);
    } catch (err) {
      if (stop.signal.aborted) return;
      const culprit = err instanceof ItemTimeoutError ? err.index : -1;
      if (inputs.length === 1)
        return culprit === 0 || !retry ? failed(inputs[0], err) : scanBatch(inputs, false, here, rawChecked);
      // The results of a stopped batch are lost: the item that ran out of time is reported, every other
      // one is read again on its own (so one bad file never costs its neighbours their findings).
      for (const [i, input] of inputs.entries()) {
        if (i === culprit) failed(input, err);
        else await scanBatch([input]);
      }
      return;
    }
    for (const [i, input] of inputs.entries()) {
      collect(writer, input, results[i]);
      opts.onResult?.(input, results[i]);
    }
    progress();
  };

  /**
   * A huge plain-text file in a subject scan: its raw-byte pass is split into ranges that all workers
   * share, a few at a time; the file is settled when every range is clean, else read in full.
   */
  const scanSplit = async (input: ItemInput, size: number): Promise<void> => {
    const task = { inputs: [input], subject: opts.subject, all, limits };
    const wave = split.rangeBytes * concurrency * 2;
    let first: TopLevelResult | undefined;
    let clean = true;
    // Every worker thread shares the ranges, the one a shared scan leaves out included.
    const pools = shared ? [getPool(), getExtraPool()] : [getPool()];
    for (let start = 0; clean && start < size; start += wave) {
      const runs: Promise<TopLevelResult | undefined>[] = [];
      for (let s = start; s < Math.min(size, start + wave); s += split.rangeBytes) {
        const range = { start: s, end: Math.min(size, s + split.rangeBytes) };
        // A range that fails or runs out of time leaves the file to the full read, which reports it.
        runs.push(
          pools[(s / split.rangeBytes) % pools.length]
            .run({ ...task, range }, stop.signal, limits.timeoutMs)
            .then(
              (r) => r[0],
              () => undefined,
            ),
        );
      }
      const results = await Promise.all(runs);
      if (stop.signal.aborted) return;
      if (start === 0) first = results[0];
      if (first?.skipped) break;
      clean = results.every(Boolean);
    }
    if (first && (clean || first.skipped)) {
      collect(writer, input, first);
      opts.onResult?.(input, first);
      progress();
      return;
    }
    await scanTextSplit(input, true);
  };

  /**
   * A huge plain-text file read in full: its ranges (see `textRanges`) are read by all workers, a few
   * at a time, with the listing quota that the ranges merged so far leave, and merged in order. A file
   * that is not plain text, not UTF-8 throughout, or whose range fails, is read in one piece instead.
   */
  const scanTextSplit = async (input: ItemInput, rawChecked: boolean): Promise<void> => {
    // One thread gains nothing from ranges but their margins.
    if (concurrency < 2) return scanBatch([input], true, false, rawChecked);
    const merger = new RangeMerger(limits.maxFindings, opts.index !== undefined);
    const pools = shared ? [getPool(), getExtraPool()] : [getPool()];
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
        partlyRead.set(input.ref.path, part.to);
        progress();
      }
    };
    try {
      const rangeBytes = partSize(input.source.kind === 'file' ? input.source.size : 0, MIN_TEXT_RANGE_BYTES);
      for await (const range of textRanges(input, rangeBytes, stop.signal, hashing)) {
        const task: ScanTask = {
          inputs: [input],
          subject: opts.subject,
          all,
          limits,
          index: opts.index,
          textRange: range,
          quota: merger.quota(),
        };
        pending.push({
          to: range.to,
          result: pools[range.index % pools.length].run(task, stop.signal, limits.timeoutMs).then(
            (r) => r[0],
            () => undefined,
          ),
        });
        // Two ranges a thread: a thread whose range ends before the one merged next goes straight on
        // (one a thread left it idle for that time: an 850 MB log 5.1–5.5 s, now 4.5–4.6 s). An index
        // keeps one: each range's tokens (up to MAX_TOKENS, or a token filter) wait to be merged.
        while (merged && pending.length >= (opts.index ? concurrency : concurrency * 2)) await mergeNext();
        if (!merged) break;
      }
      while (merged && pending.length) await mergeNext();
    } catch {
      // Not splittable after all (see NotSplittable), unreadable, or stopped.
      merged = false;
    }
    await Promise.all(pending.map((p) => p.result));
    partlyRead.delete(input.ref.path);
    if (stop.signal.aborted) return;
    if (merged && merger.size) {
      const result = await merger.finish(input, hashing);
      collect(writer, input, result);
      opts.onResult?.(input, result);
      progress();
      return;
    }
    await scanBatch([input], true, false, rawChecked);
  };

  /**
   * A huge container read in parts by all workers: `plan` hands each part to `send` as it is planned
   * (on this thread), the workers read a few at a time, and each part's findings and items go to the
   * writer as soon as the parts before it are in (`merged` sees each result). A part that fails is
   * reported with what it held; a container with nothing to share (`plan` returns false) is read the
   * usual way.
   */
  const scanInParts = async (
    input: ItemInput,
    size: number,
    format: string,
    plan: (send: (part: PartSpec) => Promise<void>, report: (e: ScanError) => void) => Promise<boolean>,
    merged?: (result: TopLevelResult, part: PartSpec) => void,
  ): Promise<void> => {
    const pools = shared ? [getPool(), getExtraPool()] : [getPool()];
    const ref = { path: input.ref.path, itemPath: [] };
    const planned: ScanError[] = [];
    const pending: { part: PartSpec; result: Promise<TopLevelResult | Error> }[] = [];
    const summary: TopLevelResult = { ...fileResult(size, format), parts: 0 };
    const runPart = (task: ScanTask, pool: ScanPool, retry = true): Promise<TopLevelResult | Error> =>
      pool.run(task, stop.signal, limits.timeoutMs).then(
        (r) => r[0],
        // As in scanBatch: a part can also fail because its thread was stopped for another task.
        (err: Error) =>
          retry && !(err instanceof ItemTimeoutError && err.index === 0) ? runPart(task, pool, false) : err,
      );
    const mergeNext = async () => {
      const { part, result } = pending.shift()!;
      const done = await result;
      if (stop.signal.aborted) return;
      if (done instanceof Error) {
        const timedOut = done.name === 'AbortError' || done.name === 'TimeoutError';
        const memory = done instanceof WorkerMemoryError;
        writer.addError({
          ...ref,
          kind: timedOut ? 'timeout' : memory ? 'limit' : 'corrupt',
          message: `${part.what} not read: ${timedOut ? `not finished within ${limits.timeoutMs / 1000} s` : memory ? done.message : `internal error: ${done.message}`}`,
        });
        return;
      }
      // Every part reads the container itself as its top-level item: counted once, in the summary.
      collectPart(writer, { ...done, itemCount: done.itemCount - 1 });
      summary.itemCount += done.itemCount - 1;
      summary.parts!++;
      merged?.(done, part);
      partlyRead.set(input.ref.path, part.end);
      progress();
    };
    let sent = 0;
    const send = async (part: PartSpec) => {
      const task: ScanTask = { inputs: [input], subject: opts.subject, all, limits, spillDir, ...part.task };
      pending.push({ part, result: runPart(task, pools[sent++ % pools.length]) });
      // Two parts a thread, as for text ranges.
      while (pending.length >= concurrency * 2) await mergeNext();
    };
    let inParts = false;
    try {
      inParts = await plan(send, (e) => planned.push(e));
    } catch (err) {
      if (!stop.signal.aborted)
        planned.push({ ...ref, kind: kindOfSystemError(err), message: errorMessage(err) });
      inParts = sent > 0;
    }
    while (pending.length) await mergeNext();
    partlyRead.delete(input.ref.path);
    if (stop.signal.aborted) return;
    if (!inParts) return scanBatch([input]);
    writer.stats.files++;
    writer.stats.items++;
    writer.stats.bytes += size;
    writer.addScanned(input.ref.path);
    for (const e of planned) writer.addError(e);
    summary.errors = planned;
    opts.onResult?.(input, summary);
    progress();
  };

  /**
   * A huge mailbox: this thread splits it into messages (see `planMbox`: boundaries, and names from each
   * Message-ID, repeats numbered), and the workers read parts of them as they come.
   */
  const scanMailboxSplit = async (input: ItemInput, size: number): Promise<void> => {
    const { planMbox } = await import('../extract/mail/mbox.js');
    const partBytes = partSize(size, MIN_MAILBOX_PART_BYTES);
    const ref = { path: input.ref.path, itemPath: [] };
    await scanInParts(input, size, 'mbox', async (send, report) => {
      let spans: MboxSpan[] = [];
      let bytes = 0;
      let index = 0;
      const flush = async () => {
        const last = spans.at(-1)!;
        const end = last.offset + last.length;
        const what = `${spans.length} messages from byte ${spans[0].offset} to ${end}`;
        await send({ task: { mboxPart: { index: index++, spans } }, what, end });
        spans = [];
        bytes = 0;
      };
      const messages = await planMbox(
        input,
        {
          limits,
          signal: stop.signal,
          error: (kind, message, at) => report({ ...(at ?? ref), kind, message }),
        },
        async (span) => {
          spans.push(span);
          bytes += span.length;
          if (bytes >= partBytes) await flush();
        },
      );
      if (spans.length) await flush();
      return messages > 0;
    });
  };

  /**
   * A huge zip: its directory is read here and its members cut into parts (see `planZip`), each sent
   * with what the members before it inflated, nested ones as far as the parts merged so far tell.
   */
  const scanZipSplit = async (input: ItemInput, size: number): Promise<void> => {
    const { planZip } = await import('../extract/archive/zip.js');
    let nested = 0;
    const sentInflated = new Map<number, number>();
    await scanInParts(
      input,
      size,
      'zip',
      async (send) => {
        const parts = await planZip(input, limits, partSize(size, MIN_MAILBOX_PART_BYTES));
        if (!parts) return false;
        for (const part of parts) {
          const inflated = part.inflated + nested;
          // The parts merged so far spent the file's budget: the rest is not read (the part that
          // breached it said so on its member).
          if (part.index > 0 && inflated > limits.maxInflatedBytes) break;
          sentInflated.set(part.index, inflated);
          const what = `members ${part.from + 1} to ${part.to} (bytes up to ${part.end})`;
          await send({ task: { zipPart: { ...part, inflated } }, what, end: part.end });
        }
        return true;
      },
      (result, part) => {
        const zipPart = part.task.zipPart!;
        // What its members' own content inflated beyond themselves (archives and attachments in them).
        nested += Math.max(
          0,
          (result.inflated ?? 0) - sentInflated.get(zipPart.index)! - zipPart.ownInflated,
        );
      },
    );
  };

  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  /** Tasks handed to the pool and not yet settled … */
  let inPool = 0;
  /** … and to the extra pool. */
  let inExtra = 0;
  const schedule = (inputs: ItemInput[], here?: boolean, rawChecked?: boolean, extra = false) => {
    if (extra) inExtra++;
    else if (!here) inPool++;
    track(
      limit(() => scanBatch(inputs, true, here, rawChecked, extra)).finally(() => {
        if (extra) inExtra--;
        else if (!here) inPool--;
        if (!here) shared?.feed();
      }),
    );
  };

  /**
   * Sharing the raw-byte pass with this thread: the walk queues files, the workers are fed batches
   * whenever a thread holds fewer than two tasks (see FileQueue), and this thread reads plain-text
   * files meanwhile, letting the workers' results (and so their next batches) in after every 1 MiB it
   * reads. A file it does not settle goes to the workers, read in full, so parsers still run only where
   * a time limit can stop them.
   */
  const shared = shareRaw
    ? new FileQueue({
        limit: QUEUE_FILES,
        batchFiles: BATCH_FILES,
        batchBytes: BATCH_BYTES,
        room: () => ({ pool: poolSize * 2 - inPool, extra: (concurrency - poolSize) * 2 - inExtra }),
        send: (batch, extra) => schedule(batch, false, false, extra),
        stopped: () => stop.signal.aborted,
      })
    : undefined;
  const readPlainHere = async (queue: FileQueue) => {
    const compiled = compileSubject(opts.subject!);
    let sinceYield = 0;
    for (let input = await queue.next(); input; input = await queue.next()) {
      current = input.ref.path;
      const settled = await rawFirstPass(input, compiled, stop.signal).catch(() => null);
      if (settled === null) return; // stopped
      if (!settled) {
        schedule([input], false, true);
        continue;
      }
      collect(writer, input, settled);
      opts.onResult?.(input, settled);
      progress();
      sinceYield += input.source.kind === 'file' ? input.source.size : 0;
      if (sinceYield >= HERE_YIELD_BYTES) {
        sinceYield = 0;
        await yieldToEvents();
      }
    }
  };
  if (shared) track(readPlainHere(shared));

  /**
   * A file big enough to share among the workers, by its format (its head read here): a mailbox's
   * messages; plain text's raw-byte pass (a subject scan) or full read (an inventory). Anything
   * else is read as usual.
   */
  const scanHuge = async (input: ItemInput, size: number): Promise<void> => {
    let format: string | undefined;
    try {
      format = selectFormat(input, await readHead(input)).id;
    } catch {
      // Unreadable: the usual read reports why.
    }
    // Parts of containers are collected one by one; an index stores each file's tokens at once.
    const containers = concurrency > 1 && !opts.index && size >= split.mailboxBytes;
    if (format === 'mbox' && containers) return scanMailboxSplit(input, size);
    if (format === 'zip' && containers) return scanZipSplit(input, size);
    if (format === 'text' || format === 'json') {
      // An index shares a file only from minBytes on: in ranges, its tokens cost ~10 % more CPU.
      if (all && !opts.index) {
        if (size >= split.textBytes) return scanTextSplit(input, false);
      } else if (size >= split.minBytes) {
        if (opts.index) return scanTextSplit(input, false);
        if (opts.subject !== null) return scanSplit(input, size);
      }
    }
    if (shared) shared.add(input);
    else schedule([input]);
  };
  const splits = (size: number) =>
    size >= Math.min(split.minBytes, split.mailboxBytes, split.textBytes) && !opts.inProcess;
  // Small files go to the workers in batches: one message each way for many files.
  let batch: ItemInput[] = [];
  let batchBytes = 0;
  const flushBatch = () => {
    if (batch.length) schedule(batch);
    batch = [];
    batchBytes = 0;
  };
  const scheduleFile = (input: ItemInput, size: number) => {
    if (splits(size)) return track(limit(() => scanHuge(input, size)));
    if (shared) return shared.add(input);
    if (size >= BATCH_BYTES) return schedule([input]);
    batch.push(input);
    batchBytes += size;
    if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) flushBatch();
  };
  // Keep the walk a little ahead of the workers, but never let queued work grow without bound.
  const backpressure = async () => {
    await shared?.room();
    while (inFlight.size >= concurrency * 16) await Promise.race(inFlight);
  };

  try {
    for (const root of roots) {
      for await (const ev of walkRoot(root, opts.excludes ?? [])) {
        if (stop.signal.aborted) break;
        if (ev.type === 'error') writer.addError(ev.error);
        else if (ev.type === 'skip') writer.addSkipped(ev.path, ev.reason);
        else if (ownFiles.has(ev.file.absPath))
          writer.addSkipped(ev.file.absPath, ownFiles.get(ev.file.absPath)!);
        else {
          const known = opts.shortcut?.(ev.file);
          if (known) {
            collect(writer, fileInput(ev.file), known);
            continue;
          }
          // A huge candidate is shared among the workers as in a full scan, not read here alone.
          if (opts.readHere?.(ev.file) && !splits(ev.file.size)) schedule([fileInput(ev.file)], true);
          else scheduleFile(fileInput(ev.file), ev.file.size);
          await backpressure();
        }
      }
      if (stop.signal.aborted) break;
    }
    flushBatch();
    shared?.end();
    for (const source of opts.sources ?? []) {
      if (stop.signal.aborted) break;
      for await (const input of source.items(stop.signal, (e) => writer.addError(e))) {
        if (stop.signal.aborted) break;
        // A shared scan also has the thread it left out for these (messages: never plain text).
        schedule([input], false, false, shared !== undefined && inExtra < inPool);
        await backpressure();
      }
    }
    // Settled tasks can hand queued files on to new ones (see shared): wait until none is left.
    while (inFlight.size) await Promise.all(inFlight);
  } catch (err) {
    // No scan file will be written: the spools' identifiers must not stay in the temporary folder.
    await writer.discard();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (stop.signal.aborted) while (inFlight.size) await Promise.allSettled(inFlight);
    // The workers are stopped while the caller writes its results; the process waits for them on exit.
    void pool?.close().catch(() => undefined);
    void extraPool?.close().catch(() => undefined);
    await endExifTool();
    rmSync(spillDir, { recursive: true, force: true });
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

function fileInput(file: FileEntry): ItemInput {
  return {
    ref: { path: file.absPath, itemPath: [] },
    name: basename(file.absPath),
    source: { kind: 'file', absPath: file.absPath, size: file.size, mtimeMs: file.mtimeMs, ino: file.ino },
    depth: 0,
    root: file.root,
  };
}

function collect(writer: ScanWriter, input: ItemInput, result: TopLevelResult): void {
  writer.stats.files++;
  writer.stats.bytes += result.bytes;
  writer.addScanned(input.ref.path);
  if (result.skipped) writer.addSkipped(input.ref.path, result.skipped);
  collectPart(writer, result);
}

/** What a top-level result adds besides the file itself: its items, findings and errors. */
function collectPart(writer: ScanWriter, result: TopLevelResult): void {
  writer.stats.items += result.itemCount;
  for (const f of result.findings) writer.addFinding(f);
  if (result.packed) writer.addPacked(result.packed);
  for (const i of result.items) writer.addItem(i);
  for (const e of result.errors) writer.addError(e);
}

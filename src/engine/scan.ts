import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import pLimit from 'p-limit';
import { newScanId } from '../core/ids.js';
import type { ItemInput, ScanError, Subject } from '../core/types.js';
import { type FileEntry, walkRoot } from '../crawl/fs-source.js';
import { endExifTool } from '../extract/media/exiftool.js';
import { ScanWriter } from '../report/scan-writer.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { ScanPool } from './pool.js';
import type { TopLevelResult } from './scan-item.js';
import runTask, { type ScanTask } from './worker.js';

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
  /** Index mode: workers collect identifier token MACs under this key instead of detecting. */
  index?: { macKey: string };
  /** Answers a file without reading it (an unchanged, non-candidate file from an index); undefined: scan it. */
  shortcut?: (file: FileEntry) => TopLevelResult | undefined;
  /** Sees every top-level result (the index stores tokens from here). */
  onResult?: (input: ItemInput, result: TopLevelResult) => void;
  /** dsr's own files (the subject profile, the scan file): listed as skipped with this reason, never searched. */
  ownFiles?: { path: string; reason: string }[];
}

/** A source of top-level items other than the file system walk (IMAP, …). */
export interface ItemSource {
  root: string;
  items(signal: AbortSignal, report: (e: ScanError) => void): AsyncIterable<ItemInput>;
}

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

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
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
  // Started on first use: a scan answered from an index may never need a worker.
  let pool: ScanPool | undefined;
  const getPool = () => {
    pool ??= new ScanPool(concurrency);
    return pool;
  };
  // Two tasks per worker: the next one is queued while the current one runs (the time limit starts when a
  // worker begins an item, so waiting in the queue costs nothing).
  const limit = pLimit(concurrency * 2);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  const ownFiles = new Map((opts.ownFiles ?? []).map((f) => [resolve(f.path), f.reason]));
  let current: string | undefined;
  const progress = () =>
    opts.onProgress?.({
      files: writer.stats.files,
      bytes: writer.stats.bytes,
      findings: writer.findingCount,
      errors: writer.stats.errors,
      current,
      elapsedMs: Date.now() - started,
    });

  const scanOne = async (input: ItemInput, displayPath: string): Promise<void> => {
    if (stop.signal.aborted) return;
    current = displayPath;
    let result: TopLevelResult;
    try {
      const task: ScanTask = { input, subject: opts.subject, all, limits, index: opts.index };
      if (opts.inProcess) result = await runTask(task, stop.signal);
      else result = await getPool().run(task, stop.signal, limits.timeoutMs);
    } catch (err) {
      if (stop.signal.aborted) return;
      const timedOut = (err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError';
      writer.stats.files++;
      writer.addScanned(input.ref.path);
      writer.addError({
        path: input.ref.path,
        itemPath: input.ref.itemPath,
        kind: timedOut ? 'timeout' : 'corrupt',
        message: timedOut
          ? `not finished within ${limits.timeoutMs / 1000} s; stopped`
          : `internal error: ${(err as Error)?.message ?? err}`,
      });
      progress();
      return;
    }
    collect(writer, input, result);
    opts.onResult?.(input, result);
    progress();
  };

  const inFlight = new Set<Promise<void>>();
  const schedule = (input: ItemInput, display: string) => {
    const p = limit(() => scanOne(input, display)).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // Keep the walk a little ahead of the workers, but never let queued work grow without bound.
  const backpressure = async () => {
    while (inFlight.size >= concurrency * 4) await Promise.race(inFlight);
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
          schedule(fileInput(ev.file), ev.file.absPath);
          await backpressure();
        }
      }
      if (stop.signal.aborted) break;
    }
    for (const source of opts.sources ?? []) {
      if (stop.signal.aborted) break;
      for await (const input of source.items(stop.signal, (e) => writer.addError(e))) {
        if (stop.signal.aborted) break;
        schedule(input, input.ref.path);
        await backpressure();
      }
    }
    await Promise.all(inFlight);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (stop.signal.aborted) await Promise.allSettled(inFlight);
    await pool?.close();
    await endExifTool();
  }
  return { writer, interrupted: stop.signal.aborted, finishedAt: new Date().toISOString() };
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
  writer.stats.items += result.itemCount;
  writer.stats.bytes += result.bytes;
  writer.addScanned(input.ref.path);
  if (result.skipped) writer.addSkipped(input.ref.path, result.skipped);
  for (const f of result.findings) writer.addFinding(f);
  for (const i of result.items) writer.addItem(i);
  for (const e of result.errors) writer.addError(e);
}

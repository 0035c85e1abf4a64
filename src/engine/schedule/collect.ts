import type { Limits } from '../../core/limits.js';
import type { ErrorKind, ItemInput } from '../../core/types.js';
import type { ScanWriter } from '../../scan-file/writer.js';
import { isPathName } from '../path-names.js';
import { WorkerMemoryError } from '../pool.js';
import type { TopLevelResult } from '../result.js';
import type { ScanRun } from './run.js';

/** A top-level file's result in the scan file: the file, then what it holds. */
export function collect(writer: ScanWriter, input: ItemInput, result: TopLevelResult): void {
  writer.stats.files++;
  writer.stats.bytes += result.bytes;
  writer.addScanned(input.ref.path);
  if (result.skipped) writer.addSkipped(input.ref.path, result.skipped);
  collectPart(writer, result);
}

/** What a top-level result adds besides the file itself: its items, findings and errors. */
export function collectPart(writer: ScanWriter, result: TopLevelResult): void {
  writer.stats.items += result.itemCount;
  for (const f of result.findings) writer.addFinding(f, isPathName(f));
  if (result.packed) writer.addPacked(result.packed);
  for (const i of result.items) writer.addItem(i);
  for (const e of result.errors) writer.addError(e);
}

/** A whole top-level item's result: in the scan file, and to the caller. */
export function deliver(run: ScanRun, input: ItemInput, result: TopLevelResult): void {
  collect(run.writer, input, result);
  run.onResult?.(input, result);
}

/** Why a task failed: its time limit, its thread's memory cap, or anything else. */
export function taskFailure(
  err: unknown,
  limits: Limits,
): { kind: ErrorKind; why: string; timedOut: boolean } {
  const timedOut = (err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError';
  if (timedOut) return { kind: 'timeout', why: `not finished within ${limits.timeoutMs / 1000} s`, timedOut };
  if (err instanceof WorkerMemoryError) return { kind: 'limit', why: err.message, timedOut };
  return { kind: 'corrupt', why: `internal error: ${(err as Error)?.message ?? err}`, timedOut };
}

/** A top-level item whose task failed: counted as scanned, with the error. */
export function failed(run: ScanRun, input: ItemInput, err: unknown): void {
  const { kind, why, timedOut } = taskFailure(err, run.limits);
  run.writer.stats.files++;
  run.writer.addScanned(input.ref.path);
  run.writer.addError({
    path: input.ref.path,
    itemPath: input.ref.itemPath,
    kind,
    message: timedOut ? `${why}; stopped` : why,
  });
  run.progress.emit();
}

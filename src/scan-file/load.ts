import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { schemaProblem } from '../core/schemas/problem.js';
import { SCAN_SCHEMA, ScanFileSchema } from '../core/schemas/scan.js';
import type { ScanFile } from '../core/types.js';

/** Reads and checks a scan file for the commands that consume one (report, export, plan, review). */
export async function loadScanFile(path: string): Promise<ScanFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${path}: cannot read the scan file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let scan: ScanFile;
  try {
    scan = JSON.parse(text) as ScanFile;
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (scan?.schema !== SCAN_SCHEMA) {
    throw new UsageError(
      `${path}: not a dsr scan file (schema ${JSON.stringify(scan?.schema)}, expected ${SCAN_SCHEMA})`,
    );
  }
  const problem = schemaProblem(ScanFileSchema, scan);
  if (problem)
    throw new UsageError(
      `${path}: not a valid scan file: ${problem}`,
      'a scan file is written by dsr scan and never edited: scan again (docs/file-formats.md describes the format)',
    );
  return scan;
}

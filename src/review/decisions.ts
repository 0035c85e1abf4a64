import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeTextAtomic } from '../report/atomic.js';

/** A reviewer's decision about one item (contract in PRODUCT.md "Review decisions"). */
export type Decision = 'include' | 'exclude' | 'namesake';

export interface DecisionEntry {
  decision: Decision;
  by: string;
  at: string;
  note?: string;
}

export interface ReviewFile {
  schema: 'dsr.review/1';
  scanId: string;
  decisions: Record<string, DecisionEntry>;
}

/** `scan.json` -> `scan.review.json`, beside it. */
export function reviewPathFor(scanPath: string): string {
  return scanPath.endsWith('.json')
    ? `${scanPath.slice(0, -'.json'.length)}.review.json`
    : `${scanPath}.review.json`;
}

/** Reads the decisions beside a scan file; none when the file does not exist. Refuses one made for another scan. */
export async function loadDecisions(scanPath: string, scanId: string): Promise<ReviewFile> {
  const path = reviewPathFor(scanPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { schema: 'dsr.review/1', scanId, decisions: {} };
    throw new UsageError(
      `${path}: cannot read review decisions (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let parsed: ReviewFile;
  try {
    parsed = JSON.parse(text) as ReviewFile;
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed.schema !== 'dsr.review/1')
    throw new UsageError(`${path}: unknown schema ${JSON.stringify(parsed.schema)} (expected dsr.review/1)`);
  if (parsed.scanId !== scanId)
    throw new UsageError(
      `${path}: decisions belong to scan ${parsed.scanId}, not ${scanId}: they were made for an earlier scan written to ${scanPath}`,
      `move ${basename(path)} away (keep it if it records decisions you need), then review the new scan with dsr review ${scanPath}; or write new scans to new files (dsr scan without --force refuses to replace one)`,
    );
  for (const [id, d] of Object.entries(parsed.decisions ?? {})) {
    if (!['include', 'exclude', 'namesake'].includes(d?.decision))
      throw new UsageError(`${path}: decisions.${id}.decision must be include, exclude or namesake`);
  }
  return { schema: 'dsr.review/1', scanId, decisions: parsed.decisions ?? {} };
}

/** Writes the decisions atomically, mode 0600. */
export async function saveDecisions(scanPath: string, review: ReviewFile): Promise<string> {
  const path = reviewPathFor(scanPath);
  await writeTextAtomic(path, `${JSON.stringify(review, null, 2)}\n`);
  return path;
}

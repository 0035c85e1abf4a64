import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { schemaProblem } from '../core/schemas/problem.js';
import {
  type DecisionEntry,
  REVIEW_SCHEMA,
  REVIEW_SCHEMA_V1,
  type ReviewDocument,
  ReviewSchema,
  ReviewV1Schema,
} from '../core/schemas/review.js';
import { writeTextAtomic } from '../io/atomic-write.js';

export type { Decision, DecisionEntry } from '../core/schemas/review.js';
export { DECISIONS, REVIEW_SCHEMA } from '../core/schemas/review.js';

/** The decisions file (`dsr.review/2`) as read: the document, and what reading a first-version file did. */
export interface ReviewFile extends ReviewDocument {
  /** Set when read from a `dsr.review/1` file: how many of its `exclude` decisions became `keep`. Not written. */
  readAsKeep?: number;
}

/** The reason given to a `dsr.review/1` exclusion, read as `keep` (see loadDecisions). */
export const V1_KEEP_REASON = "kept (decision made before dsr distinguished keep from not-the-subject's)";

/** The reason a `keep` gets unless the reviewer writes another. */
export const DEFAULT_KEEP_REASON = 'legal obligation';

/** `scan.json` -> `scan.review.json`, beside it. */
export function reviewPathFor(scanPath: string): string {
  return scanPath.endsWith('.json')
    ? `${scanPath.slice(0, -'.json'.length)}.review.json`
    : `${scanPath}.review.json`;
}

/**
 * Reads the decisions beside a scan file; none when the file does not exist. Refuses one made for another
 * scan. A `dsr.review/1` file is read as `dsr.review/2`: its `exclude` was offered as "keep the item, e.g.
 * a legal obligation", so it becomes `keep` with V1_KEEP_REASON (the subject is told about the item
 * rather than it being silently left out); its other decisions keep their meaning.
 */
export async function loadDecisions(scanPath: string, scanId: string): Promise<ReviewFile> {
  const path = reviewPathFor(scanPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { schema: REVIEW_SCHEMA, scanId, decisions: {} };
    throw new UsageError(
      `${path}: cannot read review decisions (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let parsed: { schema?: unknown; scanId?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const v1 = parsed.schema === REVIEW_SCHEMA_V1;
  if (!v1 && parsed.schema !== REVIEW_SCHEMA)
    throw new UsageError(
      `${path}: unknown schema ${JSON.stringify(parsed.schema)} (expected ${REVIEW_SCHEMA} or ${REVIEW_SCHEMA_V1})`,
    );
  if (parsed.scanId !== scanId)
    throw new UsageError(
      `${path}: decisions belong to scan ${parsed.scanId}, not ${scanId}: they were made for an earlier scan written to ${scanPath}`,
      `move ${basename(path)} away (keep it if it records decisions you need), then review the new scan with dsr review ${scanPath}; or write new scans to new files (dsr scan without --force refuses to replace one)`,
    );
  const problem = schemaProblem(v1 ? ReviewV1Schema : ReviewSchema, parsed);
  if (problem)
    throw new UsageError(
      `${path}: ${problem}`,
      'correct the file (docs/file-formats.md describes it), or move it away and decide again with dsr review',
    );
  const decisions: Record<string, DecisionEntry> = {};
  let readAsKeep = 0;
  for (const [id, d] of Object.entries((parsed as ReviewDocument).decisions)) {
    if (v1 && d.decision === 'exclude') {
      readAsKeep++;
      decisions[id] = {
        ...d,
        decision: 'keep',
        note: d.note ? `${V1_KEEP_REASON}; note: ${d.note}` : V1_KEEP_REASON,
      };
    } else decisions[id] = d;
  }
  return { schema: REVIEW_SCHEMA, scanId, decisions, ...(readAsKeep ? { readAsKeep } : {}) };
}

/** Writes the decisions (`dsr.review/2`) atomically, mode 0600. */
export async function saveDecisions(scanPath: string, review: ReviewFile): Promise<string> {
  const path = reviewPathFor(scanPath);
  const { readAsKeep: _, ...file } = review;
  await writeTextAtomic(path, `${JSON.stringify({ ...file, schema: REVIEW_SCHEMA }, null, 2)}\n`);
  return path;
}

import { basename } from 'node:path';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { fsPath } from '../core/raw-path.js';
import type { Finding, ItemInput } from '../core/types.js';
import { scanTopLevel } from '../engine/scan-item.js';
import type { CompiledSubject } from '../match/subject.js';

export interface ItemView {
  /** The subject's findings in the item's content (the file name does not count: redaction cannot change it). */
  subject: Finding[];
  /** Everyone else's identifiers, as `detector value` keys, sorted. */
  others: string[];
  /** Nested item paths that hold the subject's data. */
  subjectItems: string[][];
  /** sha256 of every message that holds the subject's data (mail stores). */
  subjectMessages: string[];
  errors: number;
}

/** Scans one file or buffer the way `dsr scan` does (same extractors and detectors), in this thread. */
export async function viewItem(
  source: { path: string } | { path: string; data: Uint8Array },
  subject: CompiledSubject,
): Promise<ItemView> {
  const input: ItemInput = {
    ref: { path: source.path, itemPath: [] },
    name: basename(source.path),
    source:
      'data' in source
        ? { kind: 'buffer', data: source.data }
        : {
            kind: 'file',
            absPath: source.path,
            size: (await import('node:fs')).statSync(fsPath(source.path)).size,
          },
    depth: 0,
  };
  const r = await scanTopLevel(input, { subject, all: true, limits: DEFAULT_LIMITS });
  const content = r.findings.filter((f) => f.location.field !== 'path');
  return {
    subject: content.filter((f) => f.subject),
    others: content
      .filter((f) => !f.subject)
      .map((f) => `${f.detector} ${f.value}`)
      .sort(),
    subjectItems: r.items.filter((i) => i.detectors.length).map((i) => i.itemPath),
    subjectMessages: r.items
      .map((i) => i.message?.fingerprint?.sha256)
      .filter((x): x is string => Boolean(x)),
    errors: r.errors.length,
  };
}

/** Why the new content is not an exact erasure of the old, or undefined when it is. */
export function erasureProblem(before: ItemView, after: ItemView): string | undefined {
  if (after.subject.length) {
    const kinds = [...new Set(after.subject.map((f) => f.detector))].join(', ');
    return `the subject's data is still there after the change (${after.subject.length} finding(s): ${kinds})`;
  }
  if (before.others.join('\n') !== after.others.join('\n'))
    return "other people's identifiers would change too";
  return undefined;
}

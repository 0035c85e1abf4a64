import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { Finding, Subject } from '../../src/core/types.js';
import { scanTopLevel, type TopLevelResult } from '../../src/engine/scan-item.js';
import { SUBJECT } from './cli.js';
import { subjectOf } from './detector-tester.js';

/** Scans one top-level item held in memory, in process, exactly as a worker scans a file. */
export function scanBytes(
  name: string,
  data: Uint8Array | string,
  opts: { subject?: Subject; all?: boolean } = {},
): Promise<TopLevelResult> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return scanTopLevel(
    { ref: { path: `/mem/${name}`, itemPath: [] }, name, source: { kind: 'buffer', data: bytes }, depth: 0 },
    { subject: subjectOf(opts.subject ?? SUBJECT), all: opts.all ?? false, limits: DEFAULT_LIMITS },
  );
}

/** The facts of a finding a reviewer relies on, without ids and context. */
export function brief(f: Finding) {
  return {
    detector: f.detector,
    value: f.value,
    field: f.location.field,
    offset: f.location.offset,
    line: f.location.line,
    column: f.location.column,
  };
}

/** Findings outside the `path` field (the item's own name), in stream order. */
export function bodyFindings(result: TopLevelResult) {
  return result.findings
    .filter((f) => f.location.field !== 'path')
    .map(brief)
    .sort((a, b) => (a.field ?? '').localeCompare(b.field ?? '') || (a.offset ?? 0) - (b.offset ?? 0));
}

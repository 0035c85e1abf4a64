import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/limits.js';
import type { Subject } from '../../src/core/types.js';
import { scanTopLevel, type TopLevelResult } from '../../src/engine/scan-item.js';
import { compileSubject } from '../../src/match/subject.js';
import { PROJECT, SUBJECT } from './cli.js';

/** Fixtures written by fixtures/gen/documents.ts. */
export const DOCS = join(PROJECT, 'fixtures/documents');
export const HOSTILE = join(DOCS, 'hostile');

/** Scans one file in this process, through every extractor, as a worker thread would. */
export async function scanFile(
  path: string,
  opts: { all?: boolean; limits?: Partial<Limits>; subject?: Subject } = {},
): Promise<TopLevelResult> {
  const abs = resolve(path);
  return scanTopLevel(
    {
      ref: { path: abs, itemPath: [] },
      name: basename(abs),
      source: { kind: 'file', absPath: abs, size: statSync(abs).size },
      depth: 0,
      root: dirname(abs),
    },
    {
      subject: compileSubject(opts.subject ?? SUBJECT),
      all: Boolean(opts.all),
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
    },
  );
}

/** `itemPath › … | detector | value | field`, sorted: one line per finding. */
export function findingLines(r: TopLevelResult): string[] {
  return r.findings
    .map((f) => `${f.itemPath.join(' › ')} | ${f.detector} | ${f.value} | ${f.location.field}`)
    .sort();
}

export function errorLines(r: TopLevelResult): string[] {
  return r.errors.map((e) => `${e.itemPath.join(' › ')} | ${e.kind}`).sort();
}

import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { scanTopLevel, type TopLevelResult } from '../../src/engine/scan-item.js';
import { compileSubject } from '../../src/match/subject.js';
import { PROJECT, SUBJECT } from './cli.js';

export const MAIL_FIXTURES = join(PROJECT, 'fixtures/mail');

/** Scans one file in this process through the real engine (extractors, detectors, evidence). */
export function scanMailFile(
  abs: string,
  limits: Partial<Limits> = {},
  root = dirname(abs),
  /** Inventory mode: keep other people's identifiers too. */
  all = false,
): Promise<TopLevelResult> {
  const input: ItemInput = {
    ref: { path: abs, itemPath: [] },
    name: basename(abs),
    source: { kind: 'file', absPath: abs, size: statSync(abs).size },
    depth: 0,
    root,
  };
  return scanTopLevel(input, {
    subject: compileSubject(SUBJECT),
    all,
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
}

/** One sortable line per finding: `itemPath detector value field`, with ` (other)` when not the subject's. */
export function findingLines(r: TopLevelResult): string[] {
  return r.findings
    .filter((f) => f.location.field !== 'path')
    .map(
      (f) =>
        `${JSON.stringify(f.itemPath)} ${f.detector} ${f.value} ${f.location.field}${f.subject ? '' : ' (other)'}`,
    )
    .sort();
}

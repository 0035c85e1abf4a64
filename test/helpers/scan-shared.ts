import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Limits } from '../../src/core/limits.js';
import type { Location, Subject } from '../../src/core/types.js';
import { runScan, type ScanOptions } from '../../src/engine/scan.js';
import { SUBJECT } from './cli.js';

/** A scan file without what differs from run to run (ids, times, the order files were done in). */
export interface ScanFile {
  /** Every finding the engine writes has an offset (0 for the start of a name). */
  findings: { location: Location & { offset: number } }[];
  items: { scannedAt?: string }[];
  errors: unknown[];
  stats: unknown;
  /** Not in the scan file: how many parts each file was read in (1: in one piece). */
  parts: Record<string, number>;
}

/**
 * Sharing for the container tests (mailboxes, zips): parts of ~16 KiB from 64 KiB on, so that a
 * container of a few hundred KiB is read in a dozen or more; text is never shared. And the one read
 * each is compared with.
 */
export const CONTAINER_SPLIT: NonNullable<ScanOptions['split']> = {
  minBytes: Number.POSITIVE_INFINITY,
  rangeBytes: 16 * 1024,
  mailboxBytes: 64 * 1024,
  textBytes: Number.POSITIVE_INFINITY,
};
export const CONTAINER_ONE_READ = { ...CONTAINER_SPLIT, mailboxBytes: Number.POSITIVE_INFINITY };

/** The scans every test of a shared file runs both ways: an inventory and a subject scan. */
export const SCAN_MODES: [string, { all: boolean; subject?: null }][] = [
  ['an inventory', { all: true }],
  ['a subject scan', { all: false }],
];

/** Scans `dir` with both worker threads and the given sharing of big files among them. */
export async function scanShared(
  dir: string,
  split: NonNullable<ScanOptions['split']>,
  opts: { all: boolean; subject?: Subject | null; limits?: Partial<Limits> },
): Promise<ScanFile> {
  const parts: Record<string, number> = {};
  const outcome = await runScan({
    onResult: (input, r) => {
      parts[input.name] = r.parts ?? 1;
    },
    roots: [dir],
    subject: opts.subject === undefined ? SUBJECT : opts.subject,
    all: opts.all,
    concurrency: 2,
    split,
    limits: opts.limits ?? {},
  });
  const out = join(dir, `../${Math.random().toString(36).slice(2)}.scan.json`);
  await outcome.writer.write(out, { finishedAt: outcome.finishedAt });
  const { scanId, startedAt, finishedAt, scanned, ...s } = JSON.parse(readFileSync(out, 'utf8'));
  void [scanId, startedAt, finishedAt];
  s.scanned = (scanned as string[]).sort();
  for (const i of s.items) delete i.scannedAt;
  s.parts = parts;
  (s as ScanFile).findings.sort(
    (a, b) => a.location.offset - b.location.offset || JSON.stringify(a).localeCompare(JSON.stringify(b)),
  );
  return s;
}

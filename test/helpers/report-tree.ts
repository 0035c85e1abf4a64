/**
 * A small company share for the report and export tests, scanned with the built CLI so that the scan
 * file follows the real contract. Fake people only (test/helpers/cli.ts).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { expect } from 'vitest';
import { PROJECT, runCli, tempTree, writeSubject } from './cli.js';

export const MBOX = [
  'From hr@firma.dk Mon Jan  1 10:00:00 2024',
  'From: =?utf-8?Q?S=C3=B8ren?= <soren.ostergard@example.dk>',
  'To: hr@firma.dk',
  'Subject: Ferie',
  'Message-ID: <ferie-1@example.dk>',
  '',
  'Hej, ring på 21 43 65 87 hvis der er noget.',
  '',
  'From other@firma.dk Mon Jan  1 11:00:00 2024',
  'From: other@firma.dk',
  'Subject: Frokost',
  'Message-ID: <frokost-2@example.dk>',
  '',
  'Ingen persondata her.',
  '',
].join('\n');

export const CV = 'CV for Søren Kjærgaard Østergård\nCPR 150387-1236\n';

export const TREE: Record<string, string | Uint8Array> = {
  'share/hr/contract.txt':
    'Ansættelseskontrakt\nMedarbejder: Søren Kjærgaard Østergård, CPR 150387-1236\n' +
    'E-mail soren.ostergard@example.dk, telefon +45 21 43 65 87.\n' +
    'Kontaktperson: anna.berg@firma.dk, 22 33 44 55, CPR 010190-1234.\n',
  // Untrusted text next to the subject's CPR: must show as text, never run or load anything.
  'share/hr/notes <b>.html':
    '<p>=HYPERLINK("http://evil.example/x") Søren Kjærgaard Østergård 150387-1236 ' +
    '&lt;img src="http://evil.example/pixel.png"&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>',
  'share/misc/meeting.txt': 'Mødet med Søren Østergård er flyttet til torsdag.\n',
  'share/misc/namesake.txt': 'Søren Østergård, s.ostergaard@other.dk, CPR 010190-1234\n',
  'share/mail/inbox.mbox': MBOX,
  'share/archive/old.zip': zipSync({
    'docs/cv.txt': new TextEncoder().encode(CV),
    'docs/other.txt': new TextEncoder().encode('nothing about anyone\n'),
  }),
};

export interface ScannedTree {
  dir: string;
  root: string;
  scanPath: string;
  scan: ScanJson;
}

export interface ScanJson {
  scanId: string;
  stats: { files: number; items: number; bytes: number; skipped: number; errors: number };
  findings: { itemId: string; detector: string; value: string; subject: boolean }[];
  items: {
    id: string;
    path: string;
    itemPath: string[];
    evidence: string;
    fingerprint: { sha256?: string; offset?: number; length?: number };
  }[];
  errors: unknown[];
}

/** Writes the tree (plus a face-tagged photo when asked), scans it and returns the scan file. */
export function scannedTree(opts: { photo?: boolean } = {}): ScannedTree {
  const dir = tempTree(TREE, 'dsr-report-');
  if (opts.photo)
    copyFileSync(join(PROJECT, 'fixtures/media/mwg-regions.jpg'), join(dir, 'share/photos-mwg.jpg'));
  const subject = writeSubject(dir);
  const scanPath = join(dir, 'scan.json');
  const r = runCli(['scan', join(dir, 'share'), '--subject', subject, '--out', scanPath, '--no-progress']);
  expect(r.stderr).toBe('');
  expect([0, 3]).toContain(r.code);
  const scan = JSON.parse(readFileSync(scanPath, 'utf8')) as ScanJson;
  return { dir, root: join(dir, 'share'), scanPath, scan };
}

export function itemAt(tree: ScannedTree, rel: string, itemPath: string[] = []): ScanJson['items'][number] {
  const path = join(tree.root, rel);
  const item = tree.scan.items.find(
    (i) => i.path === path && i.itemPath.join('\u0000') === itemPath.join('\u0000'),
  );
  if (!item) throw new Error(`no item ${rel} ${itemPath.join(' > ')} in the scan`);
  return item;
}

/** Writes scan.review.json beside the scan file. */
export function writeReview(
  tree: ScannedTree,
  decisions: Record<string, 'include' | 'exclude' | 'namesake' | 'keep' | { decision: string; note: string }>,
  schema = 'dsr.review/2',
): void {
  const entries = Object.fromEntries(
    Object.entries(decisions).map(([id, d]) => [
      id,
      { ...(typeof d === 'string' ? { decision: d } : d), by: 'tester', at: '2026-01-01T00:00:00Z' },
    ]),
  );
  writeFileSync(
    join(tree.dir, 'scan.review.json'),
    JSON.stringify({ schema, scanId: tree.scan.scanId, decisions: entries }),
  );
}

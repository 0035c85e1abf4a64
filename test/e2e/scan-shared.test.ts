/**
 * `dsr scan` with the raw-byte pass shared between the main thread and the workers (a subject scan with
 * two or more threads) must give exactly what one worker alone gives. Runs the built CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'dsr-shared-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const filler = (bytes: number, seed: number) =>
  `linje ${seed} uden noget om personen, bare tal 2024 og ord. `
    .repeat(Math.ceil(bytes / 56))
    .slice(0, bytes);

/** Hundreds of clean files of every size, with the subject and a namesake in a few, spread through. */
function corpus(): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {};
  for (let i = 0; i < 400; i++) {
    const size = i % 40 === 0 ? 3 * 1024 * 1024 : i % 3 === 0 ? 600_000 : 2_000;
    const dir = `d${i % 9}/${i % 4}`;
    files[`${dir}/f-${i}.${['txt', 'log', 'csv', 'md', 'json'][i % 5]}`] =
      i % 5 === 4 ? JSON.stringify({ tekst: filler(size, i) }) : filler(size, i);
  }
  files['d1/0/f-80.txt'] = `${filler(3 * 1024 * 1024 - 100, 80)} CPR 150387-1236 `;
  files['d3/2/kontakt.csv'] = 'navn;email\nSøren K. Østergård;soren.ostergard@example.dk\n';
  files['d5/1/notat.log'] = `${filler(150_000, 5)}\nring til 21 43 65 87\n`;
  files['d6/3/kunder.txt'] = 'Kunde: Søren Østergård, CPR 010190-1234\n';
  files['d7/0/Søren Østergård.txt'] = 'cv\n';
  files['d8/1/binary.dat'] = new Uint8Array(4096).fill(0);
  files['d2/2/øst.txt'] = Buffer.from('Søren Østergård, tlf 21436587\n', 'latin1');
  // Other formats go to the workers only, and to the thread the shared scan starts last.
  for (let i = 0; i < 40; i++) files[`d4/${i % 4}/side-${i}.html`] = `<p>${filler(3000, i)}</p>`;
  files['d4/1/profil.html'] = '<p>Kontakt: Søren Østergård, CPR 150387-1236</p>';
  files['d0/3/besked.eml'] = [
    'From: kontor@example.dk',
    'To: soren.ostergard@example.dk',
    'Subject: Opkald',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Ring venligst 21 43 65 87.',
    '',
  ].join('\r\n');
  return files;
}

interface ScanJson {
  stats: object;
  findings: { id: string }[];
  items: { scannedAt?: string }[];
  errors: unknown[];
  skippedFiles: unknown[];
  scanned: string[];
}

function scanWith(root: string, subject: string, concurrency: string): ScanJson {
  const file = join(out, `scan-${concurrency}.json`);
  const r = runCli(['scan', root, '--subject', subject, '--out', file, '--concurrency', concurrency]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  const s = JSON.parse(readFileSync(file, 'utf8')) as ScanJson;
  return {
    ...s,
    items: s.items.map(({ scannedAt: _, ...rest }) => rest),
    scanned: [...s.scanned].sort(),
  };
}

describe('dsr scan: raw-byte pass shared with the main thread', () => {
  it('finds, skips and counts exactly what one worker alone does', () => {
    const root = tempTree(corpus(), 'dsr-shared-tree-');
    const subject = writeSubject(out);
    const alone = scanWith(root, subject, '1');
    const shared = scanWith(root, subject, '2');
    expect(alone.findings.length).toBeGreaterThanOrEqual(9);
    expect(alone.errors).toEqual([]);
    for (const key of ['stats', 'findings', 'items', 'errors', 'skippedFiles', 'scanned'] as const)
      expect(shared[key], key).toEqual(alone[key]);
    rmSync(root, { recursive: true, force: true });
  });
});

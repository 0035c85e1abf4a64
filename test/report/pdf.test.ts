/**
 * `dsr report --format pdf`: the same report printed to A4 by headless Chromium (Debian `chromium`), read
 * back with poppler's pdftotext and pdfinfo as a reader's PDF viewer would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, runCli } from '../helpers/cli.js';
import { type ScannedTree, scannedTree } from '../helpers/report-tree.js';

const CONTROLLER = join(PROJECT, 'fixtures/controller.example.json');

describe('dsr report --format pdf', () => {
  let tree: ScannedTree;
  beforeAll(() => {
    expect(existsSync('/usr/bin/chromium'), '/usr/bin/chromium is needed (apt-get install chromium)').toBe(
      true,
    );
    tree = scannedTree();
  });

  it('prints an A4 PDF with page numbers and the draft banner on every page', () => {
    const out = join(tree.dir, 'rapport.pdf');
    const r = runCli(['report', tree.scanPath, '--lang', 'da', '-o', out, '--controller', CONTROLLER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[56](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    expect(text).toContain('Indsigtsrapport');
    expect(text).toContain('Fjordlys Film ApS');
    expect(text).toContain('150387-1236');
    expect(text).toContain(`Side 1 af ${pages}`);
    expect(text).toContain(`Side ${pages} af ${pages}`);
    // Two possible items wait for review: the draft is marked on each page, for the officer.
    expect(text.split('\f').filter((p) => p.includes('Kladde – ikke klar til afsendelse')).length).toBe(
      pages,
    );
    expect(text).not.toContain('anna.berg@firma.dk');
  });

  it('prints English with --format pdf to standard output', () => {
    const r = runCli(['report', tree.scanPath, '--lang', 'en', '--format', 'pdf', '-o', '-'], {
      encoding: 'latin1',
    });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('%PDF-')).toBe(true);
    expect(r.stderr).toContain('Report (pdf, en): standard output');
  });

  it('says what to do where no browser is found (exit 2), and writes nothing', () => {
    const out = join(tree.dir, 'none.pdf');
    const r = runCli(['report', tree.scanPath, '-o', out, '--controller', CONTROLLER], {
      env: { ...process.env, DSR_CHROMIUM: '/nonexistent/chromium' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format pdf needs Chromium or Chrome');
    expect(r.stderr).toContain('hint: install it (apt-get install chromium)');
    expect(existsSync(out)).toBe(false);
  });
});

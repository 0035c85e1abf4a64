import { copyFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * Files dsr cannot read (fixtures/unread, written by fixtures/gen/unread.ts) are never a silent skip:
 * scanned documents where OCR is missing, encrypted archives of every kind and archives dsr cannot open are error entries,
 * the scan exits 3, and the access report says what was not searched.
 */
const UNREAD = join(PROJECT, 'fixtures/unread');

function scan(
  root: string,
  opts: Parameters<typeof runCli>[1] = {},
): { code: number; scan: ScanFile; stdout: string; out: string } {
  const out = join(tempTree(), 'scan.json');
  const r = runCli(
    ['scan', root, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress'],
    opts,
  );
  if (r.code !== 0 && r.code !== 3) throw new Error(`dsr scan exit ${r.code}: ${r.stderr}`);
  return { code: r.code, scan: JSON.parse(readFileSync(out, 'utf8')), stdout: r.stdout, out };
}

const line = (e: { path: string; itemPath: string[]; kind: string; message: string }) =>
  `${basename(e.path)} | ${e.itemPath.join(' › ')} | ${e.kind} | ${e.message}`;

/** One file of fixtures/unread alone in a folder. */
function alone(name: string): string {
  const dir = tempTree();
  copyFileSync(join(UNREAD, name), join(dir, name));
  return dir;
}

/** A machine without OCR: DSR_TESSERACT names no program (see src/extract/ocr/tesseract.ts). */
const NO_OCR = { env: { ...process.env, DSR_TESSERACT: '' } };
const HINT = 'tesseract not found (install tesseract-ocr, tesseract-ocr-dan and tesseract-ocr-eng)';

describe('without OCR, scanned documents are not "read" (built CLI)', () => {
  it('an image-only PDF with a name and a CPR number: an unsupported error, exit 3, not "0 errors"', () => {
    const { code, scan: s, stdout } = scan(alone('scanned.pdf'), NO_OCR);
    expect(code).toBe(3);
    expect(s.errors.map(line)).toEqual([
      `scanned.pdf |  | unsupported | no text layer on pages 1-2 of 2: scanned pages, need OCR: ${HINT}`,
    ]);
    expect(s.stats.errors).toBe(1);
    expect(stdout).toMatch(/Errors: 1 \(1 unsupported\)/);
  });

  it('a PDF with one scanned page among pages of text: that page is named, the text pages are searched', () => {
    const { code, scan: s } = scan(alone('partly-scanned.pdf'), NO_OCR);
    expect(code).toBe(3);
    expect(s.errors.map(line)).toEqual([
      `partly-scanned.pdf |  | unsupported | no text layer on page 2 of 3: scanned page, needs OCR: ${HINT}`,
    ]);
    expect(s.findings.map((f) => `${f.itemPath.join(' › ')} | ${f.detector}`)).toEqual(['page 1 | email']);
  });

  it('a fax TIFF and a grayscale page-sized PNG are images of documents; a colour photo is not an error', () => {
    const dir = tempTree();
    for (const f of ['fax-letter.tif', 'gray-letter.png', 'photo.jpg'])
      copyFileSync(join(UNREAD, f), join(dir, f));
    const { code, scan: s } = scan(dir, NO_OCR);
    expect(code).toBe(3);
    expect(s.errors.map(line).sort()).toEqual([
      `fax-letter.tif |  | unsupported | image of a document (TIFF with fax compression): scanned page, needs OCR: ${HINT}`,
      `gray-letter.png |  | unsupported | image of a document (grayscale page-sized image at 150 dpi): scanned page, needs OCR: ${HINT}`,
    ]);
    expect(s.stats.files).toBe(3);
  });

  it('the access report lists them under what could not be read and no longer says every file was read', () => {
    const { out } = scan(alone('scanned.pdf'), NO_OCR);
    for (const lang of ['en', 'da']) {
      const html = join(tempTree(), 'report.html');
      const r = runCli(['report', out, '--format', 'html', '--lang', lang, '--out', html]);
      expect(r.code).toBe(0);
      const page = readFileSync(html, 'utf8');
      expect(page).not.toContain('Every file and mailbox found was read');
      expect(page).not.toContain('Alle fundne filer og postkasser blev læst');
      // Said in plain words; the raw message stays in the JSON report.
      expect(page).toContain(
        lang === 'en'
          ? 'Pages 1-2 of 2 are scanned images without text and could not be searched.'
          : 'Side 1-2 af 2 er indscannede billeder uden tekst og kunne ikke gennemsøges.',
      );
      expect(page).toContain(
        lang === 'en' ? 'format or scan not supported' : 'format eller scanning understøttes ikke',
      );
    }
    const json = join(tempTree(), 'report.json');
    expect(runCli(['report', out, '--format', 'json', '--out', json]).code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.scan.stats.errors).toBe(1);
    expect(report.scan.errors.map(line)).toEqual([
      `scanned.pdf |  | unsupported | no text layer on pages 1-2 of 2: scanned pages, need OCR: ${HINT}`,
    ]);
  });
});

describe('with OCR, the same scanned documents are read (built CLI)', { timeout: 180_000 }, () => {
  it('the scanned PDFs, the fax TIFF and the grayscale PNG give the name and CPR number, page by page; no error', () => {
    const dir = tempTree();
    for (const f of ['scanned.pdf', 'partly-scanned.pdf', 'fax-letter.tif', 'gray-letter.png', 'photo.jpg'])
      copyFileSync(join(UNREAD, f), join(dir, f));
    const { code, scan: s } = scan(dir);
    expect(code).toBe(0);
    expect(s.errors).toEqual([]);
    const found = s.findings.map(
      (f) => `${basename(f.path)} | ${f.itemPath.join(' › ')} | ${f.detector} | ${f.location.field}`,
    );
    expect(found.sort()).toEqual([
      'fax-letter.tif | page 1 | cpr | ocr',
      'fax-letter.tif | page 1 | name | ocr',
      'gray-letter.png | page 1 | cpr | ocr',
      'gray-letter.png | page 1 | name | ocr',
      'partly-scanned.pdf | page 1 | email | page 1',
      'partly-scanned.pdf | page 2 | cpr | ocr',
      'partly-scanned.pdf | page 2 | name | ocr',
      'scanned.pdf | page 1 | cpr | ocr',
      'scanned.pdf | page 1 | name | ocr',
      'scanned.pdf | page 2 | name | ocr',
    ]);
  });
});

describe('encrypted and unopened archives are errors, never a silent skip (built CLI)', () => {
  it('every encrypted archive is an `encrypted` error; plain 7z and bzip2 archives are read', () => {
    const { code, scan: s } = scan(UNREAD, NO_OCR);
    expect(code).toBe(3);
    const archives = s.errors.filter((e) => !/scanned|image of a document|text layer/.test(e.message));
    expect(archives.map(line).sort()).toEqual([
      'aes.zip | member secret.txt | encrypted | member is encrypted; not read',
      'bundle.zip | member old/encrypted-names.7z | encrypted | 7z archive is password-protected (encrypted file names); not read',
      'encrypted-names.7z |  | encrypted | 7z archive is password-protected (encrypted file names); not read',
      'encrypted-names.rar |  | encrypted | RAR archive is password-protected (encrypted file names); not read',
      'encrypted.7z | member secret.txt | encrypted | password-protected 7z member; not read',
      'zipcrypto.zip | member secret.txt | encrypted | member is encrypted; not read',
    ]);
    // 7z and bzip2 are read since dsr reads them with 7-Zip (WebAssembly): the secret inside is found.
    for (const f of ['plain.7z', 'secret.txt.bz2'])
      expect(
        s.findings
          .filter((x) => basename(x.path) === f)
          .map((x) => `${x.itemPath.join(' › ')} ${x.detector}`)
          .sort(),
      ).toEqual(['member secret.txt cpr', 'member secret.txt name']);
    // Nothing is counted as skipped: a skip would leave it out of "what was not searched".
    expect(s.stats.skipped).toBe(0);
    expect(s.skippedFiles ?? []).toEqual([]);
    // The rest of a zip is still read: the note beside the scanned PDF and the encrypted 7z.
    expect(
      s.findings.filter((f) => basename(f.path) === 'bundle.zip').map((f) => f.itemPath.join(' › ')),
    ).toContain('member note.txt');
  });

  it('an encrypted Office package (an OLE file with EncryptedPackage) without a known name is `encrypted`', () => {
    const cfb = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb, 0);
    Buffer.from('EncryptedPackage', 'utf16le').copy(cfb, 600);
    const dir = tempTree({ 'kontrakt-kopi': cfb, 'gammel.doc': Buffer.from(cfb.subarray(0, 512)) });
    const { code, scan: s } = scan(dir);
    expect(code).toBe(3);
    expect(s.errors.map(line).sort()).toEqual([
      'gammel.doc |  | corrupt | not a readable OLE compound file (damaged or truncated); not read',
      'kontrakt-kopi |  | encrypted | password-protected Office document; not read',
    ]);
  });
});

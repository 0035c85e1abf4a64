import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * Scanned documents are read by OCR (system tesseract, `dan+eng`): fixtures/ocr (fixtures/gen/ocr.ts)
 * holds a Danish letter with the subject's name (æ, ø, å), e-mail address and CPR number only as
 * pixels, as PNG, JPEG, WebP, a two-page fax TIFF and a two-page scanned PDF, and a photo.
 */
const OCR = join(PROJECT, 'fixtures/ocr');

function scan(files: string[], env: NodeJS.ProcessEnv = process.env): { code: number; scan: ScanFile } {
  const dir = tempTree();
  for (const f of files) copyFileSync(f.startsWith('/') ? f : join(OCR, f), join(dir, basename(f)));
  const out = join(tempTree(), 'scan.json');
  const r = runCli(['scan', dir, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress'], {
    env,
  });
  if (r.code !== 0 && r.code !== 3) throw new Error(`dsr scan exit ${r.code}: ${r.stderr}`);
  return { code: r.code, scan: JSON.parse(readFileSync(out, 'utf8')) };
}

/**
 * Where the generator draws the e-mail line (fixtures/gen/ocr.ts: 150 dpi, 30 px text from x = 90,
 * baseline at y = 228): the box of `soren.ostergard@example.dk` lies on that line, right of `E-mail:`.
 */
function expectEmailBox(f: Finding): void {
  const box = f.location.box!;
  expect(box.x).toBeGreaterThan(150);
  expect(box.x).toBeLessThan(260);
  expect(box.y).toBeGreaterThan(190);
  expect(box.y + box.h).toBeLessThan(245);
  expect(box.w).toBeGreaterThan(350);
  expect(box.h).toBeGreaterThan(15);
}

describe('OCR of scanned documents (built CLI)', { timeout: 180_000 }, () => {
  it('finds the name with æøå, the e-mail address with @ and the CPR number in every image container', () => {
    const { code, scan: s } = scan(['brev.png', 'brev.jpg', 'brev.webp', 'fax-2-sider.tif']);
    expect(code).toBe(0);
    expect(s.errors).toEqual([]);
    const found = s.findings.map(
      (f) =>
        `${basename(f.path)} | ${f.itemPath.join(' › ')} | ${f.detector} | ${f.value} | ${f.location.field}`,
    );
    for (const [file, page] of [
      ['brev.png', 1],
      ['brev.jpg', 1],
      ['brev.webp', 1],
      ['fax-2-sider.tif', 2],
    ] as const) {
      expect(found).toContain(`${file} | page ${page} | name | Søren Kjærgaard Østergård | ocr`);
      expect(found).toContain(`${file} | page ${page} | email | soren.ostergard@example.dk | ocr`);
      expect(found).toContain(`${file} | page ${page} | cpr | 150387-1236 | ocr`);
    }
    for (const f of s.findings.filter((f) => f.detector === 'email')) {
      expect(f.location.page).toBe(f.path.endsWith('.tif') ? 2 : 1);
      expectEmailBox(f);
    }
  });

  it('reads the scanned pages of a PDF: the letter on page 2 is found there, with its box', () => {
    const { code, scan: s } = scan(['scannet-2-sider.pdf']);
    expect(code).toBe(0);
    expect(s.errors).toEqual([]);
    const email = s.findings.find((f) => f.detector === 'email')!;
    expect(email.value).toBe('soren.ostergard@example.dk');
    expect(email.itemPath).toEqual(['page 2']);
    expect(email.location).toMatchObject({ field: 'ocr', page: 2 });
    // The page is rendered at its image's own size (1241 x 1754): the box is in the image's pixels.
    expectEmailBox(email);
    expect(s.findings.map((f) => f.detector).sort()).toEqual(['cpr', 'email', 'name']);
  });

  it('a 4-page scanned PDF gives the same findings with its pages spread over 2 workers as with 1', () => {
    const dir = tempTree();
    copyFileSync(join(OCR, 'scannet-4-sider.pdf'), join(dir, 'scannet-4-sider.pdf'));
    const subject = writeSubject(tempTree());
    const read = (jobs: string) => {
      const out = join(tempTree(), 'scan.json');
      const r = runCli(['scan', dir, '--subject', subject, '--out', out, '--no-progress', '-j', jobs]);
      expect(r.code).toBe(0);
      const s: ScanFile = JSON.parse(readFileSync(out, 'utf8'));
      expect(s.errors).toEqual([]);
      const findings = s.findings
        .map(
          (f) =>
            `${f.itemPath.join(' › ')} | ${f.detector} | ${f.value} | ${JSON.stringify(f.location)} | ${f.evidence}`,
        )
        .sort();
      const items = s.items.map((i) => `${basename(i.path)} | ${i.evidence} | ${i.detectors.join(',')}`);
      return { findings, items, files: s.stats.files, items_read: s.stats.items };
    };
    const one = read('1');
    expect(one.items).toEqual(['scannet-4-sider.pdf | confirmed | cpr,email,name']);
    expect(one.findings.filter((f) => f.includes('| email |')).map((f) => f.split(' | ')[0])).toEqual([
      'page 2',
      'page 4',
    ]);
    expect(read('2')).toEqual(one);
  });

  it('a damaged PDF of page images shared over 2 workers is one error, as with 1', () => {
    const dir = tempTree();
    const image = (n: number) =>
      `${n} 0 obj << /Type /XObject /Subtype /Image /Width 9 >> stream\nxx\nendstream\nendobj\n`;
    writeFileSync(join(dir, 'broken.pdf'), `%PDF-1.4\n${image(1)}${image(2)}`);
    const subject = writeSubject(tempTree());
    for (const jobs of ['1', '2']) {
      const out = join(tempTree(), 'scan.json');
      const r = runCli(['scan', dir, '--subject', subject, '--out', out, '--no-progress', '-j', jobs]);
      expect(r.code).toBe(3);
      const s: ScanFile = JSON.parse(readFileSync(out, 'utf8'));
      expect(s.errors.map((e) => `${basename(e.path)} | ${e.kind}`)).toEqual(['broken.pdf | corrupt']);
    }
  });

  it('a colour photo without text: no OCR, no error and no finding', () => {
    const { code, scan: s } = scan(['foto.jpg']);
    expect(code).toBe(0);
    expect(s.errors).toEqual([]);
    expect(s.findings).toEqual([]);
  });

  it('without tesseract every scanned page is an `unsupported` error saying what to install', () => {
    const { code, scan: s } = scan(['brev.webp', 'scannet-2-sider.pdf', 'foto.jpg'], {
      ...process.env,
      DSR_TESSERACT: '',
    });
    expect(code).toBe(3);
    const hint = 'tesseract not found (install tesseract-ocr, tesseract-ocr-dan and tesseract-ocr-eng)';
    expect(s.errors.map((e) => `${basename(e.path)} | ${e.kind} | ${e.message}`).sort()).toEqual([
      `brev.webp | unsupported | image of a document (light page with dark marks and little colour): scanned page, needs OCR: ${hint}`,
      `scannet-2-sider.pdf | unsupported | no text layer on pages 1-2 of 2: scanned pages, need OCR: ${hint}`,
    ]);
    expect(s.findings).toEqual([]);
  });
});

describe('HEIC pictures of documents, decoded by heif-convert (built CLI)', { timeout: 180_000 }, () => {
  it('finds the e-mail address, name and CPR number on the HEIC page, with the box', () => {
    const { code, scan: s } = scan(['brev.heic']);
    expect(code).toBe(0);
    expect(s.errors).toEqual([]);
    expect(
      s.findings
        .map((f) => `${f.itemPath.join(' › ')} | ${f.detector} | ${f.value} | ${f.location.field}`)
        .sort(),
    ).toEqual([
      'page 1 | cpr | 150387-1236 | ocr',
      'page 1 | email | soren.ostergard@example.dk | ocr',
      'page 1 | name | Søren Kjærgaard Østergård | ocr',
    ]);
    const email = s.findings.find((f) => f.detector === 'email')!;
    expect(email.location.page).toBe(1);
    expectEmailBox(email);
  });

  it('a HEIC photo is decoded and looked at, never given to OCR: without tesseract only the page is an error', () => {
    const { code, scan: s } = scan(['brev.heic', 'foto.heic'], { ...process.env, DSR_TESSERACT: '' });
    expect(code).toBe(3);
    expect(s.errors.map((e) => `${basename(e.path)} | ${e.kind} | ${e.message}`)).toEqual([
      'brev.heic | unsupported | image of a document (light page with dark marks and little colour): scanned page, needs OCR: tesseract not found (install tesseract-ocr, tesseract-ocr-dan and tesseract-ocr-eng)',
    ]);
    expect(s.findings).toEqual([]);
  });

  it('without heif-convert a HEIC is an `unsupported` error saying what to install; its face tags are still read', () => {
    const region = join(PROJECT, 'fixtures/media/region.heic');
    const { code, scan: s } = scan(['brev.heic', region], { ...process.env, DSR_HEIF_CONVERT: '' });
    expect(code).toBe(3);
    expect(s.errors.map((e) => `${basename(e.path)} | ${e.kind} | ${e.message}`).sort()).toEqual(
      ['brev.heic', 'region.heic'].map(
        (f) =>
          `${f} | unsupported | HEIF picture not decoded, so not looked at for a document to read by OCR: heif-convert not found (install libheif-examples)`,
      ),
    );
    expect(s.findings.map((f) => `${basename(f.path)} | ${f.detector} | ${f.value}`)).toContain(
      'region.heic | face | Søren Østergård',
    );
  });
});

describe('a scan read by OCR in the plan, the report and the review (built CLI)', {
  timeout: 180_000,
}, () => {
  const dir = tempTree();
  for (const f of ['brev.png', 'scannet-2-sider.pdf']) copyFileSync(join(OCR, f), join(dir, f));
  const out = join(tempTree(), 'scan.json');
  const scanned = () => {
    if (!existsSync(out)) {
      const r = runCli(['scan', dir, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress']);
      expect(r.code).toBe(0);
    }
    return out;
  };

  it('erasure is manual and names the page: dsr cannot black out pixels', () => {
    const planFile = join(tempTree(), 'plan.json');
    expect(runCli(['plan', scanned(), '--out', planFile]).code).toBe(0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    expect(
      plan.actions.map((a: { path: string; kind: string; rule: string; reason: string }) => [
        basename(a.path),
        a.kind,
        a.rule,
        a.reason,
      ]),
    ).toEqual([
      [
        'brev.png',
        'manual',
        'scanned-page',
        "the subject's data was read by OCR from the scanned page 1 of this image: black it out or remove the page by hand, or delete the file",
      ],
      [
        'scannet-2-sider.pdf',
        'manual',
        'scanned-page',
        "the subject's data was read by OCR from the scanned page 2 of this PDF: black it out or remove the page by hand, or delete the file",
      ],
    ]);
  });

  it('the access report says the text was read by OCR, in English and Danish', () => {
    for (const [lang, said] of [
      ['en', 'read by text recognition (OCR) from a scanned page'],
      ['da', 'læst med tekstgenkendelse (OCR) fra en scannet side'],
    ]) {
      const html = join(tempTree(), 'report.html');
      expect(runCli(['report', scanned(), '--format', 'html', '--lang', lang, '--out', html]).code).toBe(0);
      expect(readFileSync(html, 'utf8')).toContain(said);
    }
  });
});

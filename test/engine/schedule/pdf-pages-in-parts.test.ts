import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ItemInput, ScanFile } from '../../../src/core/types.js';
import { mayHoldScans, readPdfPagesInParts } from '../../../src/engine/schedule/pdf-pages-in-parts.js';
import { readItems } from '../../../src/engine/schedule/read-items.js';
import { runTaskHere } from '../../../src/engine/worker.js';
import { PROJECT, SUBJECT, tempTree } from '../../helpers/cli.js';
import { fakeScanRun, fileItem } from '../../helpers/fake-scan-run.js';

const scanRun = { concurrency: 2, index: undefined, inProcess: false };
const FOUR_SCANNED = join(PROJECT, 'fixtures/ocr/scannet-4-sider.pdf');

function input(path: string): ItemInput {
  return fileItem(path, statSync(path).size);
}

function mayHold(path: string, run = scanRun): boolean {
  return mayHoldScans(run, input(path), statSync(path).size);
}

/** A PDF of text pages, each with its own small logo (an image XObject a page); the subject on page 2. */
async function textPdfWithLogos(path: string): Promise<void> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 3; i++) {
    const logo = await sharp({
      create: { width: 40, height: 20, channels: 3, background: { r: 10 * i, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    const page = doc.addPage([595, 842]);
    page.drawImage(await doc.embedPng(logo), { x: 500, y: 790, width: 40, height: 20 });
    const lines = [
      `Side ${i + 1}`,
      i === 1 ? `Kontakt: ${SUBJECT.emails![0]}` : 'Kontakt: kontoret@firma.dk',
    ];
    lines.forEach((l, k) => {
      page.drawText(l, { x: 60, y: 740 - k * 16, size: 11, font });
    });
  }
  writeFileSync(path, await doc.save({ useObjectStreams: false }));
}

describe('mayHoldScans', () => {
  it('looks at a PDF naming two or more image XObjects', () => {
    expect(mayHold(FOUR_SCANNED)).toBe(true);
    expect(mayHold(join(PROJECT, 'fixtures/ocr/scannet-2-sider.pdf'), { ...scanRun, concurrency: 8 })).toBe(
      true,
    );
  });

  it('not with one thread, in an index, in process, nor for a PDF without images', () => {
    expect(mayHold(FOUR_SCANNED, { ...scanRun, concurrency: 1 })).toBe(false);
    expect(
      mayHold(FOUR_SCANNED, { ...scanRun, index: { collector: 'file:///x.js', key: 'k' } } as never),
    ).toBe(false);
    expect(mayHold(FOUR_SCANNED, { ...scanRun, inProcess: true })).toBe(false);
    expect(mayHold(join(PROJECT, 'fixtures/documents/cv.pdf'))).toBe(false);
  });

  it('counts image XObjects only: a page’s ProcSet names (/ImageB, /ImageC) are not images', () => {
    const dir = tempTree();
    const procSet = join(dir, 'procset.pdf');
    writeFileSync(
      procSet,
      '%PDF-1.4\n1 0 obj << /ProcSet [/PDF /Text /ImageB /ImageC /ImageI] >> endobj\n'.repeat(3),
    );
    expect(mayHold(procSet)).toBe(false);
    const images = join(dir, 'images.pdf');
    writeFileSync(
      images,
      '%PDF-1.4\n1 0 obj << /Type /XObject /Subtype\n/Image /Width 9 >> stream\nendstream\n'.repeat(2),
    );
    expect(mayHold(images)).toBe(true);
  });
});

describe('readPdfPagesInParts (the real extractors, in process)', { timeout: 120_000 }, () => {
  let log: string;
  let before: string | undefined;
  beforeAll(() => {
    // A tesseract that notes each recognition: no page may be recognised twice.
    const dir = tempTree();
    log = join(dir, 'calls');
    writeFileSync(log, '');
    const wrapper = join(dir, 'tesseract');
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$1" in --list-langs) ;; *) echo recognised >> '${log}' ;; esac\nexec tesseract "$@"\n`,
      { mode: 0o755 },
    );
    before = process.env.DSR_TESSERACT;
    process.env.DSR_TESSERACT = wrapper;
  });
  afterEach(() => {
    writeFileSync(log, '');
  });
  afterAll(() => {
    if (before === undefined) delete process.env.DSR_TESSERACT;
    else process.env.DSR_TESSERACT = before;
  });
  const recognitions = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

  /** What a reviewer sees of a scan file: findings, items and counts (ids and times aside). */
  function seen(s: ScanFile) {
    return {
      findings: s.findings
        .map((f) =>
          JSON.stringify([f.itemPath, f.detector, f.value, f.location, f.context, f.evidence, f.subject]),
        )
        .sort(),
      items: s.items.map((i) => ({ ...i, id: undefined, scannedAt: undefined })),
      errors: s.errors,
      stats: { ...s.stats, durationMs: undefined },
    };
  }

  async function read(path: string, spread: boolean) {
    const fake = fakeScanRun((task) => runTaskHere(task));
    try {
      const item = input(path);
      if (spread) await readPdfPagesInParts(fake.run, item, statSync(path).size);
      else await readItems(fake.run, [item]);
      return { scan: seen(await fake.scanFile()), sent: fake.sent.map((s) => s.task.pdfPart) };
    } finally {
      await fake.discard();
    }
  }

  it('a scanned PDF: every page recognised once by the later parts, same findings, items and stats as one read', async () => {
    const spread = await read(FOUR_SCANNED, true);
    expect(recognitions()).toBe(4);
    // The first part reads the file and recognises nothing; the parts after it each page once, in order.
    expect(spread.sent[0]).toEqual({});
    const pages = spread.sent.slice(1).flatMap((p) => p?.ocrPages?.map((s) => s.num) ?? []);
    expect(pages).toEqual([1, 2, 3, 4]);
    writeFileSync(log, '');
    const whole = await read(FOUR_SCANNED, false);
    expect(recognitions()).toBe(4);
    expect(whole.sent).toEqual([undefined]);
    expect(spread.scan.findings.some((f) => f.includes('"email"'))).toBe(true);
    expect(spread.scan).toEqual(whole.scan);
  });

  it('a text PDF with a logo on each page is read by its first part alone, as one read reads it', async () => {
    const path = join(tempTree(), 'breve.pdf');
    await textPdfWithLogos(path);
    expect(mayHold(path)).toBe(true);
    const spread = await read(path, true);
    expect(spread.sent).toEqual([{}]);
    const whole = await read(path, false);
    expect(recognitions()).toBe(0);
    expect(spread.scan.findings.some((f) => f.includes('"email"'))).toBe(true);
    expect(spread.scan).toEqual(whole.scan);
  });
});

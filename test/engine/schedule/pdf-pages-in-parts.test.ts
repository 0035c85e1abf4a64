import { statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../../src/core/types.js';
import { pdfShares } from '../../../src/engine/schedule/pdf-pages-in-parts.js';
import { PROJECT, tempTree } from '../../helpers/cli.js';

const scanRun = { concurrency: 2, index: undefined, inProcess: false };

function shares(path: string, run = scanRun): number {
  const size = statSync(path).size;
  const input = {
    ref: { path, itemPath: [] },
    name: basename(path),
    source: { kind: 'file', absPath: path, size },
    depth: 0,
  } as ItemInput;
  return pdfShares(run, input, size);
}

describe('pdfShares', () => {
  const fourScanned = join(PROJECT, 'fixtures/ocr/scannet-4-sider.pdf');

  it('spreads a PDF of several page images over the pool, as many shares as threads at most', () => {
    expect(shares(fourScanned)).toBe(2);
    expect(shares(fourScanned, { ...scanRun, concurrency: 3 })).toBe(3);
    expect(shares(join(PROJECT, 'fixtures/ocr/scannet-2-sider.pdf'), { ...scanRun, concurrency: 8 })).toBe(2);
  });

  it('not with one thread, in an index, in process, nor for a PDF of text', () => {
    expect(shares(fourScanned, { ...scanRun, concurrency: 1 })).toBe(0);
    expect(shares(fourScanned, { ...scanRun, index: { collector: 'file:///x.js', key: 'k' } } as never)).toBe(
      0,
    );
    expect(shares(fourScanned, { ...scanRun, inProcess: true })).toBe(0);
    expect(shares(join(PROJECT, 'fixtures/documents/cv.pdf'))).toBe(0);
  });

  it('counts image XObjects only: a page’s ProcSet names (/ImageB, /ImageC) are not images', () => {
    const dir = tempTree();
    const procSet = join(dir, 'procset.pdf');
    writeFileSync(
      procSet,
      '%PDF-1.4\n1 0 obj << /ProcSet [/PDF /Text /ImageB /ImageC /ImageI] >> endobj\n'.repeat(3),
    );
    expect(shares(procSet)).toBe(0);
    const images = join(dir, 'images.pdf');
    writeFileSync(
      images,
      '%PDF-1.4\n1 0 obj << /Type /XObject /Subtype\n/Image /Width 9 >> stream\nendstream\n'.repeat(2),
    );
    expect(shares(images)).toBe(2);
  });
});

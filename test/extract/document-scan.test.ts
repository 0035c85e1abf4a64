import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentScanSignal, type ImageFacts, signalOf } from '../../src/extract/media/document-scan.js';
import { PROJECT } from '../helpers/cli.js';

/** The image rule (docs/formats.md "Scanned documents"): which images are scans of documents, from headers alone. */
const A4_300 = { width: 2480, height: 3508, dpi: [300, 300] as [number, number] };

const cases: [string, ImageFacts, string | undefined][] = [
  [
    'a colour camera photo',
    { width: 6000, height: 4000, channels: 3, bits: 8, dpi: [72, 72], software: 'Canon EOS R5' },
    undefined,
  ],
  [
    'a black-and-white camera photo (not a sheet of paper)',
    { width: 6000, height: 4000, channels: 1, bits: 8, dpi: [180, 180] },
    undefined,
  ],
  [
    'a colour phone photo of a page at 72 dpi',
    { width: 3024, height: 4032, channels: 3, bits: 8, dpi: [72, 72] },
    undefined,
  ],
  ['a colour A4 image at 300 dpi, no scanner named', { ...A4_300, channels: 3, bits: 8 }, undefined],
  [
    'a colour film scan (35 mm at 4,000 dpi)',
    {
      width: 5669,
      height: 3780,
      channels: 3,
      bits: 8,
      dpi: [4000, 4000],
      software: 'Nikon SUPER COOLSCAN 5000 ED',
    },
    undefined,
  ],
  ['a bilevel icon', { width: 32, height: 32, channels: 1, bits: 1 }, undefined],
  ['a fax TIFF', { width: 1728, height: 2200, fax: true }, 'TIFF with fax compression'],
  ['a bilevel page', { ...A4_300, channels: 1, bits: 1 }, 'black-and-white bilevel image'],
  ['a TIFF of three pages', { ...A4_300, channels: 3, bits: 8, pages: 3 }, 'TIFF of 3 pages'],
  [
    'a grayscale A4 page at 300 dpi',
    { ...A4_300, channels: 1, bits: 8 },
    'grayscale page-sized image at 300 dpi',
  ],
  [
    'a grayscale US letter page at 200 dpi, landscape',
    { width: 2200, height: 1700, channels: 1, bits: 8, dpi: [200, 200] },
    'grayscale page-sized image at 200 dpi',
  ],
  [
    'a colour A4 page from a scanner',
    { ...A4_300, channels: 3, bits: 8, software: 'EPSON Scan' },
    'page-sized image at 300 dpi',
  ],
  [
    'a colour page from a scanning app',
    { width: 1200, height: 1600, channels: 3, bits: 8, dpi: [72, 72], software: 'CamScanner' },
    'made by scanning software: CamScanner',
  ],
];

describe('documentScanSignal: a scanned document or a photo', () => {
  for (const [what, facts, signal] of cases)
    it(`${what}: ${signal ?? 'not a scan'}`, () => {
      expect(signalOf(facts)).toBe(signal);
    });

  it('no photo or video among the media fixtures is taken for a scan', () => {
    const dir = join(PROJECT, 'fixtures/media');
    const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const data = readFileSync(join(dir, f));
      expect([f, documentScanSignal(data.length, (o, l) => data.subarray(o, o + l))]).toEqual([f, undefined]);
    }
  });

  it('reads the signals from real files: a fax TIFF and a grayscale PNG with pHYs', () => {
    const signal = (f: string) => {
      const data = readFileSync(join(PROJECT, 'fixtures/unread', f));
      return documentScanSignal(data.length, (o, l) => data.subarray(o, o + l));
    };
    expect(signal('fax-letter.tif')).toBe('TIFF with fax compression');
    expect(signal('gray-letter.png')).toBe('grayscale page-sized image at 150 dpi');
    expect(signal('photo.jpg')).toBeUndefined();
  });
});

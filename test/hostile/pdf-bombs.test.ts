import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';
import {
  filler,
  lzwTextThenRun,
  pdfWithContent,
  pdfWithEncodedContent,
  showText,
} from '../helpers/hostile-files.js';

const MiB = 1024 * 1024;

function pdfFile(pdf: Buffer): string {
  const path = join(tempTree(), 'report.pdf');
  writeFileSync(path, pdf);
  return path;
}

describe('PDF decompression bombs', () => {
  it('a content stream inflating past --max-ratio is a `limit` error naming the flag, not gigabytes in pdf.js', async () => {
    // 64 MiB of spaces after the text: ~65 KB compressed, past 100:1 long before its end.
    const pdf = pdfWithContent(Buffer.concat([showText('CPR 150387-1236'), filler(64 * MiB)]));
    expect(pdf.length).toBeLessThan(1024 * 1024);
    const r = await scanFile(pdfFile(pdf));
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/--max-ratio/);
    // A larger stream (past 64 KiB compressed: inflated piece by piece, not in one call) likewise.
    const noise = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251));
    const larger = pdfWithContent(Buffer.concat([showText('CPR 150387-1236'), noise, filler(64 * MiB)]));
    const r2 = await scanFile(pdfFile(larger));
    expect(errorLines(r2)).toEqual([' | limit']);
    expect(r2.errors[0].message).toMatch(/--max-ratio/);
  });

  it('streams each under the ratio but past --max-inflated-bytes together are a `limit` error naming that flag', async () => {
    // Eight streams of 512 KiB of varied digits: well under 100:1 each, 4 MiB together.
    const varied = (seed: number) =>
      Buffer.from(
        Array.from({ length: MiB / 16 }, (_, i) =>
          String((i * 7919 + seed) % 99_999_999).padStart(8, '0'),
        ).join(''),
      );
    const pdf = pdfWithContent([
      showText('Ring 21 43 65 87'),
      ...Array.from({ length: 8 }, (_, i) => varied(i)),
    ]);
    const r = await scanFile(pdfFile(pdf), { limits: { maxInflatedBytes: 2 * MiB } });
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/--max-inflated-bytes/);
    // Within the budget the same file is read.
    const ok = await scanFile(pdfFile(pdf));
    expect(errorLines(ok)).toEqual([]);
    expect(findingLines(ok)).toContain('page 1 | phone | +4521436587 | page 1');
  });

  it('an ordinary compressed page under both limits is read as before', async () => {
    // 600 KB of spaces compress far past 100:1 but stay under the 1 MiB every member may inflate to.
    const pdf = pdfWithContent(Buffer.concat([showText('CPR 150387-1236'), filler(600 * 1024)]));
    const r = await scanFile(pdfFile(pdf));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toContain('page 1 | cpr | 150387-1236 | page 1');
  });
});

describe('PDF bombs under other filters', () => {
  it('LZW: a page read as before, and a bomb a `limit` error (--max-ratio)', async () => {
    const page = lzwTextThenRun(showText('CPR 150387-1236'), 0x20, 10_000);
    const ok = await scanFile(pdfFile(pdfWithEncodedContent(page, '/LZWDecode')));
    expect(errorLines(ok)).toEqual([]);
    expect(findingLines(ok)).toContain('page 1 | cpr | 150387-1236 | page 1');
    const bomb = lzwTextThenRun(showText('CPR 150387-1236'), 0x20, 256 * MiB);
    expect(bomb.length).toBeLessThan(MiB);
    const r = await scanFile(pdfFile(pdfWithEncodedContent(bomb, '/LZWDecode')));
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/LZW.*--max-ratio/);
  });

  it('Flate under ASCII85 or ASCIIHex: a `limit` error (--max-ratio)', async () => {
    const z = deflateSync(Buffer.concat([showText('CPR 150387-1236'), filler(64 * MiB)]), { level: 9 });
    const a85 = `${ascii85(z)}~>`;
    for (const [data, filter] of [
      [Buffer.from(a85, 'latin1'), '[/ASCII85Decode /FlateDecode]'],
      [Buffer.from(`${z.toString('hex')}>`, 'latin1'), '[/AHx /Fl]'],
    ] as const) {
      const r = await scanFile(pdfFile(pdfWithEncodedContent(data, filter)));
      expect(errorLines(r), filter).toEqual([' | limit']);
      expect(r.errors[0].message).toMatch(/--max-ratio/);
    }
  });
});

function ascii85(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    const chunk = Buffer.alloc(4);
    data.copy(chunk, 0, i, i + 4);
    let n = chunk.readUInt32BE(0);
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode(33 + (n % 85)));
      n = Math.floor(n / 85);
    }
    out += digits.slice(0, Math.min(4, data.length - i) + 1).join('');
  }
  return out;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorKind, ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';

/**
 * ExifTool's 194 test files in ~100 formats (fixtures/realdata/exiftool-test-images, source and licence
 * in fixtures/realdata/README.md): the built CLI must get through all of them. The subject is ExifTool's
 * author, whose name is in many of the files' author and rights fields, so the media path (native probe
 * + exiftool) is exercised for real.
 */
const REALDATA = join(PROJECT, 'fixtures/realdata/exiftool-test-images');
const KINDS: ErrorKind[] = ['corrupt', 'limit', 'permission', 'timeout', 'encrypted', 'unsupported'];
let scan: ScanFile;
let code: number;

beforeAll(() => {
  const dir = tempTree();
  const out = join(dir, 'scan.json');
  const r = runCli(['scan', REALDATA, '--name', 'Phil Harvey', '--out', out]);
  code = r.code;
  expect(r.stderr).toBe('');
  scan = JSON.parse(readFileSync(out, 'utf8'));
}, 120_000);

const base = (p: string) => p.slice(REALDATA.length + 1);

describe('dsr scan on real-world files (ExifTool test images)', () => {
  it('finishes, exit 0 or 3 (done, some items partly read)', () => {
    expect([0, 3]).toContain(code);
    expect(scan.interrupted).toBeFalsy();
  });

  it('lists every one of the 194 files in scanned', () => {
    const files = readdirSync(REALDATA).sort();
    expect(files).toHaveLength(194);
    expect(scan.stats.files).toBe(194);
    expect(scan.scanned?.map(base).sort()).toEqual(files);
  });

  it('reports problems only as error entries with a kind', () => {
    for (const e of scan.errors) {
      expect(KINDS).toContain(e.kind);
      expect(e.message).not.toMatch(/internal error/);
    }
    expect(scan.stats.errors).toBe(scan.errors.length);
    // exiftool reads every photo and video among them without a problem worth an error entry.
    const media = /\.(jpe?g|png|tiff?|webp|heic|gif|psd|mov|mp4|m4a|avi|xmp|dng|cr2|nef)$/i;
    expect(scan.errors.filter((e) => media.test(e.path))).toEqual([]);
  });

  it("finds the author's name in the author and rights fields of the photos and videos", () => {
    const media = scan.items.filter((i) => i.format === 'media').map((i) => base(i.path));
    expect(media.sort()).toEqual(
      [
        'DjVu.djvu',
        'ExifTool.jpg',
        'FLIF.flif',
        'GIMP.xcf',
        'IPTC.jpg',
        'MIFF.miff',
        'PLUS.xmp',
        'PNG.png',
        'PSP.psp',
        'Photoshop.psd',
        'QuickTime.m4a',
        'QuickTime.mov',
        'RIFF.avi',
        'XMP.jpg',
        'XMP.xmp',
      ].sort(),
    );
    const fields = (file: string) =>
      scan.findings
        .filter((f) => base(f.path) === file)
        .map((f) => `${f.detector} ${f.location.field}`)
        .sort();
    expect(fields('ExifTool.jpg')).toEqual([
      'name IFD0 Artist',
      'name IFD0 Copyright',
      'name IPTC By-line',
      'name IPTC CopyrightNotice',
      'name XMP-dc Creator',
      'name XMP-dc Rights',
    ]);
    expect(fields('QuickTime.mov')).toEqual(['name XMP-dc Creator']);
    expect(fields('QuickTime.m4a')).toEqual(['name ItemList Artist']);
  });

  it('reads the MWG face regions of XMP5.xmp without a finding (nobody there is the subject)', () => {
    expect(scan.findings.filter((f) => base(f.path) === 'XMP5.xmp')).toEqual([]);
    expect(scan.scanned?.map(base)).toContain('XMP5.xmp');
  });
});

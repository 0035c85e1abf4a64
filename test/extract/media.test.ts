import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding, ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/** End to end: `dsr scan fixtures/media` with the built CLI and real exiftool. */
const MEDIA = join(PROJECT, 'fixtures/media');
let scan: ScanFile;

beforeAll(() => {
  const dir = tempTree();
  const out = join(dir, 'scan.json');
  const r = runCli(['scan', MEDIA, '--subject', writeSubject(dir), '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  scan = JSON.parse(readFileSync(out, 'utf8'));
}, 120_000);

const rel = (p: string) => p.slice(MEDIA.length + 1);
const findingsOf = (file: string): Finding[] => scan.findings.filter((f) => rel(f.path) === file);
const where = (f: Finding) => ({
  detector: f.detector,
  field: f.location.field,
  value: f.value,
  ...(f.location.region ? { region: f.location.region } : {}),
  ...(f.location.sidecarOf ? { sidecarOf: rel(f.location.sidecarOf) } : {}),
});

/** The subject is the second of three MWG faces: centre (0.5, 0.4), 0.2 x 0.3. */
const SECOND_OF_THREE = { x: 0.4, y: 0.25, w: 0.2, h: 0.3 };

const EXPECTED: Record<string, ReturnType<typeof where>[]> = {
  'mwg-regions.jpg': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'mp-regions.jpg': [
    {
      detector: 'face',
      field: 'XMP-MP Regions[2]',
      value: 'Søren K. Østergård',
      region: { x: 0.25, y: 0.5, w: 0.125, h: 0.25 },
    },
  ],
  'iptc-person.jpg': [
    { detector: 'face', field: 'XMP-iptcExt PersonInImage[2]', value: 'Soeren Oestergaard' },
    { detector: 'face', field: 'XMP-iptcExt PersonInImageWDetails[2] PersonName', value: 'Søren Østergård' },
  ],
  'lightroom.jpg': [{ detector: 'face', field: 'XMP-lr HierarchicalSubject[3]', value: 'Søren Østergård' }],
  'digikam.jpg': [{ detector: 'face', field: 'XMP-digiKam TagsList[2]', value: 'Søren Østergård' }],
  'keywords.jpg': [
    { detector: 'face', field: 'IPTC Keywords[2]', value: 'Søren Østergård' },
    { detector: 'face', field: 'XMP-dc Subject[2]', value: 'Søren Østergård' },
  ],
  'author.jpg': [
    { detector: 'name', field: 'ExifIFD OwnerName', value: 'Søren Østergård' },
    { detector: 'name', field: 'IFD0 Artist', value: 'Søren Østergård' },
    { detector: 'name', field: 'IFD0 Copyright', value: 'Søren Østergård' },
    { detector: 'name', field: 'IFD0 XPAuthor', value: 'Søren Kjærgaard Østergård' },
    { detector: 'name', field: 'XMP-dc Creator', value: 'Søren Østergård' },
  ],
  'region.png': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'region.tif': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'region.webp': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'region.heic': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'region.mov': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'region.mp4': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
    },
  ],
  'namesake-cpr.jpg': [
    { detector: 'name', field: 'XMP-dc Description', value: 'Søren Østergård' },
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[1]',
      value: 'Søren Østergård',
      region: { x: 0.4, y: 0.4, w: 0.2, h: 0.2 },
    },
  ],
  'namesake-email.jpg': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[1]',
      value: 'Søren Østergård',
      region: { x: 0.4, y: 0.4, w: 0.2, h: 0.2 },
    },
  ],
  'sidecar/IMG_1001.xmp': [
    {
      detector: 'face',
      field: 'XMP-mwg-rs RegionList[2]',
      value: 'Søren Østergård',
      region: SECOND_OF_THREE,
      sidecarOf: 'sidecar/IMG_1001.jpg',
    },
  ],
  'sidecar/IMG_1002.jpg.xmp': [
    {
      detector: 'face',
      field: 'XMP-iptcExt PersonInImage[2]',
      value: 'Søren Østergård',
      sidecarOf: 'sidecar/IMG_1002.jpg',
    },
    {
      detector: 'face',
      field: 'XMP-lr HierarchicalSubject[1]',
      value: 'Søren Østergård',
      sidecarOf: 'sidecar/IMG_1002.jpg',
    },
  ],
  'picasa/.picasa.ini': [
    {
      detector: 'face',
      field: 'Picasa [IMG_2001.jpg] faces[2]',
      value: 'Søren Østergård',
      // rect64(8000400099996666): left 0x8000, top 0x4000, right 0x9999, bottom 0x6666 of 65535.
      region: { x: 0.500008, y: 0.250004, w: 0.099992, h: 0.149996 },
      sidecarOf: 'picasa/IMG_2001.jpg',
    },
    {
      detector: 'face',
      field: 'Picasa [IMG_2002.jpg] faces[1]',
      value: 'Søren Kjærgaard Østergård',
      region: { x: 0, y: 0, w: 0.500008, h: 0.500008 },
      sidecarOf: 'picasa/IMG_2002.jpg',
    },
  ],
  // Picasa's contact list names the subject: a name finding in the contacts file itself.
  'picasa/contacts.xml': [{ detector: 'name', field: 'body', value: 'Søren Kjærgaard Østergård' }],
  'takeout/IMG_3001.jpg.json': [
    {
      detector: 'face',
      field: 'Takeout people[2]',
      value: 'Søren Østergård',
      sidecarOf: 'takeout/IMG_3001.jpg',
    },
  ],
  'takeout/PXL_20231114_192640123.PORTRAIT-01.COVER.jpg.supplemental-met.json': [
    {
      detector: 'face',
      field: 'Takeout people[1]',
      value: 'Søren K. Østergård',
      sidecarOf: 'takeout/PXL_20231114_192640123.PORTRAIT-01.COVER.jpg',
    },
  ],
};

const byField = (a: { field?: string }, b: { field?: string }) =>
  (a.field ?? '').localeCompare(b.field ?? '');

describe('dsr scan fixtures/media', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.map((e) => `${e.detector} ${e.field}`).join(', ')}`, () => {
      expect(findingsOf(file).map(where).sort(byField)).toEqual([...expected].sort(byField));
    });
  }

  it('finds nothing else: not Karen Østergård, not a surname keyword, not untagged photos or base images', () => {
    const files = [...new Set(scan.findings.map((f) => rel(f.path)))].sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it('gives face and name tags "possible", and a namesake photo "namesake"', () => {
    const evidence = Object.fromEntries(scan.items.map((i) => [rel(i.path), i.evidence]));
    expect(evidence['mwg-regions.jpg']).toBe('possible');
    expect(evidence['author.jpg']).toBe('possible');
    expect(evidence['namesake-cpr.jpg']).toBe('namesake');
    expect(evidence['namesake-email.jpg']).toBe('namesake');
  });

  it('records the reading extractor for erasure', () => {
    const format = Object.fromEntries(scan.items.map((i) => [rel(i.path), i.format]));
    expect(format['region.mp4']).toBe('media');
    expect(format['sidecar/IMG_1001.xmp']).toBe('media');
    expect(format['picasa/.picasa.ini']).toBe('picasa');
    expect(format['takeout/IMG_3001.jpg.json']).toBe('takeout');
  });

  it('scans every file without errors', () => {
    expect(scan.errors).toEqual([]);
    expect(scan.stats.files).toBe(scan.scanned?.length);
    expect(scan.scanned?.map(rel)).toContain('negative/untagged.jpg');
  });
});

import { copyFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { approvePlan, buildPlan } from '../../src/erase/plan.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { fileSha, readJson, writeScan } from '../helpers/erase.js';

const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(() => exiftool.end());

const PHOTOS = [
  'mwg-regions.jpg',
  'mp-regions.jpg',
  'iptc-person.jpg',
  'keywords.jpg',
  'lightroom.jpg',
  'digikam.jpg',
  'author.jpg',
];

describe('remove-face-tags (real exiftool)', () => {
  it("removes the subject's regions, person entries and People keywords and keeps everyone else's", async () => {
    const dir = tempTree();
    for (const p of PHOTOS) copyFileSync(join(PROJECT, 'fixtures/media', p), join(dir, p));
    const items = PHOTOS.map((p) => ({
      path: join(dir, p),
      format: 'media',
      evidence: 'possible' as const,
      detectors: p === 'author.jpg' ? (['name'] as const) : (['face'] as const),
      fingerprint: { size: statSync(join(dir, p)).size, sha256: fileSha(join(dir, p)) },
    }));
    const scan = readJson<ScanFile>(
      writeScan(
        dir,
        [dir],
        items.map((i) => ({ ...i, detectors: [...i.detectors] })),
      ),
    );
    const plan = approvePlan(buildPlan(scan, undefined, { includePossible: true }), 'Test DPO');
    expect(plan.actions.map((a) => a.kind)).toEqual(['manual', ...Array(6).fill('remove-face-tags')]);
    const authorSha = fileSha(join(dir, 'author.jpg'));
    const res = await applyPlan(plan, {
      execute: true,
      journalPath: join(dir, 'j'),
      auditLogPath: join(dir, 'a'),
    });
    expect(res.reports.map((r) => r.outcome.result)).toEqual(['manual', ...Array(6).fill('done')]);
    expect(fileSha(join(dir, 'author.jpg'))).toBe(authorSha);

    const read = async (f: string) =>
      Object.fromEntries(
        Object.entries(await exiftool.readRaw(join(dir, f), { readArgs: ['-G1', '-struct'] })).filter(([k]) =>
          /RegionInfo|PersonInImage|^IPTC:Keywords|XMP-dc:Subject|HierarchicalSubject|TagsList/.test(k),
        ),
      );
    expect((await read('mwg-regions.jpg'))['XMP-mwg-rs:RegionInfo']).toEqual({
      AppliedToDimensions: { H: 480, Unit: 'pixel', W: 640 },
      RegionList: [
        {
          Area: { H: 0.2, Unit: 'normalized', W: 0.1, X: 0.2, Y: 0.3 },
          Name: 'Karen Østergård',
          Type: 'Face',
        },
        {
          Area: { H: 0.1, Unit: 'normalized', W: 0.1, X: 0.8, Y: 0.5 },
          Name: 'Jens Mikkelsen',
          Type: 'Face',
        },
      ],
    });
    expect(await read('mp-regions.jpg')).toEqual({
      'XMP-MP:RegionInfoMP': {
        Regions: [{ PersonDisplayName: 'Jens Mikkelsen', Rectangle: '0.05, 0.05, 0.1, 0.1' }],
      },
    });
    expect(await read('iptc-person.jpg')).toEqual({
      'XMP-iptcExt:PersonInImage': ['Karen Østergård'],
      'XMP-iptcExt:PersonInImageWDetails': [{ PersonName: 'Jens Mikkelsen' }],
    });
    expect(await read('keywords.jpg')).toEqual({ 'IPTC:Keywords': 'sommer', 'XMP-dc:Subject': ['strand'] });
    expect(await read('lightroom.jpg')).toEqual({
      'XMP-lr:HierarchicalSubject': ['Places|Aarhus', 'People|Karen Østergård'],
    });
    expect(await read('digikam.jpg')).toEqual({ 'XMP-digiKam:TagsList': ['People/Jens Mikkelsen'] });
    expect(readdirSync(dir).filter((f) => /dsr-|_original|exiftool_tmp/.test(f))).toEqual([]);
  }, 60_000);

  it('--blur-faces pixelates only the subject’s face rectangle and keeps every other pixel', async () => {
    const dir = tempTree();
    const file = join(dir, 'group.png');
    const W = 200;
    const H = 100;
    const noise = Buffer.alloc(W * H * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + ((i * i) % 251)) % 256;
    await sharp(noise, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toFile(file);
    const area = (X: number, Y: number) => ({ X, Y, W: 0.2, H: 0.4, Unit: 'normalized' });
    await exiftool.write(
      file,
      {
        RegionInfo: {
          AppliedToDimensions: { W, H, Unit: 'pixel' },
          RegionList: [
            { Name: 'Søren Østergård', Type: 'Face', Area: area(0.25, 0.5) },
            { Name: 'Jens Mikkelsen', Type: 'Face', Area: area(0.75, 0.5) },
          ],
        },
      } as never,
      { writeArgs: ['-overwrite_original'] },
    );
    const pixels = async () => (await sharp(file).removeAlpha().raw().toBuffer()) as Buffer;
    const before = await pixels();
    const scan = readJson<ScanFile>(
      writeScan(
        dir,
        [dir],
        [
          {
            path: file,
            format: 'media',
            detectors: ['face'],
            evidence: 'possible',
            fingerprint: { size: statSync(file).size, sha256: fileSha(file) },
          },
        ],
      ),
    );
    const plan = approvePlan(
      buildPlan(scan, undefined, { includePossible: true, blurFaces: true }),
      'Test DPO',
    );
    const res = await applyPlan(plan, {
      execute: true,
      journalPath: join(dir, 'j'),
      auditLogPath: join(dir, 'a'),
    });
    expect(res.reports.map((r) => [r.outcome.result, r.outcome.reason])).toEqual([
      ['done', 'removed 1 face region(s)/person tag(s); 1 face rectangle(s) pixelated'],
    ]);
    const after = await pixels();
    // Subject's box: x 30..70, y 30..70 (centre 0.25/0.5, size 0.2/0.4); Jens's box: x 130..170.
    const colours = (buf: Buffer, x0: number, x1: number) => {
      const set = new Set<string>();
      for (let y = 30; y < 70; y++)
        for (let x = x0; x < x1; x++)
          set.add(buf.subarray((y * W + x) * 3, (y * W + x) * 3 + 3).toString('hex'));
      return set.size;
    };
    expect(colours(before, 30, 70)).toBeGreaterThan(1000);
    expect(colours(after, 30, 70)).toBeLessThanOrEqual(64);
    const outside = (buf: Buffer) => Buffer.concat([buf.subarray(0, 30 * W * 3), buf.subarray(70 * W * 3)]);
    expect(outside(after).equals(outside(before))).toBe(true);
    for (let y = 30; y < 70; y++) {
      const row = (buf: Buffer) => buf.subarray((y * W + 100) * 3, (y * W + W) * 3);
      expect(row(after).equals(row(before))).toBe(true);
    }
    const tags = await exiftool.readRaw(file, { readArgs: ['-G1', '-struct'] });
    expect(
      (tags as Record<string, { RegionList: { Name: string }[] }>)['XMP-mwg-rs:RegionInfo'].RegionList.map(
        (r) => r.Name,
      ),
    ).toEqual(['Jens Mikkelsen']);
  }, 60_000);
});

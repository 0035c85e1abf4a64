import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facesOf, parseIni, rect64 } from '../../src/extract/media/picasa.js';
import { exifHasFields, probeMetadata, xmpHasFields } from '../../src/extract/media/probe.js';
import { EXIFTOOL_ARGS, entriesFromTags, mpRectangle, mwgArea } from '../../src/extract/media/tags.js';
import { imageOfJsonName, parseTakeout } from '../../src/extract/media/takeout.js';
import { readXmpTags } from '../../src/extract/media/xmp.js';
import { PROJECT } from '../helpers/cli.js';

const MEDIA = join(PROJECT, 'fixtures/media');

async function probeFile(rel: string) {
  const data = readFileSync(join(MEDIA, rel));
  return probeMetadata(data.subarray(0, 64), data.length, async (o, l) => data.subarray(o, o + l));
}

/** A TIFF (EXIF) block: little-endian, IFD0 at 8 with the given 12-byte entries and next-IFD offset. */
function tiff(
  entries: [tag: number, type: number, count: number, value: number][],
  next = 0,
  tail = Buffer.alloc(0),
) {
  const b = Buffer.alloc(8 + 2 + entries.length * 12 + 4);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const e = 10 + i * 12;
    b.writeUInt16LE(tag, e);
    b.writeUInt16LE(type, e + 2);
    b.writeUInt32LE(count, e + 4);
    b.writeUInt32LE(value, e + 8);
  });
  b.writeUInt32LE(next, 10 + entries.length * 12);
  return Buffer.concat([b, tail]);
}

describe('region geometry', () => {
  it('converts an MWG centre-based normalised Area to a top-left rectangle', () => {
    expect(mwgArea({ X: 0.5, Y: 0.4, W: 0.2, H: 0.3, Unit: 'normalized' }, {})).toEqual({
      x: 0.4,
      y: 0.25,
      w: 0.2,
      h: 0.3,
    });
  });

  it('converts an MWG pixel Area through AppliedToDimensions', () => {
    expect(mwgArea({ X: 320, Y: 240, W: 64, H: 48, Unit: 'pixel' }, { W: 640, H: 480 })).toEqual({
      x: 0.45,
      y: 0.45,
      w: 0.1,
      h: 0.1,
    });
    expect(mwgArea({ X: 320, Y: 240, W: 64, H: 48, Unit: 'pixel' }, {})).toBeUndefined();
  });

  it('clamps a region that reaches past the image', () => {
    expect(mwgArea({ X: 0.95, Y: 0.05, W: 0.2, H: 0.2 }, {})).toEqual({ x: 0.85, y: 0, w: 0.15, h: 0.15 });
  });

  it('reads a Microsoft Photo Rectangle (left, top, width, height)', () => {
    expect(mpRectangle('0.25, 0.5, 0.125, 0.25')).toEqual({ x: 0.25, y: 0.5, w: 0.125, h: 0.25 });
    expect(mpRectangle('0.25, 0.5')).toBeUndefined();
    expect(mpRectangle('a, b, c, d')).toBeUndefined();
  });

  it('reads Picasa rect64 (left, top, right, bottom in 1/65535)', () => {
    expect(rect64('0000000080008000')).toEqual({ x: 0, y: 0, w: 0.500008, h: 0.500008 });
    expect(rect64('ffff0000ffffffff')).toBeUndefined();
    // Picasa drops leading zeros.
    expect(rect64('80008000')).toEqual({ x: 0, y: 0, w: 0.500008, h: 0.500008 });
  });
});

describe('exiftool tags to texts', () => {
  it('keeps only Face regions with a name, one entry per person, with provenance', () => {
    const entries = entriesFromTags({
      'XMP-mwg-rs:RegionInfo': {
        RegionList: [
          { Name: 'Rex', Type: 'Pet', Area: { X: 0.5, Y: 0.5, W: 0.1, H: 0.1 } },
          { Type: 'Face', Area: { X: 0.5, Y: 0.5, W: 0.1, H: 0.1 } },
          { Name: 'Søren Østergård', Type: 'Face' },
          'garbage',
        ],
      },
    });
    expect(entries).toEqual([{ field: 'XMP-mwg-rs RegionList[3]', text: 'Søren Østergård', faceTag: true }]);
  });

  it('survives values of the wrong shape', () => {
    expect(
      entriesFromTags({
        'XMP-mwg-rs:RegionInfo': 'x',
        'XMP-MP:RegionInfoMP': { Regions: 7 },
        'XMP-iptcExt:PersonInImageWDetails': [null, 3],
        'XMP-dc:Subject': { nested: { deeper: 5 } },
      }),
    ).toEqual([{ field: 'XMP-dc Subject[1]', text: '5', faceTag: true }]);
  });

  it('splits keyword paths and XPKeywords, and keeps author fields as ordinary text', () => {
    const entries = entriesFromTags({
      'XMP-lr:HierarchicalSubject': 'People|Family|Søren Østergård',
      'IFD0:XPKeywords': 'strand; Søren Østergård',
      'IFD0:Artist': 'Søren Østergård',
      'Canon:OwnerName': 'not read: maker notes',
    });
    expect(entries).toEqual([
      { field: 'XMP-lr HierarchicalSubject[1]', text: 'Søren Østergård', faceTag: true },
      { field: 'IFD0 XPKeywords[1]', text: 'strand', faceTag: true },
      { field: 'IFD0 XPKeywords[2]', text: 'Søren Østergård', faceTag: true },
      { field: 'IFD0 Artist', text: 'Søren Østergård', faceTag: false },
    ]);
  });
});

describe('Picasa and Takeout sidecars', () => {
  it('parses .picasa.ini sections and faces', () => {
    const ini = parseIni(
      '\ufeff[Contacts2]\r\nabc=Søren Østergård;;\r\n[a.jpg]\r\nfaces=rect64(0),abc;rect64(zz),1\r\n',
    );
    expect(ini.get('Contacts2')).toEqual([['abc', 'Søren Østergård;;']]);
    expect(facesOf(ini.get('a.jpg')![0][1])).toEqual([{ contact: 'abc', region: undefined }]);
  });

  it('names the image of a Takeout sidecar, also when Takeout truncated its name', () => {
    expect(imageOfJsonName('/p/IMG_1.jpg.json')).toBe('/p/IMG_1.jpg');
    expect(imageOfJsonName('/p/IMG_1.jpg.supplemental-metadata.json')).toBe('/p/IMG_1.jpg');
    expect(imageOfJsonName('/p/IMG_1.jpg.supplemental-met.json')).toBe('/p/IMG_1.jpg');
    expect(imageOfJsonName('/p/IMG_1.jpg.su.json')).toBe('/p/IMG_1.jpg');
    expect(imageOfJsonName('/p/IMG_1.jpg.s.json')).toBe('/p/IMG_1.jpg');
  });

  it('recognises a Takeout sidecar and refuses other JSON', () => {
    expect(
      parseTakeout('{"title":"a.jpg","photoTakenTime":{},"people":[{"name":"Søren Østergård"},{"x":1}]}'),
    ).toEqual({ title: 'a.jpg', description: undefined, people: ['Søren Østergård'] });
    expect(parseTakeout('{"name":"Søren Østergård"}')).toBeUndefined();
    expect(parseTakeout('[1,2]')).toBeUndefined();
    expect(parseTakeout('{"people":')).toBeUndefined();
    expect(parseTakeout('{"title":"../../etc/passwd","people":[]}')?.title).toBeUndefined();
  });
});

describe('native metadata probe (which files need exiftool)', () => {
  it('skips untagged photos and camera-only EXIF', async () => {
    for (const f of ['negative/untagged.jpg', 'negative/camera.jpg', 'base/PNG.png', 'base/RIFF.webp']) {
      expect((await probeFile(f)).read, f).toBe(false);
    }
  });

  it('reads photos with person, keyword or author fields', async () => {
    for (const f of [
      'mwg-regions.jpg',
      'mp-regions.jpg',
      'keywords.jpg',
      'author.jpg',
      'region.png',
      'region.webp',
    ]) {
      expect((await probeFile(f)).read, f).toBe(true);
    }
  });

  it('hands other containers to exiftool', async () => {
    expect(await probeFile('region.heic')).toEqual({
      read: true,
      reason: 'container read by exiftool',
      container: 'other',
    });
  });

  it('survives looping and out-of-range EXIF offsets', () => {
    // IFD0 points to itself as next IFD and as Exif IFD; Artist's value lies past the end.
    expect(
      exifHasFields(
        tiff(
          [
            [0x8769, 4, 1, 8],
            [0x013b, 2, 20, 0xfffffff0],
          ],
          8,
        ),
      ),
    ).toBe(false);
    const artist = Buffer.from('Søren Østergård\0');
    expect(exifHasFields(tiff([[0x013b, 2, artist.length, 22]], 0, artist))).toBe(true);
    expect(exifHasFields(tiff([[0x013b, 2, 4, 0x20202020]]))).toBe(false);
    expect(exifHasFields(Buffer.from('MM\0*'))).toBe(false);
  });
});

describe('native XMP reader', () => {
  const SAMPLES = [
    'mwg-regions.jpg',
    'mp-regions.jpg',
    'iptc-person.jpg',
    'lightroom.jpg',
    'digikam.jpg',
    'namesake-cpr.jpg',
    'namesake-email.jpg',
    'negative/other-face.jpg',
    'negative/surname-keyword.jpg',
    'region.png',
    'region.webp',
    'sidecar/IMG_1001.xmp',
    'sidecar/IMG_1002.jpg.xmp',
  ];
  let et: ExifTool;
  beforeAll(() => {
    et = new ExifTool({ maxProcs: 1, useMWG: false });
  });
  afterAll(() => et.end());

  it('gives exactly what exiftool gives, for every XMP-only fixture', async () => {
    for (const rel of SAMPLES) {
      const file = join(MEDIA, rel);
      const data = readFileSync(file);
      const probe = rel.endsWith('.xmp')
        ? { xmp: [data] }
        : await probeMetadata(data.subarray(0, 64), data.length, async (o, l) => data.subarray(o, o + l));
      expect(probe.xmp, rel).toBeDefined();
      const native = entriesFromTags(readXmpTags(probe.xmp!.map((p) => Buffer.from(p).toString('utf8'))));
      const tags = await et.readRaw(file, { readArgs: [...EXIFTOOL_ARGS], useMWG: false });
      expect(native, rel).toEqual(entriesFromTags(tags as Record<string, unknown>));
      expect(native.length, rel).toBeGreaterThan(0);
    }
  }, 60_000);

  it("gives what exiftool gives on ExifTool's own XMP test files", async () => {
    const dir = join(PROJECT, '../shared/realdata/exiftool-test-images');
    const files = readdirSync(dir).filter((f) => /\.xmp$/i.test(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    let compared = 0;
    for (const f of files) {
      const data = readFileSync(join(dir, f));
      if (!xmpHasFields(data.toString('latin1'))) continue;
      const native = entriesFromTags(readXmpTags([data.toString('utf8')]));
      const tags = await et.readRaw(join(dir, f), { readArgs: [...EXIFTOOL_ARGS], useMWG: false });
      expect(native, f).toEqual(entriesFromTags(tags as Record<string, unknown>));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('reads attribute-form structures, other prefixes and entities', () => {
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmlns:r="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:a="http://ns.adobe.com/xmp/sType/Area#"
        xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:t="http://ns.adobe.com/tiff/1.0/" t:Artist="S&#248;ren &amp; Co">
        <r:Regions><rdf:Description><r:RegionList><rdf:Bag>
          <rdf:li><rdf:Description r:Name="S&#xF8;ren &#216;sterg&#229;rd" r:Type="Face"><r:Area a:x="0.5" a:y="0.5" a:w="0.2" a:h="0.4"/></rdf:Description></rdf:li>
        </rdf:Bag></r:RegionList></rdf:Description></r:Regions>
        <d:rights><rdf:Alt><rdf:li xml:lang="da">dansk</rdf:li><rdf:li xml:lang="x-default">default</rdf:li></rdf:Alt></d:rights>
      </rdf:Description></rdf:RDF></x:xmpmeta>`;
    expect(entriesFromTags(readXmpTags([xmp]))).toEqual([
      {
        field: 'XMP-mwg-rs RegionList[1]',
        text: 'Søren Østergård',
        faceTag: true,
        region: { x: 0.4, y: 0.3, w: 0.2, h: 0.4 },
      },
      { field: 'XMP-tiff Artist', text: 'Søren & Co', faceTag: false },
      { field: 'XMP-dc Rights', text: 'default', faceTag: false },
    ]);
  });

  it('refuses malformed XML (the file then goes to exiftool)', () => {
    expect(() => readXmpTags(['<a><b></a>'])).toThrow();
    expect(() => readXmpTags(['<a x="1></a>'])).toThrow();
    expect(() => readXmpTags(['<a>'.repeat(1000)])).toThrow();
  });
});

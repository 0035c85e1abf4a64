import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';

/** Written by fixtures/gen/office-media.ts. */
const FIXTURES = join(PROJECT, 'fixtures/office-media');
const DOCX = join(FIXTURES, 'pictures.docx');
const XLSX = join(FIXTURES, 'pictures.xlsx');

/** The docx library names a picture by the hash of its bytes: the tagged photo is the larger one. */
function docxPictures(): { tagged: string; other: string; bytes: Record<string, Uint8Array> } {
  const parts = unzipSync(readFileSync(DOCX));
  const [tagged, other] = Object.keys(parts)
    .filter((n) => n.startsWith('word/media/'))
    .sort((a, b) => parts[b].length - parts[a].length);
  return { tagged, other, bytes: parts };
}

const FACE_FIELDS = ['IPTC Keywords[2]', 'XMP-iptcExt PersonInImage[2]', 'XMP-mwg-rs RegionList[2]'];

describe('pictures inside Office documents are read for their metadata, as photos are', () => {
  it('DOCX: the subject tagged in a photo in word/media is a finding of that member (Jens and Karen are not)', async () => {
    const { tagged } = docxPictures();
    const r = await scanFile(DOCX);
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ' | cpr | 150387-1236 | body',
      ...FACE_FIELDS.map((f) => `member ${tagged} | face | Søren Østergård | ${f}`),
    ]);
    const picture = r.items.find((i) => i.itemPath.length === 1);
    expect(picture).toMatchObject({
      itemPath: [`member ${tagged}`],
      format: 'media',
      evidence: 'possible',
    });
    expect(picture?.fingerprint.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('XLSX: a photo in xl/media is read the same way', async () => {
    const r = await scanFile(XLSX);
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual(
      FACE_FIELDS.map((f) => `member xl/media/image1.jpeg | face | Søren Østergård | ${f}`),
    );
  });

  it('ODT: a photo in Pictures/ is read, and so is one in a DOCX inside a zip', async () => {
    const { tagged, other, bytes } = docxPictures();
    const odt = zipSync({
      mimetype: new TextEncoder().encode('application/vnd.oasis.opendocument.text'),
      'content.xml': new TextEncoder().encode(
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>Sommerfest</text:p></office:text></office:body></office:document-content>',
      ),
      'Pictures/100000000000.jpg': bytes[tagged],
      'Pictures/200000000000.jpg': bytes[other],
    });
    const dir = tempTree({
      'tree/fest.odt': odt,
      'tree/bundle.zip': zipSync({ 'docs/pictures.docx': readFileSync(DOCX) }),
    });
    const r = await scanFile(join(dir, 'tree/fest.odt'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual(
      FACE_FIELDS.map((f) => `member Pictures/100000000000.jpg | face | Søren Østergård | ${f}`),
    );
    const nested = await scanFile(join(dir, 'tree/bundle.zip'));
    expect(nested.items.map((i) => i.itemPath).sort()).toEqual([
      ['member docs/pictures.docx'],
      ['member docs/pictures.docx', `member ${tagged}`],
    ]);
  });
});

/** The headers of a grayscale A4 page scanned at 300 dpi (no pixels): a standalone file is read by OCR. */
function pagePng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2480, 0);
  ihdr.writeUInt32BE(3508, 4);
  ihdr[8] = 8; // bits
  ihdr[9] = 0; // grayscale
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(11811, 0); // 300 dpi in pixels per metre
  phys.writeUInt32BE(11811, 4);
  phys[8] = 1;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('pictures inside documents: metadata only', () => {
  it('a page-like picture in a document is not read by OCR (nor reported unread), unlike the same file alone', async () => {
    const parts: Record<string, Uint8Array> = unzipSync(readFileSync(DOCX));
    parts['word/media/scan.png'] = pagePng();
    const dir = tempTree({ 'page.png': pagePng(), 'scan.docx': zipSync(parts) });
    expect(errorLines(await scanFile(join(dir, 'page.png')))).not.toEqual([]);
    expect(errorLines(await scanFile(join(dir, 'scan.docx')))).toEqual([]);
  });

  it('reads only photo formats (by name, then by their first bytes)', async () => {
    const { tagged, bytes } = docxPictures();
    // A picture named as a photo but holding something else, and a drawing format, are left unread.
    const parts: Record<string, Uint8Array> = unzipSync(readFileSync(DOCX));
    parts['word/media/fake.jpeg'] = new TextEncoder().encode('Søren Kjærgaard Østergård');
    parts['word/media/image9.emf'] = bytes[tagged];
    const dir = tempTree({});
    const path = join(dir, 'odd.docx');
    writeFileSync(path, zipSync(parts));
    const r = await scanFile(path);
    expect(errorLines(r)).toEqual([]);
    expect(r.items.map((i) => i.itemPath.join(' › ')).sort()).toEqual(['', `member ${tagged}`]);
  });
});

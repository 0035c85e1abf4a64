import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { propertySetLines } from '../../src/extract/office/legacy/ole-properties.js';
import { readPresentation } from '../../src/extract/office/legacy/ppt.js';
import { readWorkbook, shownNumber } from '../../src/extract/office/legacy/xls.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';

/** Written by fixtures/gen/formats.ts (LibreOffice conversions of generated DOCX/XLSX/PPTX). */
const FORMATS = join(PROJECT, 'fixtures/formats');
const NAME = 'Søren Kjærgaard Østergård';
const ALIAS = 'Søren K. Østergård';
const EMAIL = 'soren.ostergard@example.dk';
const PHONE = '+4521436587';
const CPR = '150387-1236';

/** `field line:column | detector | value` for each finding, sorted. */
const placed = (r: Awaited<ReturnType<typeof scanFile>>) =>
  r.findings
    .map((f) => `${f.location.field} ${f.location.line}:${f.location.column} | ${f.detector} | ${f.value}`)
    .sort();

describe('Word 97-2003 (.doc)', () => {
  it('body, header, footnote, comment, comment author and document properties', async () => {
    const r = await scanFile(join(FORMATS, 'notes.doc'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ` | cpr | ${CPR} | body`,
      ` | email | ${EMAIL} | headers`,
      ` | name | ${ALIAS} | comments`,
      ` | name | ${NAME} | body`,
      ` | name | ${NAME} | properties`,
      ` | phone | ${PHONE} | footnotes`,
    ]);
    expect(r.items[0]).toMatchObject({ itemPath: [], format: 'office', evidence: 'confirmed' });
    expect(r.findings.find((f) => f.detector === 'cpr')!.location).toMatchObject({ line: 3, column: 5 });
    const props = r.findings.find((f) => f.location.field === 'properties')!;
    expect(props.context).toContain(`author: ${NAME}`);
  });

  it('is read by its content when the name says nothing', async () => {
    const dir = tempTree();
    copyFileSync(join(FORMATS, 'notes.doc'), join(dir, 'referat'));
    const r = await scanFile(join(dir, 'referat'));
    expect(r.items[0].format).toBe('office');
    expect(findingLines(r)).toContain(` | cpr | ${CPR} | body`);
  });
});

describe('Excel 97-2003 (.xls)', () => {
  it('every sheet, row by row (line N is row N), numbers as their format shows them, notes, headers', async () => {
    const r = await scanFile(join(FORMATS, 'kunder.xls'));
    expect(errorLines(r)).toEqual([]);
    expect(placed(r)).toEqual([
      'comments 1:23 | phone | +4521436587',
      `headers and footers 1:10 | email | ${EMAIL}`,
      `properties 1:9 | name | ${NAME}`,
      `sheet Arkiv 4:1 | name | Søren Østergård`,
      `sheet Arkiv 4:37 | name | ${ALIAS}`,
      // The CPR number is a number cell shown through the format 000000-0000.
      `sheet Kunder 3:1 | name | ${NAME}`,
      `sheet Kunder 3:27 | cpr | ${CPR}`,
      `sheet Kunder 3:39 | phone | ${PHONE}`,
      `sheet Kunder 3:48 | email | ${EMAIL}`,
    ]);
    // A cell note names its cell.
    expect(r.findings.find((f) => f.location.field === 'comments')!.context).toContain(
      'Arkiv!C4: Nyt nummer',
    );
  });

  it('a CPR number that lost its leading zero in a number cell is found zero-padded (--all)', async () => {
    const r = await scanFile(join(FORMATS, 'kunder.xls'), { all: true });
    const cprs = r.findings.filter((f) => f.detector === 'cpr').map((f) => `${f.value} ${f.location.field}`);
    expect(cprs.sort()).toEqual(['010190-1234 sheet Arkiv', `${CPR} sheet Kunder`]);
  });

  it('numbers: zero formats place digits, dates show as dates, plain numbers as .xlsx reads them', () => {
    expect(shownNumber(1503871236, '000000-0000')).toBe('150387-1236');
    expect(shownNumber(101901234, '000000\\-0000')).toBe('010190-1234');
    expect(shownNumber(21436587, '00" "00" "00" "00')).toBe('21 43 65 87');
    expect(shownNumber(31851, 'dd-mm-yyyy')).toBe('15-03-1987');
    expect(shownNumber(101901234, 'General')).toBe('0101901234');
    expect(shownNumber(1.5, 'General')).toBe('1.5');
    expect(shownNumber(12345678901, '000000-0000')).toBe('12345678901');
  });

  it('reads shared strings split across CONTINUE records, RK/MULRK numbers and formula string results', () => {
    const book = readWorkbook(handBuiltWorkbook());
    expect(book.sheets).toEqual([{ name: 'Ark1', text: `\n\n${NAME}\t21436587\t-3.5\t${EMAIL}\n${EMAIL}` }]);
  });
});

describe('PowerPoint 97-2003 (.ppt)', () => {
  it('slide text and speaker notes, numbered as the slides are shown', async () => {
    const r = await scanFile(join(FORMATS, 'slides.ppt'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([` | name | ${NAME} | slide 2`, ` | phone | ${PHONE} | notes 2`]);
  });
});

describe('objects embedded in legacy Office files', () => {
  it('an Excel 97 object, an XLSX package and a packaged file in a .doc are read as members of it', async () => {
    const doc = CFB.read(readFileSync(join(FORMATS, 'notes.doc')), { type: 'buffer' });
    const xls = CFB.read(readFileSync(join(FORMATS, 'kunder.xls')), { type: 'buffer' });
    CFB.utils.cfb_add(doc, '/ObjectPool/_1001/Workbook', CFB.find(xls, '/Workbook')!.content as Uint8Array);
    CFB.utils.cfb_add(
      doc,
      '/ObjectPool/_1002/Package',
      readFileSync(join(PROJECT, 'fixtures/documents/customers.xlsx')),
    );
    const text = Buffer.from('Kontakt: soren.ostergard@example.dk\n');
    const size = Buffer.alloc(4);
    size.writeUInt32LE(text.length);
    const native = Buffer.concat([
      Buffer.alloc(4),
      Buffer.from([2, 0]),
      Buffer.from('kontakt.txt\0C:\\tmp\\kontakt.txt\0', 'latin1'),
      Buffer.from([0, 0, 3, 0]),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from('tmp\0', 'latin1'),
      size,
      text,
    ]);
    CFB.utils.cfb_add(doc, '/ObjectPool/_1003/\u0001Ole10Native', native);
    const dir = tempTree({
      'with-objects.doc': Buffer.from(CFB.write(doc, { type: 'buffer' }) as Uint8Array),
    });
    const r = await scanFile(join(dir, 'with-objects.doc'));
    expect(errorLines(r)).toEqual([]);
    const lines = findingLines(r);
    expect(lines).toContain(`member ObjectPool/_1001 | cpr | ${CPR} | sheet Kunder`);
    expect(lines).toContain(`member ObjectPool/_1002 | cpr | ${CPR} | sheet Kunder`);
    expect(lines).toContain(`member ObjectPool/_1003 | email | ${EMAIL} | body`);
    expect(lines).toContain(` | cpr | ${CPR} | body`);
  });
});

describe("a real PowerPoint file (fixtures/realdata, from exiftool's test images)", () => {
  it('slide text once, under its slide; master text apart', () => {
    const c = CFB.read(readFileSync(join(PROJECT, 'fixtures/realdata/exiftool-test-images/FlashPix.ppt')), {
      type: 'buffer',
    });
    const show = readPresentation(Buffer.from(CFB.find(c, '/PowerPoint Document')!.content as Uint8Array));
    expect([...show.fields.keys()]).toEqual(['slide 1', 'masters']);
    expect(show.fields.get('slide 1')).toEqual(['Title', 'Subtitle\nSubtitle2\nsubtitle3']);
  });
});

describe('document properties (OLE property sets)', () => {
  it('reads author, last modified by and title from SummaryInformation', () => {
    const c = CFB.read(readFileSync(join(FORMATS, 'notes.doc')), { type: 'buffer' });
    const summary = CFB.find(c, '/\u0005SummaryInformation')!.content as Uint8Array;
    expect(propertySetLines(summary, 'summary')).toEqual(
      expect.arrayContaining([`author: ${NAME}`, 'last modified by: Mette Hansen', 'title: Mødereferat']),
    );
    expect(propertySetLines(summary.subarray(0, 60), 'summary')).toEqual([]);
  });
});

describe('legacy Office files that cannot be read', () => {
  /** The fixture with one stream replaced (or added), written back as an OLE file. */
  const edited = (file: string, stream: string, edit: (data: Buffer) => Buffer) => {
    const c = CFB.read(readFileSync(join(FORMATS, file)), { type: 'buffer' });
    const entry = CFB.find(c, `/${stream}`);
    const before = entry ? Buffer.from(entry.content as Uint8Array) : Buffer.alloc(0);
    if (entry) entry.content = edit(before);
    else CFB.utils.cfb_add(c, `/${stream}`, edit(before));
    return Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array);
  };

  it('password-protected .doc, .xls and .ppt are `encrypted`', async () => {
    const dir = tempTree({
      // FibBase.fEncrypted
      'locked.doc': edited('notes.doc', 'WordDocument', (d) => {
        d.writeUInt16LE(d.readUInt16LE(10) | 0x0100, 10);
        return d;
      }),
      // A FILEPASS record right after the workbook's BOF.
      'locked.xls': edited('kunder.xls', 'Workbook', (d) => {
        const bofEnd = 4 + d.readUInt16LE(2);
        const filepass = Buffer.from([0x2f, 0x00, 0x02, 0x00, 0x00, 0x00]);
        return Buffer.concat([d.subarray(0, bofEnd), filepass, d.subarray(bofEnd)]);
      }),
      'locked.ppt': edited('slides.ppt', 'EncryptedSummary', () => Buffer.alloc(64)),
    });
    for (const f of ['locked.doc', 'locked.xls', 'locked.ppt']) {
      const r = await scanFile(join(dir, f));
      expect(errorLines(r), f).toEqual([' | encrypted']);
      expect(r.findings, f).toEqual([]);
    }
  });

  it('truncated and garbage files are `corrupt` error entries, never a crash', async () => {
    const files: Record<string, Buffer> = {};
    for (const f of ['notes.doc', 'kunder.xls', 'slides.ppt']) {
      const data = readFileSync(join(FORMATS, f));
      files[`cut-${f}`] = data.subarray(0, 2048);
      files[`half-${f}`] = data.subarray(0, data.length >> 1);
    }
    files['garbage.doc'] = Buffer.from('Dette er ikke et Word-dokument.\n'.repeat(40));
    const dir = tempTree(files);
    for (const f of Object.keys(files)) {
      const r = await scanFile(join(dir, f));
      expect(errorLines(r), f).toEqual([' | corrupt']);
    }
  });

  it('a legacy file larger than --max-extract-bytes is a `limit` error, not read', async () => {
    for (const f of ['notes.doc', 'kunder.xls', 'slides.ppt']) {
      const r = await scanFile(join(FORMATS, f), { limits: { maxExtractBytes: 4096 } });
      expect(errorLines(r), f).toEqual([' | limit']);
      expect(r.findings, f).toEqual([]);
    }
  });

  it('an OLE file named .doc with none of the Office streams is `corrupt`; one without a name is not claimed', async () => {
    const c = CFB.utils.cfb_new();
    CFB.utils.cfb_add(c, '/Contents', Buffer.from('hello'));
    const ole = Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array);
    const dir = tempTree({ 'other.doc': ole, 'other-ole': ole });
    const named = await scanFile(join(dir, 'other.doc'));
    expect(named.errors.map((e) => `${e.kind} ${e.message}`)).toEqual([
      'corrupt no Word, Excel or PowerPoint stream in this OLE compound file (damaged?); not read',
    ]);
    const unnamed = await scanFile(join(dir, 'other-ole'));
    expect(unnamed.items.map((i) => i.format)).not.toContain('office');
    expect(unnamed.errors).toEqual([]);
  });
});

describe('none: legacy documents without the subject', () => {
  it.each(['notes.doc', 'kunder.xls', 'slides.ppt'])('%s has no finding for another person', async (file) => {
    const r = await scanFile(join(FORMATS, file), {
      subject: { name: 'Jonas Vestergaard', emails: ['jonas.vestergaard@example.org'], cpr: ['241275-1118'] },
    });
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});

/**
 * A BIFF8 Workbook stream built record by record: one sheet, a shared string whose characters run on
 * from 8-bit into UTF-16 in a CONTINUE record, an RK pair (MULRK) and a formula with a string result.
 */
function handBuiltWorkbook(): Buffer {
  const rec = (type: number, data: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(type, 0);
    h.writeUInt16LE(data.length, 2);
    return Buffer.concat([h, data]);
  };
  const u16 = (...n: number[]) => Buffer.concat(n.map((v) => Buffer.from([v & 0xff, v >> 8])));
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const bof = (dt: number) => rec(0x0809, Buffer.concat([u16(0x0600, dt), Buffer.alloc(12)]));
  const eof = rec(0x000a, Buffer.alloc(0));
  const first = 'Søren Kjær';
  const rest = 'gaard Østergård';
  const sst = rec(
    0x00fc,
    Buffer.concat([u32(2), u32(2), u16(NAME.length), Buffer.from([0]), Buffer.from(first, 'latin1')]),
  );
  const cont = rec(
    0x003c,
    Buffer.concat([
      Buffer.from([1]),
      Buffer.from(rest, 'utf16le'),
      u16(EMAIL.length),
      Buffer.from([0]),
      Buffer.from(EMAIL, 'latin1'),
    ]),
  );
  const sheetName = Buffer.concat([Buffer.from([4, 0]), Buffer.from('Ark1', 'latin1')]);
  const boundsheet = (offset: number) =>
    rec(0x0085, Buffer.concat([u32(offset), Buffer.from([0, 0]), sheetName]));
  const globalsLength = bof(5).length + boundsheet(0).length + sst.length + cont.length + eof.length;
  const globals = Buffer.concat([bof(5), boundsheet(globalsLength), sst, cont, eof]);
  const rkInt = (n: number) => (n << 2) | 2;
  const rkHundredths = (n: number) => ((n * 100) << 2) | 3;
  const sheet = Buffer.concat([
    bof(0x10),
    rec(0x00fd, Buffer.concat([u16(2, 0, 0), u32(0)])),
    rec(
      0x00bd,
      Buffer.concat([u16(2, 1), u16(0), u32(rkInt(21436587)), u16(0), u32(rkHundredths(-3.5)), u16(2)]),
    ),
    rec(0x0006, Buffer.concat([u16(2, 3, 0), Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff]), Buffer.alloc(6)])),
    rec(0x0207, Buffer.concat([u16(EMAIL.length), Buffer.from([0]), Buffer.from(EMAIL, 'latin1')])),
    rec(0x00fd, Buffer.concat([u16(3, 0, 0), u32(1)])),
    eof,
  ]);
  return Buffer.concat([globals, sheet]);
}

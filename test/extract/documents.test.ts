import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { numberText, sheetText } from '../../src/extract/office/ooxml.js';
import { xmlToText } from '../../src/extract/office/xml-text.js';
import { tempTree } from '../helpers/cli.js';
import { DOCS, errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';

const NAME = 'Søren Kjærgaard Østergård';
const ALIAS = 'Søren K. Østergård';
const EMAIL = 'soren.ostergard@example.dk';
const PHONE = '+4521436587';
const CPR = '150387-1236';

describe('PDF', () => {
  it('finds the subject per page (itemPath ends in `page N`) and in the document info', async () => {
    const r = await scanFile(join(DOCS, 'cv.pdf'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ` | name | ${NAME} | pdf:info`,
      `page 2 | cpr | ${CPR} | page 2`,
      `page 2 | name | ${NAME} | page 2`,
      `page 3 | email | ${EMAIL} | page 3`,
    ]);
    expect(r.findings.find((f) => f.detector === 'cpr')?.location).toMatchObject({
      page: 2,
      line: 2,
      column: 6,
    });
    // The item erasure acts on is the document, not the page.
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ itemPath: [], format: 'pdf', evidence: 'confirmed' });
    expect(new Set(r.findings.map((f) => f.itemId))).toEqual(new Set([r.items[0].id]));
  });
});

describe('PDF metadata', () => {
  it('reads XMP metadata (dc:creator) into the pdf:info chunk', async () => {
    const r = await scanFile(join(DOCS, 'report-xmp.pdf'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([` | name | ${NAME} | pdf:info`]);
    expect(r.findings[0].context.endsWith(`dc:creator: ${NAME}`)).toBe(true);
  });
});

describe('Office Open XML', () => {
  it('DOCX: body with a name split across runs, table, header, footnote, comment, link and properties', async () => {
    const r = await scanFile(join(DOCS, 'notes.docx'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ` | cpr | ${CPR} | body`,
      ` | email | ${EMAIL} | header1`,
      ` | email | ${EMAIL} | links`,
      ` | name | ${ALIAS} | comments`,
      ` | name | ${NAME} | body`,
      ` | name | ${NAME} | properties`,
      ` | phone | ${PHONE} | footnotes`,
    ]);
    expect(r.items[0]).toMatchObject({ itemPath: [], format: 'office', evidence: 'confirmed' });
    const name = r.findings.find((f) => f.location.field === 'body' && f.detector === 'name')!;
    expect(name.context).toContain(`Deltager: ${NAME}`);
  });

  it('XLSX: every sheet, shared and rich strings, numbers stored as numbers, cell notes', async () => {
    const r = await scanFile(join(DOCS, 'customers.xlsx'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ` | cpr | ${CPR} | sheet Kunder`,
      ` | email | ${EMAIL} | sheet Kunder`,
      ` | name | ${ALIAS} | sheet Noter`,
      ` | name | ${NAME} | sheet Kunder`,
      // The namesake's row: the subject's name without the middle name is still the name.
      ' | name | Søren Østergård | sheet Kunder',
      ` | phone | ${PHONE} | comments`,
      ` | phone | ${PHONE} | sheet Kunder`,
    ]);
  });

  it('XLSX: a CPR number that lost its leading zero in a number cell is found zero-padded (--all)', async () => {
    const r = await scanFile(join(DOCS, 'customers.xlsx'), { all: true });
    const cprs = r.findings.filter((f) => f.detector === 'cpr').map((f) => `${f.value} ${f.subject}`);
    expect(cprs.sort()).toEqual(['010190-1234 false', `${CPR} true`]);
  });

  it('PPTX: slides and the speaker notes linked from them', async () => {
    const r = await scanFile(join(DOCS, 'slides.pptx'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([` | name | ${NAME} | slide 2`, ` | phone | ${PHONE} | notes 2`]);
  });
});

describe('OpenDocument', () => {
  it('ODT: body with spans and <text:s/>, user-defined properties', async () => {
    const r = await scanFile(join(DOCS, 'minutes.odt'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      ` | cpr | ${CPR} | body`,
      ` | email | ${EMAIL} | properties`,
      ` | name | ${NAME} | body`,
    ]);
  });

  it("ODS: cells of every row; a 9-digit number cell that lost a CPR number's leading zero is zero-padded", async () => {
    const r = await scanFile(join(DOCS, 'budget.ods'), { all: true });
    expect(findingLines(r).filter((l) => / \| (name|cpr) \| /.test(l) || l.includes(PHONE))).toEqual([
      ' | cpr | 010190-1234 | body',
      ` | name | ${NAME} | body`,
      ' | name | Søren Østergård | body',
      ` | phone | ${PHONE} | body`,
    ]);
  });

  it('ODP: slide text and speaker notes', async () => {
    const r = await scanFile(join(DOCS, 'talk.odp'));
    expect(findingLines(r)).toEqual([` | email | ${EMAIL} | body`, ` | name | ${ALIAS} | body`]);
  });
});

describe('large sheets', () => {
  /** customers.xlsx with a sheet of `rows` rows of others before a row naming the subject's e-mail. */
  const bigWorkbook = (rows: number) => {
    const parts = unzipSync(readFileSync(join(DOCS, 'customers.xlsx')));
    const row = (r: number, text: string) =>
      `<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>${text}</t></is></c><c r="B${r}"><v>${r}</v></c></row>`;
    const body = Array.from({ length: rows }, (_, i) => row(i + 1, `kunde nummer ${i} på Vestergade`)).join(
      '',
    );
    parts['xl/worksheets/sheet1.xml'] = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>${body}${row(rows + 1, EMAIL)}<row r="${rows + 2}"/></sheetData></worksheet>`,
    );
    return tempTree({ 'big.xlsx': zipSync(parts) });
  };

  it('reads a sheet larger than --max-extract-bytes piece by piece, with the lines and offsets of the whole', async () => {
    const dir = bigWorkbook(40_000);
    const r = await scanFile(join(dir, 'big.xlsx'), { limits: { maxExtractBytes: 1024 * 1024 } });
    expect(errorLines(r)).toEqual([]);
    const found = r.findings.find((f) => f.detector === 'email' && f.location.field === 'sheet Kunder');
    // Line 40,001 of the sheet's text, after 40,000 lines of `kunde nummer N på Vestergade\tN+1`.
    expect(found?.location).toMatchObject({ line: 40_001, column: 1 });
    const before = Array.from({ length: 40_000 }, (_, i) => `kunde nummer ${i} på Vestergade\t${i + 1}`).join(
      '\n',
    );
    expect(found?.location.offset).toBe(before.length + 1);
  });

  it('counts a streamed sheet towards --max-text: the rest is not read, and the cut is reported', async () => {
    const dir = bigWorkbook(40_000);
    const r = await scanFile(join(dir, 'big.xlsx'), { limits: { maxTextChars: 100_000 } });
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.findings.some((f) => f.location.field === 'sheet Kunder')).toBe(false);
  });
});

describe('large Word bodies and shared strings', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `kunde nummer ${i} på Vestergade`);

  it('reads a Word body larger than --max-extract-bytes piece by piece, revision authors included', async () => {
    const parts = unzipSync(readFileSync(join(DOCS, 'notes.docx')));
    const para = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;
    const revision = `<w:p><w:del w:author="${NAME}"><w:r><w:delText>slettet</w:delText></w:r></w:del></w:p>`;
    parts['word/document.xml'] = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><w:document><w:body>${lines(40_000).map(para).join('')}${revision}${para(EMAIL)}</w:body></w:document>`,
    );
    const dir = tempTree({ 'big.docx': zipSync(parts) });
    const r = await scanFile(join(dir, 'big.docx'), { limits: { maxExtractBytes: 1024 * 1024 } });
    expect(errorLines(r)).toEqual([]);
    const email = r.findings.find((f) => f.detector === 'email' && f.location.field === 'body');
    const before = `${lines(40_000).join('\n')}\nslettet\n`;
    expect(email?.location).toMatchObject({ line: 40_002, column: 1, offset: before.length });
    expect(findingLines(r)).toContain(` | name | ${NAME} | properties`);
  });

  it('reads a shared strings table larger than --max-extract-bytes piece by piece', async () => {
    const parts = unzipSync(readFileSync(join(DOCS, 'customers.xlsx')));
    const strings = [...lines(40_000), EMAIL];
    parts['xl/sharedStrings.xml'] = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><sst count="${strings.length}">${strings.map((t) => `<si><t>${t}</t></si>`).join('')}<si/></sst>`,
    );
    const cell = (r: number, s: number) => `<row r="${r}"><c r="A${r}" t="s"><v>${s}</v></c></row>`;
    parts['xl/worksheets/sheet1.xml'] = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>${cell(1, 39_999)}${cell(2, 40_000)}${cell(3, 40_001)}</sheetData></worksheet>`,
    );
    const dir = tempTree({ 'strings.xlsx': zipSync(parts) });
    const r = await scanFile(join(dir, 'strings.xlsx'), { limits: { maxExtractBytes: 1024 * 1024 } });
    expect(errorLines(r)).toEqual([]);
    const email = r.findings.find((f) => f.detector === 'email' && f.location.field === 'sheet Kunder');
    expect(email?.location).toMatchObject({
      line: 2,
      column: 1,
      offset: 'kunde nummer 39999 på Vestergade\n'.length,
    });
  });
});

describe('Office embeddings', () => {
  it('a workbook embedded in a Word file is read as a member of it', async () => {
    const parts = unzipSync(readFileSync(join(DOCS, 'notes.docx')));
    parts['word/embeddings/Microsoft_Excel_Worksheet.xlsx'] = readFileSync(join(DOCS, 'customers.xlsx'));
    const dir = tempTree({ 'with-sheet.docx': zipSync(parts) });
    const r = await scanFile(join(dir, 'with-sheet.docx'));
    expect(errorLines(r)).toEqual([]);
    expect(r.items.map((i) => i.itemPath.join(' › ')).sort()).toEqual([
      '',
      'member word/embeddings/Microsoft_Excel_Worksheet.xlsx',
    ]);
    expect(findingLines(r)).toContain(
      `member word/embeddings/Microsoft_Excel_Worksheet.xlsx | cpr | ${CPR} | sheet Kunder`,
    );
  });
});

describe('Office files that cannot be read', () => {
  const cfb = (stream: string) =>
    Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(1024),
      Buffer.from(stream, 'utf16le'),
    ]);

  it('a password-protected DOCX (an OLE file with an EncryptedPackage stream) is `encrypted`', async () => {
    const dir = tempTree({ 'locked.docx': cfb('EncryptedPackage'), 'old.xlsx': cfb('Workbook') });
    expect(errorLines(await scanFile(join(dir, 'locked.docx')))).toEqual([' | encrypted']);
    // Not a real OLE file: read as a legacy workbook now, it is damaged.
    expect(errorLines(await scanFile(join(dir, 'old.xlsx')))).toEqual([' | corrupt']);
  });

  it('a password-protected OpenDocument file is `encrypted`', async () => {
    const manifest =
      '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>';
    const enc = (t: string) => new TextEncoder().encode(t);
    const odt = zipSync({
      mimetype: enc('application/vnd.oasis.opendocument.text'),
      'META-INF/manifest.xml': enc(manifest),
      'content.xml': [Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), { level: 0 }],
    });
    const dir = tempTree({ 'locked.odt': odt });
    expect(errorLines(await scanFile(join(dir, 'locked.odt')))).toEqual([' | encrypted']);
  });

  it('a zip that is no Office package, named .docx, is `corrupt`', async () => {
    const dir = tempTree({ 'fake.docx': readFileSync(join(DOCS, 'bundle.zip')) });
    const r = await scanFile(join(dir, 'fake.docx'));
    expect(errorLines(r)).toEqual([' | corrupt']);
    expect(r.errors[0].message).toMatch(/without Word, Excel, PowerPoint or OpenDocument content/);
  });
});

describe('none: documents without the subject', () => {
  it.each(['cv.pdf', 'notes.docx', 'customers.xlsx', 'slides.pptx', 'minutes.odt', 'budget.ods', 'talk.odp'])(
    '%s has no finding for another person',
    async (file) => {
      const r = await scanFile(join(DOCS, file), {
        subject: {
          name: 'Jonas Vestergaard',
          emails: ['jonas.vestergaard@example.org'],
          cpr: ['241275-1118'],
        },
      });
      expect(r.findings).toEqual([]);
      expect(r.errors).toEqual([]);
    },
  );
});

describe('XML text', () => {
  const WORD = {
    text: new Set(['w:t']),
    block: new Set(['w:p']),
    tab: new Set(['w:tab']),
    br: new Set(['w:br']),
  };

  it('joins runs within a paragraph without separators and ends paragraphs with a newline', () => {
    const xml =
      '<w:body><w:p><w:r><w:t>Sø</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ren</w:t></w:r><w:r><w:t xml:space="preserve"> Østergård</w:t></w:r></w:p><w:p><w:r><w:t>A&amp;B</w:t><w:tab/><w:t>C</w:t></w:r></w:p></w:body>';
    expect(xmlToText(xml, WORD)).toBe('Søren Østergård\nA&B\tC\n');
  });

  it('reads OpenDocument character data with repeated spaces and line breaks', () => {
    const xml =
      '<text:p>CPR:<text:s text:c="2"/>150387-1236<text:line-break/>Sø<text:span>ren</text:span></text:p>';
    expect(
      xmlToText(xml, { block: new Set(['text:p']), br: new Set(['text:line-break']), spaces: 'text:s' }),
    ).toBe('CPR:  150387-1236\nSøren\n');
  });

  it('writes sheet rows as lines of tab-separated cells', () => {
    const xml =
      '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1503871236</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" t="b"><v>1</v></c><c r="C2"><v>2.1436587E7</v></c></row></sheetData>';
    expect(sheetText(xml, ['Navn'])).toBe('Navn\t1503871236\nx\t21436587');
  });

  it('zero-pads 9-digit numbers only when they become a DDMMYY date', () => {
    expect(numberText('101901234')).toBe('0101901234');
    expect(numberText('991901234')).toBe('991901234');
    expect(numberText('1.503871236E9')).toBe('1503871236');
    expect(numberText('3.5')).toBe('3.5');
  });
});

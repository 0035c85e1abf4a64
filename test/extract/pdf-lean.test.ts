import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { readLeanPdf } from '../../src/extract/pdf/lean-text.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';

const INFO_FIELDS = ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer'];

/** What the pdf.js path (pdf.ts before the lean reader) makes of a PDF: info lines and page texts. */
async function viaPdfJs(data: Uint8Array): Promise<{ info: string[]; pages: string[] }> {
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(data), verbosity: 0, stopAtErrors: false });
  try {
    const result = await parser.getInfo();
    const info: string[] = [];
    for (const key of INFO_FIELDS) {
      const value = result.info?.[key];
      if (typeof value === 'string' && value.trim()) info.push(`${key}: ${value.trim()}`);
    }
    const pages = (await parser.getText()).pages.map((p) => p.text);
    return { info, pages };
  } finally {
    await parser.destroy();
  }
}

/** A PDF written object by object: fonts F1 Helvetica, F2 Times-Roman, F3 Courier (WinAnsi). */
function rawPdf(opts: {
  contents: string[][];
  page?: string;
  info?: string;
  fonts?: string;
  extra?: string[];
}): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const add = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    size += buf.length;
  };
  let next = 1;
  const objs: { n: number; body: string; stream?: Buffer }[] = [];
  const obj = (body: string, stream?: Buffer) => {
    const n = next++;
    objs.push({ n, body, stream });
    return n;
  };
  const catalog = obj('');
  const pagesNode = obj('');
  const f1 = obj('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const f2 = obj('<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>');
  const f3 = obj('<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>');
  const fonts = opts.fonts ?? `/F1 ${f1} 0 R /F2 ${f2} 0 R /F3 ${f3} 0 R`;
  const extra = (opts.extra ?? []).map((e) => obj(e));
  void extra;
  const pageRefs = opts.contents.map((streams) => {
    const refs = streams.map((s) => {
      const z = deflateSync(Buffer.from(s, 'latin1'));
      return obj(`<< /Length ${z.length} /Filter /FlateDecode >>`, z);
    });
    return obj(
      `<< /Type /Page /Parent ${pagesNode} 0 R /MediaBox [0 0 595 842] ${opts.page ?? ''} /Contents [${refs.map((r) => `${r} 0 R`).join(' ')}] /Resources << /Font << ${fonts} >> >> >>`,
    );
  });
  objs[catalog - 1].body = `<< /Type /Catalog /Pages ${pagesNode} 0 R >>`;
  objs[pagesNode - 1].body =
    `<< /Type /Pages /Kids [${pageRefs.map((r) => `${r} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`;
  const info = opts.info ? obj(opts.info) : undefined;
  add('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  for (const o of objs) {
    offsets[o.n] = size;
    add(`${o.n} 0 obj\n${o.body}`);
    if (o.stream) {
      add('\nstream\n');
      add(o.stream);
      add('\nendstream');
    }
    add('\nendobj\n');
  }
  const xref = size;
  add(`xref\n0 ${next}\n0000000000 65535 f \n`);
  for (let i = 1; i < next; i++) add(`${String(offsets[i]).padStart(10, '0')} 00000 n \n`);
  add(
    `trailer\n<< /Size ${next} /Root ${catalog} 0 R${info ? ` /Info ${info} 0 R` : ''} >>\nstartxref\n${xref}\n%%EOF\n`,
  );
  return Buffer.concat(parts);
}

/** The bench's documents (bench/documents.ts): pdf-lib, Helvetica, lines of memo text. */
async function benchStylePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Referat – Søren');
  doc.setAuthor('Mette Hansen');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const times = await doc.embedFont(StandardFonts.TimesRomanBold);
  for (let p = 0; p < 3; p++) {
    const page = doc.addPage([595, 842]);
    for (let l = 0; l < 40; l++) {
      const text =
        l === 10 && p === 1
          ? 'Vedr. Søren Kjærgaard Østergård, CPR 150387-1236, soren.ostergard@example.dk'
          : `${l}. Mette  Hansen ringede om sag ${1000 + l};   tlf ${20_000_000 + l * 7919}, 5 µg, 20 €.`;
      page.drawText(text, {
        x: 30 + (l % 3) * 4,
        y: 800 - l * 17,
        size: 9 + (l % 2),
        font: l % 7 ? font : times,
      });
    }
  }
  return doc.save();
}

/** Content exercising the text operators whose spacing rules the reader reproduces. */
const OPERATORS = [
  'BT /F1 12 Tf 72 760 Td (Hello) Tj ( World) Tj 0 -14 Td [(Kern) -40 (ed) -400 (words) 120 (back)] TJ ET',
  'BT /F2 11 Tf 14 TL 72 700 Td (Line one) Tj T* (Line two) Tj (Line three) \' 2 0.5 (spaced line) " ET',
  'BT /F3 10 Tf 1.5 Tc 72 640 Td (char spaced) Tj 0 Tc 4 Tw 0 -12 Td (word spaced text) Tj 0 Tw ET',
  'BT /F1 10 Tf 80 Tz 72 600 Td (narrow) Tj 100 Tz 3 Ts (risen) Tj 0 Ts ET',
  'q 2 0 0 2 0 0 cm BT /F1 8 Tf 36 280 Td (scaled by cm) Tj ET Q',
  'BT /F1 10 Tf 0 1 -1 0 300 300 Tm (turned a quarter) Tj ET',
  'BT /F1 10 Tf -1 0 0 -1 400 200 Tm (upside down) Tj ET',
  'BT /F1 10 Tf -900 500 Td (off the page) Tj 1000 0 Td (back on) Tj ET',
  'BT /F1 10 Tf 72 150 Td (col one) Tj 200 0 Td (col two) Tj 150 0 Td (col three) Tj ET',
  'BT /F1 10 Tf 72 120 Td (a) Tj 12 0 Td (b) Tj 3 0 Td (c) Tj -1 -2 Td (d) Tj ET',
  '/P <</MCID 0>> BDC BT /F2 10 Tf 72 100 Td (marked) Tj EMC ( content) Tj ET',
  'BT /F1 10 Tf 72 80 Td <536f72656e> Tj (\\330ster\\345rd \\(x\\) \\\\ \\240nbsp\\255soft \\200 \\205) Tj ET',
  'BT /F1 10 Tf 72 60 Td (same) Tj /F2 10 Tf (font change) Tj /F1 14 Tf (size) Tj ET',
].join('\n');

describe('the lean PDF text reader', () => {
  it('reads the bench’s kind of PDF, to exactly the text and info pdf.js gives', async () => {
    const data = await benchStylePdf();
    const lean = readLeanPdf(data);
    expect(lean).toBeDefined();
    expect(lean).toEqual(await viaPdfJs(data));
    expect(lean?.pages[1]).toContain('150387-1236');
  });

  it('gives pdf.js’s text for each text operator, spacing rule and page box', async () => {
    const cases: [string, Buffer][] = [
      ['operators', rawPdf({ contents: [[OPERATORS]] })],
      ['two pages', rawPdf({ contents: [['BT /F1 10 Tf 72 700 Td (first) Tj ET'], [OPERATORS]] })],
      [
        'streams of one page',
        rawPdf({
          contents: [['BT /F1 10 Tf 72 700 Td (fir', 'st) Tj ET BT /F2 9 Tf 72 680 Td (second) Tj ET']],
        }),
      ],
      ['rotated page', rawPdf({ contents: [[OPERATORS]], page: '/Rotate 90' })],
      ['rotated 270', rawPdf({ contents: [[OPERATORS]], page: '/Rotate 270' })],
      ['crop box', rawPdf({ contents: [[OPERATORS]], page: '/CropBox [50 50 400 700]' })],
      [
        'info',
        rawPdf({
          contents: [[OPERATORS]],
          info: '<< /Title <FEFF005300F800720065006E> /Author (Mette Hansen) /Subject (  ) /Keywords 5 >>',
        }),
      ],
    ];
    for (const [name, pdf] of cases) {
      const lean = readLeanPdf(pdf, undefined, (why) => {
        throw new Error(`${name}: left to pdf.js (${why})`);
      });
      expect({ name, ...lean }).toEqual({ name, ...(await viaPdfJs(pdf)) });
    }
  });

  it('matches pdf.js on every PDF fixture it reads, and leaves the rest to it', async () => {
    const fixtures = readdirSync(join(PROJECT, 'fixtures'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.pdf'))
      .map((f) => join(PROJECT, 'fixtures', f));
    expect(fixtures.length).toBeGreaterThan(5);
    const read: string[] = [];
    for (const path of fixtures) {
      // slow.pdf (2 million text operators, for --timeout) takes ~25 s in each reader; both give its one line.
      if (path.endsWith('slow.pdf')) continue;
      const data = new Uint8Array(readFileSync(path));
      const lean = readLeanPdf(data);
      if (!lean) continue;
      read.push(path);
      expect({ path, ...lean }).toEqual({ path, ...(await viaPdfJs(data)) });
    }
    expect(read.some((p) => p.endsWith('cv.pdf'))).toBe(true);
  });

  it('leaves to pdf.js what it cannot vouch for', async () => {
    const pages = [['BT /F1 10 Tf 72 700 Td (text) Tj ET']];
    const left = (pdf: Buffer) => {
      let why = '';
      expect(readLeanPdf(pdf, undefined, (w) => (why = w))).toBeUndefined();
      return why;
    };
    expect(
      left(rawPdf({ contents: pages, fonts: '/F1 << /Type /Font /Subtype /Type0 /BaseFont /X >>' })),
    ).toMatch(/font/);
    expect(
      left(rawPdf({ contents: pages, fonts: '/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' })),
    ).toMatch(/encoding/);
    expect(
      left(rawPdf({ contents: [['BT /F1 10 Tf 1 0.3 0 1 72 700 Tm (ske) Tj 5 0 Td (wed) Tj ET']] })),
    ).toMatch(/skewed/);
    expect(left(rawPdf({ contents: [['BT /F1 10 Tf 72 700 Td (\\001) Tj ET']] }))).toMatch(/character/);
    const encrypted = Buffer.from(
      rawPdf({ contents: pages })
        .toString('latin1')
        .replace('/Size', '/Encrypt << /Filter /Standard >> /Size'),
      'latin1',
    );
    expect(left(encrypted)).toMatch(/encrypted/);
    const truncated = rawPdf({ contents: pages }).subarray(0, 300);
    expect(left(truncated)).toMatch(/startxref/);
    // A cross-reference stream of a billion entries of no bytes each: refused at once, not looped over.
    const head = '%PDF-1.7\n';
    const xrefStream = `${head}1 0 obj\n<< /Type /XRef /W [0 0 0] /Index [0 1000000000] /Size 1000000000 /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n${head.length}\n%%EOF\n`;
    expect(left(Buffer.from(xrefStream, 'latin1'))).toMatch(/no bytes/);
  });

  it('keeps the limits: a bomb in a PDF it would read is still refused before reading', async () => {
    const bomb = rawPdf({
      contents: [[`BT /F1 10 Tf 72 700 Td (CPR 150387-1236) Tj ET${' '.repeat(64 << 20)}`]],
    });
    const path = join(tempTree(), 'bomb.pdf');
    writeFileSync(path, bomb);
    const r = await scanFile(path);
    expect(errorLines(r)).toEqual([' | limit']);
    expect(findingLines(r)).toEqual([]);
  });

  it('finds the subject on the right page through the lean reader', async () => {
    const path = join(tempTree(), 'bench-style.pdf');
    writeFileSync(path, await benchStylePdf());
    const r = await scanFile(path);
    expect(r.errors).toEqual([]);
    const pages = new Set(r.findings.map((f) => f.location.page));
    expect(pages).toEqual(new Set([2]));
    expect(findingLines(r).some((l) => l.includes('cpr'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { rtfToText } from '../../src/extract/text/rtf.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

const RTF = [
  '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}',
  "{\\*\\generator Riched20 10.0;}{\\info{\\author S\\'f8ren \\'d8sterg\\'e5rd}{\\title CV}}",
  "\\viewkind4\\uc1\\pard\\f0\\fs20 Kontakt: S\\'f8ren \\'d8sterg\\'e5rd\\par",
  'CPR: 150387-1236\\par',
  'Unicode: S\\u248?ren \\u216?sterg\\u229?rd\\line',
  '{\\field{\\*\\fldinst HYPERLINK "mailto:soren.ostergard@example.dk"}{\\fldrslt skriv}}\\par',
  '{\\pict\\pngblip 89504e470d0a1a0a}Slut\\par',
  '}',
].join('\r\n');

describe('.rtf', () => {
  it('reads the text, decoding code-page and Unicode escapes', () => {
    expect(rtfToText(RTF)).toBe(
      'Søren Østergård\nCV\nKontakt: Søren Østergård\nCPR: 150387-1236\nUnicode: Søren Østergård\n' +
        'HYPERLINK "mailto:soren.ostergard@example.dk"\nskriv\nSlut\n',
    );
  });

  it('handles escaped braces, backslashes, no-break spaces and \\uc', () => {
    expect(rtfToText("{\\rtf1 a\\{b\\}c\\\\d\\~e\\_f{\\uc2 \\u8364\\'80\\'80 x}}")).toBe(
      'a{b}c\\d\u00a0e-f€ x',
    );
  });

  it('is searched through the text extractor, by name or by its {\\rtf magic', async () => {
    for (const name of ['cv.rtf', 'cv.txt']) {
      const found = bodyFindings(await scanBytes(name, Buffer.from(RTF, 'latin1')));
      expect(
        found.map((f) => [f.detector, f.value, f.line]),
        name,
      ).toEqual([
        ['name', 'Søren Østergård', 1],
        ['name', 'Søren Østergård', 3],
        ['cpr', '150387-1236', 4],
        ['name', 'Søren Østergård', 5],
        ['email', 'soren.ostergard@example.dk', 6],
      ]);
    }
  });
});

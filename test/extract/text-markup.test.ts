import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/extract/html/html.js';
import { unescapeJsonText } from '../../src/extract/json/json.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

describe('.html', () => {
  it('finds a name split by inline tags and written with entities', async () => {
    const html =
      '<html><body><p>Kontakt: Sø<b>ren</b> &Oslash;sterg&aring;rd</p>\n' +
      '<p>Mail: <a href="mailto:soren.ostergard@example.dk">skriv</a></p></body></html>';
    expect(bodyFindings(await scanBytes('side.html', html))).toEqual([
      { detector: 'name', value: 'Søren Østergård', field: 'body', offset: 12, line: 4, column: 10 },
      {
        detector: 'email',
        value: 'soren.ostergard@example.dk',
        field: 'html:attributes',
        offset: 7,
        line: 1,
        column: 8,
      },
    ]);
  });

  it.each([
    ['<p>S&oslash;ren &#216;sterg&#229;rd</p>'],
    ['<p>S&#xF8;ren &#xD8;sterg&#xE5;rd</p>'],
    ['<p><span>S</span>øren&nbsp;<i>Øster</i>gård</p>'],
    ['<div>Søren</div><div>Østergård</div>'],
    ['<p>Søren<br>Østergård</p>'],
    ['<p><em></em>Søren <em>Østergård</em></p>'],
    ['<p>Sø&shy;ren Øster&shy;g&#8203;ård</p>'],
    ['<p>S<wbr>øren <span\nclass="x">Østergård</span></p>'],
  ])('%s', async (html) => {
    const found = bodyFindings(await scanBytes('x.htm', html));
    expect(found.map((f) => [f.detector, f.value, f.offset])).toEqual([['name', 'Søren Østergård', 1]]);
  });

  it('keeps the text of comments, which may hold data too', async () => {
    const found = bodyFindings(await scanBytes('x.html', '<p><!-- Søren Østergård --></p>'));
    expect(found.map((f) => [f.value, f.offset, f.line, f.column])).toEqual([['Søren Østergård', 3, 3, 2]]);
  });

  it('is chosen by content when the name says nothing', async () => {
    const found = bodyFindings(await scanBytes('download', '<!DOCTYPE html><p>Sø<b>ren</b> Østergård</p>'));
    expect(found.map((f) => f.value)).toEqual(['Søren Østergård']);
  });

  it('drops style blocks and keeps data-bearing attributes apart', () => {
    expect(htmlToText('<style>p{color:red}</style><img alt="Søren" title=\'Østergård\'><p>Hej</p>')).toEqual({
      body: '\n\nHej\n',
      attributes: 'Søren\nØstergård',
    });
  });
});

describe('.json', () => {
  it('decodes \\u escapes and \\n before matching', async () => {
    const json =
      '{"name": "S\\u00f8ren \\u00d8sterg\\u00e5rd", "note": "Kontakt:\\nS\\u00f8ren K. \\u00d8sterg\\u00e5rd", "cpr": "150387\\u002d1236"}';
    expect(bodyFindings(await scanBytes('person.json', json))).toEqual([
      { detector: 'name', value: 'Søren Østergård', field: 'body', offset: 10, line: 1, column: 11 },
      { detector: 'name', value: 'Søren K. Østergård', field: 'body', offset: 46, line: 2, column: 1 },
      { detector: 'cpr', value: '150387-1236', field: 'body', offset: 75, line: 2, column: 30 },
    ]);
  });

  it.each([
    ['S\\u00f8ren', 'Søren'],
    ['\\u00D8', 'Ø'],
    ['a\\nb\\tc\\r\\"d\\"\\/e', 'a\nb\tc\r"d"/e'],
    ['C:\\\\Users\\\\soren', 'C:\\Users\\soren'],
    ['\\\\u00f8 stays literal', '\\u00f8 stays literal'],
    ['\\\\\\u00f8', '\\ø'],
    ['\\ud83d\\ude00', '😀'],
    ['no escapes', 'no escapes'],
  ])('unescapes %s', (raw, decoded) => {
    expect(unescapeJsonText(raw)).toBe(decoded);
  });

  it('decodes an escape cut by a read boundary', async () => {
    // readPieces cuts buffers at 1 MiB: put `\u00f8` and an escaped backslash across that cut.
    const MiB = 1 << 20;
    for (const shift of [1, 2, 3, 5, 6]) {
      const head = `["${'x'.repeat(MiB - 3 - shift)} `;
      const json = `${head}S\\u00f8ren \\u00d8sterg\\u00e5rd C:\\\\dir"]`;
      const found = bodyFindings(await scanBytes('big.json', json));
      expect(
        found.map((f) => [f.value, f.offset]),
        `cut ${shift}`,
      ).toEqual([['Søren Østergård', head.length]]);
    }
  });

  it('never splits an escaped backslash at a read boundary', async () => {
    const MiB = 1 << 20;
    for (const shift of [1, 2, 3, 4]) {
      // `C:\\` then `\n`: the cut falls inside or around the escaped backslash.
      const head = `["${'x'.repeat(MiB - 5 - shift)} C:`;
      const json = `${head}\\\\\\nS\\u00f8ren \\u00d8sterg\\u00e5rd"]`;
      const found = bodyFindings(await scanBytes('big.json', json));
      expect(
        found.map((f) => [f.value, f.offset, f.line, f.column]),
        `cut ${shift}`,
      ).toEqual([['Søren Østergård', head.length + 2, 2, 1]]);
    }
  });
});

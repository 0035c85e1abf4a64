import { describe, expect, it } from 'vitest';
import { HtmlTextReader, htmlToText } from '../../src/extract/html/html.js';
import { seededRandom } from '../helpers/random.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

/**
 * HTML is read as it streams in (a large report never sits in memory whole): written in pieces of
 * any size, a document must give exactly the text and attribute values of the whole document.
 */
function inPieces(doc: string, size: number): { body: string; attributes: string } {
  const attributes: string[] = [];
  const reader = new HtmlTextReader((v) => attributes.push(v));
  let body = '';
  for (let i = 0; i < doc.length; i += size) body += reader.write(doc.slice(i, i + size));
  body += reader.end();
  return { body, attributes: attributes.join('\n') };
}

describe('HTML text piece by piece', () => {
  const random = seededRandom(3);
  const parts = [
    'Søren',
    ' ',
    '\n',
    '<p>',
    '</p>',
    '<b>',
    '</b>',
    '<br/>',
    '&oslash;',
    '&Oslash',
    '&amp',
    '&#248;',
    '&#x',
    'f8;',
    '&',
    'lash;',
    '<a href="mailto:s@e.dk">',
    '</a>',
    '<!-- note\nØster -->',
    '<style>p{}</style>',
    '<!doctype html>',
    '<img alt="Øster&aring;rd" title=\'x>y\'>',
    '&shy;',
    '\u200b',
    'gård',
    '<td>',
    '< b',
    '>',
    'a\nb',
  ];
  const documents = Array.from({ length: 400 }, () => {
    let s = '';
    const n = random(300);
    for (let i = 0; i < n; i++) s += parts[random(parts.length)];
    return s;
  });

  it('joins to the whole-document text and attributes for every piece size', () => {
    const wrong: string[] = [];
    for (const doc of documents) {
      const want = htmlToText(doc);
      for (const size of [1, 7, 64, 1 << 16]) {
        const got = inPieces(doc, size);
        if (got.body !== want.body || got.attributes !== want.attributes)
          wrong.push(`${size}: ${JSON.stringify(doc)}`);
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('reads the parts as a browser shows them', () => {
    expect(htmlToText('<p>S&oslash;<b>ren</b>&shy; &Oslash;ster<!-- gård -->g&#229;rd</p>')).toEqual({
      body: '\nSøren Øster\n gård \ngård\n',
      attributes: '',
    });
    expect(htmlToText('<a href="mailto:s@e.dk" title=\'x>y\' class="c">< b</a><img alt="&Oslash;">')).toEqual(
      {
        body: '< b',
        attributes: 'mailto:s@e.dk\nx>y\nØ',
      },
    );
    expect(htmlToText('<!doctype html><style>p{}</style><td>a\nb</td>')).toEqual({
      body: '\n\n\na\nb\n',
      attributes: '',
    });
  });

  it('gives a large document back piece by piece, never the whole text at once', () => {
    const doc = `<table>${'<tr><td>Mette &amp; Jens</td><td>mette@example.dk</td></tr>\n'.repeat(20_000)}</table>`;
    const reader = new HtmlTextReader();
    const pieces: string[] = [];
    for (let i = 0; i < doc.length; i += 1 << 16) pieces.push(reader.write(doc.slice(i, i + (1 << 16))));
    pieces.push(reader.end());
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 16);
    expect(pieces.join('')).toBe(htmlToText(doc).body);
  });

  it('reads attribute values too many to hold in a second pass, at the same offsets', async () => {
    const row = (i: number) =>
      `<a href="https://example.dk/kunde/${i}" title="Kunde nummer ${i} i registret">${i}</a>\n`;
    const rows = Array.from({ length: 40_000 }, (_, i) => row(i)).join('');
    const doc = `<p><a title="soren.ostergard@example.dk">x</a></p>${rows}<p><a title="ring 21 43 65 87">y</a></p>`;
    const values = htmlToText(doc).attributes;
    expect(values.length).toBeGreaterThan(1 << 21);
    const found = bodyFindings(await scanBytes('kunder.html', doc)).filter(
      (f) => f.field === 'html:attributes',
    );
    expect(found.map((f) => [f.detector, f.value, f.offset])).toEqual([
      ['email', 'soren.ostergard@example.dk', 0],
      ['phone', '+4521436587', values.indexOf('21 43 65 87')],
    ]);
  });
});

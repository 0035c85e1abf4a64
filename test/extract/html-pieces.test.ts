import { decodeHTML } from 'entities';
import { describe, expect, it } from 'vitest';
import { htmlTextPieces, htmlToText } from '../../src/extract/html/html.js';
import { seededRandom } from '../helpers/random.js';

/**
 * The HTML text is produced piece by piece (large documents); joined, the pieces must be exactly the
 * text of the whole-document definition below, and the attribute values the same, however small the
 * pieces.
 */
const ATTRS =
  /\s(href|title|alt|value|content|placeholder|aria-label|data-[\w-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const BLOCK = new Set(
  'address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul title option caption body html head meta'.split(
    ' ',
  ),
);
function wholeDocument(html: string): { body: string; attributes: string } {
  const attributes: string[] = [];
  const body = html
    .replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '\n')
    .replace(
      /<!--([\s\S]*?)-->|<\/?([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<![^>]*>/g,
      (_m, comment, tag, rest) => {
        if (comment !== undefined) return `\n${comment}\n`;
        if (tag === undefined) return '\n';
        if (rest)
          for (const a of (rest as string).matchAll(ATTRS)) {
            const v = a[3] ?? a[4] ?? a[5] ?? '';
            if (v.trim()) attributes.push(decodeHTML(v));
          }
        return BLOCK.has((tag as string).toLowerCase()) ? '\n' : '';
      },
    );
  return {
    body: decodeHTML(body).replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, ''),
    attributes: attributes.join('\n'),
  };
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
      const want = wholeDocument(doc);
      for (const size of [1, 7, 64, 1 << 16]) {
        const attributes: string[] = [];
        const body = [...htmlTextPieces(doc, attributes, size)].join('');
        if (body !== want.body || attributes.join('\n') !== want.attributes)
          wrong.push(`${size}: ${JSON.stringify(doc)}`);
      }
      expect(htmlToText(doc)).toEqual(want);
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('hands a large document on in many pieces', () => {
    const doc =
      '<table>' + '<tr><td>Mette &amp; Jens</td><td>mette@example.dk</td></tr>\n'.repeat(20_000) + '</table>';
    const pieces = [...htmlTextPieces(doc, [], 1 << 16)];
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.join('')).toBe(wholeDocument(doc).body);
  });
});

import { describe, expect, it } from 'vitest';
import { XmlTextReader, type XmlTextRules, xmlToText } from '../../src/extract/office/xml-text.js';
import { seededRandom } from '../helpers/random.js';

/**
 * A Word body is read piece by piece (a generated report may be hundreds of megabytes): written in
 * pieces of any size, a part must give exactly the text of the whole part.
 */
const WORD: XmlTextRules = {
  text: new Set(['w:t']),
  block: new Set(['w:p']),
  tab: new Set(['w:tab']),
  br: new Set(['w:br']),
  skip: new Set(['w:rPh']),
};
const ODF: XmlTextRules = {
  block: new Set(['text:p']),
  cell: new Set(['table:table-cell']),
  br: new Set(['text:line-break']),
  spaces: 'text:s',
};

function inPieces(xml: string, rules: XmlTextRules, size: number, markup: string[]): string {
  const reader = new XmlTextReader(rules, (m) => markup.push(m));
  let text = '';
  for (let i = 0; i < xml.length; i += size) text += reader.write(xml.slice(i, i + size));
  return text + reader.end();
}

describe('XML text piece by piece', () => {
  const random = seededRandom(11);
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<w:p>',
    '</w:p>',
    '<w:p/>',
    '<w:t>',
    '<w:t xml:space="preserve">',
    '</w:t>',
    '<w:r w:rsidR="00A1">',
    '</w:r>',
    '<w:tab/>',
    '<w:br/>',
    '<w:rPh>',
    '</w:rPh>',
    '<w:del w:author="Mette Hansen" w:date="x>y">',
    '</w:del>',
    '<text:p>',
    '</text:p>',
    '<text:s text:c="3"/>',
    '<table:table-cell>',
    '</table:table-cell>',
    '<text:line-break/>',
    '<![CDATA[a<b>&amp;]]>',
    '<!-- x<y -->',
    'Søren',
    ' ',
    '\n',
    '\n\n\n',
    '&amp;',
    '&#248;',
    '>',
    ']]>',
  ];
  const documents = Array.from({ length: 300 }, () => {
    let s = '';
    const n = random(200);
    for (let i = 0; i < n; i++) s += parts[random(parts.length)];
    return s;
  });

  it('joins to the whole-part text for every piece size and both vocabularies', () => {
    const wrong: string[] = [];
    for (const doc of documents) {
      for (const rules of [WORD, ODF]) {
        const want = xmlToText(doc, rules);
        for (const size of [1, 5, 64, 1 << 16]) {
          const markup: string[] = [];
          if (inPieces(doc, rules, size, markup) !== want) wrong.push(`${size}: ${JSON.stringify(doc)}`);
          if (markup.join('') !== doc) wrong.push(`markup ${size}: ${JSON.stringify(doc)}`);
        }
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('collapses runs of line breaks across pieces as in the whole part', () => {
    const doc = '<w:p/><w:p/><w:t>a</w:t><w:p/><w:p/><w:p/><w:p/><w:t>b\n\n\n\nc</w:t>';
    expect(xmlToText(doc, WORD)).toBe('\n\na\n\nb\n\nc');
    expect(inPieces(doc, WORD, 1, [])).toBe('\n\na\n\nb\n\nc');
  });

  it('hands a large body on in many pieces', () => {
    const doc = `<w:body>${'<w:p><w:r><w:t>Mette Hansen, mette@example.dk</w:t></w:r></w:p>'.repeat(20_000)}</w:body>`;
    const reader = new XmlTextReader(WORD);
    const pieces: string[] = [];
    for (let i = 0; i < doc.length; i += 1 << 16) pieces.push(reader.write(doc.slice(i, i + (1 << 16))));
    pieces.push(reader.end());
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 16);
    expect(pieces.join('')).toBe(xmlToText(doc, WORD));
  });
});

import { describe, expect, it } from 'vitest';
import { LETTER_LIMIT, SeenWords } from '../../src/index/words.js';
import { piecesAndGlue, seededRandom } from '../helpers/random.js';

/** The words a `u`-flag regex finds, of two code units or more: what the index must take from a text. */
const plainWords = (text: string) =>
  [...text.matchAll(/\p{L}+/gu)].map((m) => m[0]).filter((w) => w.length >= 2);

const reported = (seen: SeenWords, ...texts: string[]) => {
  const words: string[] = [];
  for (const t of texts) seen.forEachNew(t, (w) => words.push(w));
  return words;
};

const sortedSet = (words: Iterable<string>) => [...new Set(words)].sort();

/** Pieces of text of every kind the scanner must tell apart. */
const PIECES = [
  'Søren',
  'Østergård',
  'hansen',
  'ÆBLE',
  'αβγ',
  'Ωμέγα',
  'Москва',
  '東京都',
  'ab',
  'x',
  '𝒜𝒜',
  '𝒜b',
  '𐐀𐐁',
  '\u{20000}\u{20001}',
  '\u{30000}\u{30001}',
  '😀',
  'a😀b',
  'e\u0301te',
  '\ud800',
  '\udc00x',
  'x\ud800',
  '\ud83d',
  '123',
  ' ',
  '\n',
  '-',
  '@',
  '.',
  '\u00a0',
  '\ufeff',
  'İstanbul',
  'ǅemal',
];

describe('index words (the byte-scan module’s newWords)', () => {
  it('takes every letter run a regex finds, and nothing else, in random texts cut into chunks', () => {
    const random = seededRandom(8);
    let words = 0;
    for (let round = 0; round < 200; round++) {
      const text = piecesAndGlue(random, 1 + random(400), PIECES, ['', '', ' ', '\n', ', ']);
      // Cut anywhere, even inside a surrogate pair: each chunk is read on its own, as the chunker's are.
      const cuts = [0, random(text.length), random(text.length), random(text.length), text.length].sort(
        (a, b) => a - b,
      );
      const chunks = cuts.slice(1).map((to, i) => text.slice(cuts[i], to));
      words += chunks.flatMap(plainWords).length;
      const want = sortedSet(chunks.flatMap(plainWords));
      expect(sortedSet(reported(new SeenWords(50_000), ...chunks)), text).toEqual(want);
    }
    expect(words).toBeGreaterThan(10_000);
  });

  it('knows every letter below its table’s limit as the regex does, and there are none above it', () => {
    // Every code point doubled, then a space: a two-unit (or four-unit) word exactly where it is a letter.
    const parts: string[] = [];
    for (let cp = 0; cp < LETTER_LIMIT; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      parts.push(`${ch}${ch} `);
    }
    const text = parts.join('');
    const words = reported(new SeenWords(50_000), text);
    expect(words.length).toBeGreaterThan(100_000);
    expect(sortedSet(words)).toEqual(sortedSet(plainWords(text)));
    const beyond: number[] = [];
    for (let cp = LETTER_LIMIT; cp <= 0x10ffff; cp++)
      if (/\p{L}/u.test(String.fromCodePoint(cp))) beyond.push(cp);
    expect(beyond).toEqual([]);
  });

  it('reports a repeated word once per item, and every word again for the next item', () => {
    const text = 'Hansen Jensen Østergård '.repeat(1000);
    const first = new SeenWords(50_000);
    expect(reported(first, text, text)).toEqual(['Hansen', 'Jensen', 'Østergård']);
    const next = new SeenWords(50_000);
    expect(reported(next, 'Jensen og Hansen')).toEqual(['Jensen', 'og', 'Hansen']);
  });

  it('gives every word at least once when two items alternate on one thread, or pass the limit', () => {
    const a = new SeenWords(50_000);
    const b = new SeenWords(50_000);
    const fromA: string[] = [];
    const fromB: string[] = [];
    for (let i = 0; i < 50; i++) {
      a.forEachNew(`alfa${'q'.repeat(i % 7)} beta`, (w) => fromA.push(w));
      b.forEachNew(`gamma delta${'z'.repeat(i % 5)}`, (w) => fromB.push(w));
    }
    expect(sortedSet(fromA)).toEqual(
      sortedSet(Array.from({ length: 7 }, (_, i) => `alfa${'q'.repeat(i)}`).concat('beta')),
    );
    expect(sortedSet(fromB)).toEqual(
      sortedSet(['gamma', ...Array.from({ length: 5 }, (_, i) => `delta${'z'.repeat(i)}`)]),
    );

    // Past the limit new words are reported every time; long words (13 units and more) are never kept.
    const many = Array.from(
      { length: 3000 },
      (_, i) => `ord${i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[+d])}`,
    );
    const long = 'abcdefghijklmnopqrstuvwxyz';
    const small = new SeenWords(1000);
    const words = reported(small, many.join(' '), many.join(' '), `${long} ${long}`);
    expect(sortedSet(words)).toEqual(sortedSet([...many, long]));
    expect(words.filter((w) => w === many[0])).toHaveLength(1);
    expect(words.filter((w) => w === many[2999])).toHaveLength(2);
    expect(words.filter((w) => w === long)).toHaveLength(2);
  });

  it('tells apart two words of one length and one hash (the table compares their units)', () => {
    // FNV-1a over the UTF-16 units, as the module hashes: a collision among four-letter words.
    const fnv = (w: string) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
      return h;
    };
    // Found by drawing random eight-letter words until two hashes met.
    const [a, b] = ['wovpsydf', 'tuqthrgw'];
    expect(fnv(a)).toBe(fnv(b));
    expect(reported(new SeenWords(50_000), a, b, `${a} ${b}`)).toEqual([a, b]);
  });

  it('reads an empty text and a text of one megabyte of words', () => {
    const seen = new SeenWords(50_000);
    expect(reported(seen, '')).toEqual([]);
    const random = seededRandom(3);
    const letter = () => String.fromCharCode(97 + random(26));
    const text = Array.from({ length: 150_000 }, () => letter() + letter() + letter()).join(' ');
    expect(text.length).toBeGreaterThan(590_000);
    expect(sortedSet(reported(seen, text))).toEqual(sortedSet(plainWords(text)));
  });
});

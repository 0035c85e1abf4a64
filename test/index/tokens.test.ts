import { describe, expect, it } from 'vitest';
import type { FilterHasher } from '../../src/index/filter-hash.js';
import { TokenCollector } from '../../src/index/tokens.js';
import { foldToken } from '../../src/match/fold.js';
import { seededRandom } from '../helpers/random.js';

/** For items of fewer tokens than MAX_TOKENS: they are listed, never put in a filter. */
const LISTED_ONLY = {
  filterBytes: 64 * 1024,
  hasher: {
    hash: () => {
      throw new Error('an item of too many tokens to list');
    },
  } as unknown as FilterHasher,
};

/**
 * The index's tokens decide which files a query re-reads: a token missed is a finding lost. The
 * collector is fast by skipping work (repeated words, letters far from an `@`); it must give exactly
 * the tokens of the plain definition below, the one the index's design states.
 */
function plainTokens(text: string): Set<string> {
  const into = new Set<string>();
  for (const [word] of text.matchAll(/\p{L}+/gu)) {
    if (word.length < 2) continue;
    const folded = foldToken(word);
    into.add(`w:${folded}`);
    if (folded.length > 2 && folded.endsWith('s')) into.add(`w:${folded.slice(0, -1)}`);
  }
  for (const [chain] of text.matchAll(/\d+(?:[ \u00a0.\u2010-\u2013-]\d+)*/g)) {
    if (chain.length < 8) continue;
    const groups = chain.split(/[ \u00a0.\u2010-\u2013-]/);
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j < groups.length && digits.length <= 15; j++) {
        digits += groups[j];
        if (digits.length >= 8 && digits.length <= 15) {
          into.add(`d:${digits}`);
          if (digits.length > 8) into.add(`d:${digits.slice(-8)}`);
        }
      }
    }
  }
  for (const [address] of text.matchAll(/[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,24}/gu))
    into.add(`e:${address.toLowerCase().replace(/^\.+/, '')}`);
  return into;
}

const tokensOf = (...chunks: string[]) => {
  const c = new TokenCollector(LISTED_ONLY);
  for (const chunk of chunks) c.add(chunk);
  return c.tokens;
};
const sorted = (s: Set<string>) => [...s].sort();

describe('index tokens', () => {
  it.each([
    ['names in every spelling', 'Søren Østergård, SOEREN OESTERGAARD og Østergårds bil'],
    ['phone and CPR writings', 'tlf +45 21 43 65 87, 2143-6587, cpr 150387-1236 og 1503871236'],
    ['CPR numbers with a non-breaking hyphen and an en dash', 'cpr 150387\u20111236 og 150387\u20131236'],
    ['addresses', 'skriv til Soren.Ostergard@Example.DK eller ..x@y.dk; a@b@c.dk; @dk; x@y'],
    ['an address behind a long local part', `${'a'.repeat(70)}@example.dk og ${'ø'.repeat(64)}@eks.dk`],
    ['astral letters', `${'𝒜'.repeat(70)}@𝒜𝒜.𝒜𝒜 og 𝒜b@c.dk`],
    ['addresses sharing characters', 'a@b.cd@e.fg x.y@z.dk.@w.dk'],
  ])('%s: exactly the plain tokens', (_name, text) => {
    expect(sorted(tokensOf(text))).toEqual(sorted(plainTokens(text)));
  });

  it('takes a CPR number written with U+2011 or an en dash as its ten digits', () => {
    for (const dash of ['\u2011', '\u2013'])
      expect(tokensOf(`CPR 150387${dash}1236`)).toContain('d:1503871236');
  });

  it('finds the subject of a text of many repeated words, across chunks', () => {
    const tokens = tokensOf('Hansen Hansen Jensen '.repeat(1000), 'Østergård skrev til soren@example.dk');
    for (const t of ['w:hansen', 'w:jensen', 'w:ostergard', 'e:soren@example.dk'])
      expect(tokens).toContain(t);
  });

  it('gives exactly the plain tokens for many distinct words, over chunks', () => {
    const words = Array.from(
      { length: 60_000 },
      (_, i) => `ord${i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[+d])}`,
    );
    const chunks = [
      words.slice(0, 30_000).join(' '),
      words.join(' '),
      `${'langtordmedmange'.repeat(3)} `.repeat(50),
    ];
    expect(sorted(tokensOf(...chunks))).toEqual(sorted(plainTokens(chunks.join(' '))));
  });

  it('gives exactly the plain tokens for random texts', () => {
    const random = seededRandom(7);
    const pieces = [
      ...'aøB1 .-@_%+\u00a0é9Ω字ǅ\u0301\u2011\u2013',
      ...[
        '\ud800',
        '😀',
        'x\udc00',
        '𝒜',
        'soren',
        '.dk',
        'example',
        '@',
        '@@',
        'Østergård',
        '21 43',
        '65.87',
        'x'.repeat(30),
      ],
    ];
    const wrong: string[] = [];
    let addresses = 0;
    for (let n = 0; n < 6000; n++) {
      let text = '';
      const length = random(200);
      while (text.length < length) text += pieces[random(pieces.length)];
      const got = sorted(tokensOf(text));
      addresses += got.filter((t) => t.startsWith('e:')).length;
      if (got.join() !== sorted(plainTokens(text)).join()) wrong.push(JSON.stringify(text));
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(addresses).toBeGreaterThan(300);
  });
});

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  foldToken,
  initialPattern,
  stripDiacritics,
  tokenBytePattern,
  tokenPattern,
} from '../../src/match/fold.js';

describe('foldToken', () => {
  it.each([
    [['Østergård', 'Ostergaard', 'Oestergaard', 'ØSTERGÅRD', 'Östergård', 'Ostergard'], 'ostergard'],
    [['Søren', 'Soeren', 'Soren', 'Sören', 'SØREN'], 'soren'],
    [['Kjærgaard', 'Kjaergaard', 'Kjärgård'], 'kjargard'],
    [['Müller', 'Mueller', 'Muller'], 'muller'],
    [['José', 'Jose'], 'jose'],
  ])('folds %j to %s', (spellings, folded) => {
    for (const s of spellings) expect(foldToken(s), s).toBe(folded);
    expect(foldToken(spellings[0].normalize('NFD'))).toBe(folded);
  });

  it('strips diacritics but keeps letters without a decomposition', () => {
    expect(stripDiacritics('Åse Ærø Éric')).toBe('Ase Ærø Eric');
  });
});

describe('tokenPattern', () => {
  const matches = (token: string, text: string) => new RegExp(`^${tokenPattern(token)}$`, 'iu').test(text);

  it.each([
    ['Østergård', ['Østergård', 'Ostergaard', 'Oestergaard', 'Östergård', 'OSTERGARD', 'østergaard']],
    ['Ostergaard', ['Østergård', 'Ostergaard', 'Ostergard']],
    ['Oestergaard', ['Østergård', 'Oestergaard', 'Ostergaard']],
    ['Søren', ['Søren', 'Soeren', 'Soren', 'Sören', 'SØREN']],
    ['Kjærgaard', ['Kjærgaard', 'Kjaergaard', 'Kjærgård', 'Kjärgaard']],
    ['José', ['José', 'Jose', 'JOSÉ']],
    ["O'Brien", ["O'Brien", 'O’Brien']],
  ])('%s accepts its usual spellings', (token, spellings) => {
    for (const s of spellings) expect(matches(token, s), s).toBe(true);
  });

  it.each([
    ['Østergård', ['Østergårds', 'Vestergård', 'Østerberg']],
    ['Søren', ['Sørensen', 'Karen', 'Sxren']],
  ])('%s rejects other words', (token, words) => {
    for (const w of words) expect(matches(token, w), w).toBe(false);
  });

  it('accepts an initial with or without a dot, in any spelling of the letter', () => {
    const re = new RegExp(`^${initialPattern('Østergård')}$`, 'iu');
    for (const s of ['Ø.', 'O.', 'Ö', 'ø']) expect(re.test(s), s).toBe(true);
    expect(re.test('S.')).toBe(false);
  });
});

describe('tokenBytePattern', () => {
  /** The bytes of `text` in an encoding, read as Latin-1 the way the raw prefilter reads a file. */
  const bytesOf = (text: string, encoding: 'utf8' | 'win1252') =>
    (encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'win1252')).toString('latin1');

  it.each([
    ['Østergård', ['Østergård', 'Ostergaard', 'Oestergaard', 'Östergård', 'OSTERGARD', 'ØšTÉRGÅRD']],
    ['Søren', ['Søren', 'Soeren', 'SÖREN', 'Sørén']],
    ['Hans-Peter', ['Hans-Peter', 'Hans Peter', 'HansPeter', 'Hans\u00a0Peter']],
  ])(
    '%s matches the bytes of every spelling tokenPattern accepts, in UTF-8 and Windows-1252',
    (token, spellings) => {
      const text = new RegExp(`^${tokenPattern(token)}$`, 'iu');
      for (const full of [false, true]) {
        const bytes = new RegExp(`^${tokenBytePattern(token, { fromLongestLiteral: full })}`, 'i');
        for (const s of spellings) {
          expect(text.test(s), s).toBe(true);
          for (const enc of ['utf8', 'win1252'] as const) {
            const raw = bytesOf(s, enc);
            // From the longest literal on, the pattern matches a suffix of the spelling.
            const found = full ? [...raw].some((_, i) => bytes.test(raw.slice(i))) : bytes.test(raw);
            expect(found, `${s} ${enc}`).toBe(true);
          }
        }
      }
    },
  );

  it('starts from the longest run of plain letters when asked', () => {
    expect(tokenBytePattern('Østergård', { fromLongestLiteral: true })).toBe(
      'rg(?:[\\x80-\\xff]{1,4}|aa|a)rd',
    );
    expect(tokenBytePattern('Øå', { fromLongestLiteral: true })).toBe(tokenBytePattern('Øå'));
  });
});

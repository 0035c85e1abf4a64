import { describe, expect, it } from 'vitest';
import { foldToken, initialPattern, stripDiacritics, tokenPattern } from '../../src/match/fold.js';

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

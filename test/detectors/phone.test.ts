import { describe, expect, it } from 'vitest';
import { phone } from '../../detectors/index.js';
import { phoneMatches, phoneMatchesByRuns, phonePattern } from '../../detectors/phone.js';
import { SHORT_TEXT } from '../../src/byte-scan/index.js';
import { detectIn, subjectOf, testDetector } from '../helpers/detector-tester.js';
import { piecesAndGlue, seededRandom } from '../helpers/random.js';

const SUBJ = '+4521436587';
const NBSP = '\u00a0';

testDetector(phone, {
  found: [
    { text: '+45 21 43 65 87', findings: [{ start: 0, end: 15, value: SUBJ }] },
    { text: '0045 21436587', findings: [{ start: 0, end: 13, value: SUBJ }] },
    { text: '21 43 65 87', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '(+45) 2143-6587', findings: [{ start: 0, end: 15, value: SUBJ }] },
    { text: '(45) 21436587', findings: [{ start: 0, end: 13, value: SUBJ }] },
    { text: '2143 6587', findings: [{ start: 0, end: 9, value: SUBJ }] },
    { text: '+4521436587', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '004521436587', findings: [{ start: 0, end: 12, value: SUBJ }] },
    { text: '21436587', findings: [{ start: 0, end: 8, value: SUBJ }] },
    { text: '+45 (0)21 43 65 87', findings: [{ start: 0, end: 18, value: SUBJ }] },
    { text: '21.43.65.87', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '21-43-65-87', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '214 365 87', findings: [{ start: 0, end: 10, value: SUBJ }] },
    { text: `+45${NBSP}21${NBSP}43${NBSP}65${NBSP}87`, findings: [{ start: 0, end: 15, value: SUBJ }] },
    { text: 'Tlf.: 21 43 65 87.', findings: [{ start: 6, end: 17, value: SUBJ }] },
    { text: 'Ring på +45 2143 6587 i dag', findings: [{ start: 8, end: 21, value: SUBJ }] },
    { text: 'tel:+4521436587', findings: [{ start: 4, end: 15, value: SUBJ }] },
    { text: 'mobil 0045-21-43-65-87', findings: [{ start: 6, end: 22, value: SUBJ }] },
    { text: '\n21 43 65 87\n', findings: [{ start: 1, end: 12, value: SUBJ }] },
    { text: 'navn;21436587;x', findings: [{ start: 5, end: 13, value: SUBJ }] },
    {
      text: '"21436587",31415926',
      findings: [
        { start: 1, end: 9, value: SUBJ },
        { start: 11, end: 19, value: '+4531415926', subject: false },
      ],
    },
    {
      text: 'a: 21436587, b: 21 43 65 87',
      findings: [
        { start: 3, end: 11, value: SUBJ },
        { start: 16, end: 27, value: SUBJ },
      ],
    },
  ],
  none: [
    '',
    'ingen numre her',
    // A longer digit run: more groups, order numbers, IBANs, account numbers.
    '21 43 65 87 99',
    '99 21 43 65 87',
    '21436587 12',
    '2143 6587 9',
    '21 43 65 87-2',
    '9921436587',
    '2143658799',
    'Ordrenummer 214365871',
    'Order 12143658700',
    'DK50 0040 0440 1162 43',
    'DK50 2143 6587 1162 43',
    'konto 5021436587',
    '1.21436587',
    '214365-8712',
    // Glued to letters: part of a longer token.
    'x21436587',
    '21436587x',
    'ID21436587',
    // Someone else's number, or the same digits in another country.
    '+45 21 43 65 88',
    '31 41 59 26',
    '+46 21 43 65 87',
    '0046 21436587',
    // Too short.
    '2143658',
    '21 43 65 8',
  ],
});

testDetector(phone, {
  subject: null,
  all: true,
  found: [
    { text: 'Ring til 31 41 59 26', findings: [{ start: 9, end: 20, value: '+4531415926' }] },
    { text: '+45 21 43 65 87', findings: [{ start: 0, end: 15, value: SUBJ }] },
    { text: '+46 70 123 45 67', findings: [{ start: 0, end: 16, value: '+46701234567' }] },
    { text: 'tlf 3141 5926', findings: [{ start: 4, end: 13, value: '+4531415926' }] },
    {
      text: 'Karen: 31415926, Hans: +45 40 40 40 40',
      findings: [
        { start: 7, end: 15, value: '+4531415926' },
        { start: 23, end: 38, value: '+4540404040' },
      ],
    },
  ],
  none: [
    // Dates are not phone numbers.
    '21.04.2023',
    '21-04-2023',
    '21 04 2023',
    '2023-04-21',
    'Mødet 01.12.1999 kl. 10',
    // Amounts, order numbers, IBANs, longer runs, shapes no one writes a Danish number in.
    '12.345.678',
    'DKK 1.234.567,00',
    'DK50 0040 0440 1162 43',
    'Ordre 2143658712',
    '31 41 59 26 53',
    '3 1415926',
    '314 159 26 53',
    '31415 926',
    // Not a valid Danish number.
    '12 34 56 78',
    '+45 12 34 56 78',
  ],
});

describe('phone --all with the subject', () => {
  const subject = subjectOf();

  it("flags the subject's number and keeps the others as inventory", () => {
    const got = detectIn(phone, 'Søren: 21 43 65 87, Karen: 31 41 59 26', subject, true);
    expect(got.map(({ start, end, value, subject: s }) => ({ start, end, value, subject: s }))).toEqual([
      { start: 7, end: 18, value: SUBJ, subject: true },
      { start: 27, end: 38, value: '+4531415926', subject: false },
    ]);
  });

  it("returns other people's numbers without --all too, as not the subject's (they are counted, not listed)", () => {
    const got = detectIn(phone, 'Karen: 31 41 59 26, Søren: 21 43 65 87, ordre 12 34 56 78', subject, false);
    expect(got.map(({ start, end, value, subject: s }) => ({ start, end, value, subject: s }))).toEqual([
      { start: 7, end: 18, value: '+4531415926', subject: false },
      { start: 27, end: 38, value: SUBJ, subject: true },
    ]);
    // The same numbers as an inventory finds, also for a subject without a phone number.
    const noPhone = subjectOf({ name: 'Søren Kjærgaard Østergård', cpr: ['150387-1236'] });
    expect(
      detectIn(phone, 'ring til Jens Hansen på 22 33 44 55', noPhone, false).map((c) => c.value),
    ).toEqual(['+4522334455']);
  });

  it('is more confident with a phone context word, a prefix, and for the subject', () => {
    const conf = (text: string, all = true) => detectIn(phone, text, subject, all)[0].confidence;
    expect(conf('tlf. 31 41 59 26')).toBeGreaterThan(conf('kode 31 41 59 26'));
    expect(conf('+45 21 43 65 87')).toBeGreaterThan(conf('21 43 65 87'));
    expect(conf('21 43 65 87')).toBeGreaterThan(conf('tlf. 31 41 59 26'));
  });

  it('trusts eight bare digits that read as a date less than a written number', () => {
    const conf = (text: string) => detectIn(phone, text, subjectOf(null), true)[0].confidence;
    expect(conf('20230421')).toBeLessThan(conf('31415926'));
    expect(conf('21042023')).toBeLessThan(conf('21 04 20 23'));
  });
});

describe('phone subject outside Denmark', () => {
  const swede = subjectOf({ name: 'Sven Svensson', phones: ['+46 70 123 45 67'] });

  it('matches the national writing with a trunk 0 and the international writing', () => {
    const text = 'Ring 070-123 45 67 eller +46 70 123 45 67 eller +46 (0)70 123 45 67';
    expect(detectIn(phone, text, swede).map((c) => [c.start, c.end, c.value])).toEqual([
      [5, 18, '+46701234567'],
      [25, 41, '+46701234567'],
      [48, 67, '+46701234567'],
    ]);
  });

  it("does not read the same eight digits as the subject's number (they are a Danish number of someone else)", () => {
    expect(detectIn(phone, '70 12 34 56', swede).map((c) => [c.value, c.subject])).toEqual([
      ['+4570123456', false],
    ]);
  });
});

describe('phone pattern', () => {
  /** The plain definition: every digit-group run, prefixed or not, whatever its length. */
  const PLAIN =
    /(?<![\p{L}\p{N}+_]|\d[ \u00a0.-])((?:\(\+?\d{1,3}\)|\+\d{1,3}|00\d{2,3})[ \u00a0.-]?(?:\(0\)[ \u00a0]?)?)?(\d{2,4}(?:[ \u00a0.-]?\d{2,4}){0,5})(?![\p{L}\p{N}_]|[ \u00a0.-]\d)/gu;
  /** Pieces that make digit runs of every length, separators, prefixes and their near misses. */
  const PIECES = ['0', '00', '12', '345', '6789', '21', '4', '0045', '+45', '(+45)', '(0)', '+4', '(', ')'];
  const GLUE = [' ', ' ', '', '', '-', '.', NBSP, '  ', 'a', 'ø', ':', '_', '\n', '1'];

  /** Matches that can become a number: a prefix, eight digits, or a national number of `minDigits` or more. */
  function numbers(re: RegExp, text: string, minDigits: number): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(re)) {
      const body = m[2] ?? m[3];
      const digits = body.replace(/\D/g, '');
      if (m[1] || digits.length === 8 || (digits.startsWith('0') && digits.length >= minDigits))
        out.push(`${m.index}:${m[0]}|${m[1] ?? ''}|${body}`);
    }
    return out;
  }

  it.each([8, 6, 3])(
    'finds exactly what the plain pattern finds that can be a number (at least %i digits)',
    (min) => {
      const random = seededRandom(min);
      const fast = phonePattern(min);
      let compared = 0;
      for (let t = 0; t < 6000; t++) {
        const text = piecesAndGlue(random, 2 + random(12), PIECES, GLUE);
        const expected = numbers(PLAIN, text, min);
        expect(numbers(fast, text, min), JSON.stringify(text)).toEqual(expected);
        compared += expected.length;
      }
      // The texts do hold numbers of every kind.
      expect(compared).toBeGreaterThan(1000);
    },
  );

  it('is found, tried only at digit runs, where the global pattern finds it (same matches and groups, in order)', () => {
    const random = seededRandom(5);
    // Besides the pieces: what the look-behind and look-ahead refuse or let pass, non-ASCII letters and
    // digits, astral letters, units whose low byte is a digit.
    const pieces = [...PIECES, '150387', '+', '٣', '𝟏', '１'];
    const glue = [...GLUE, 'é', '😀', '𝐀', '\u2030', '+', '(', ')', 'Z'];
    let compared = 0;
    for (let t = 0; t < 8000; t++) {
      const text = piecesAndGlue(random, 1 + random(14), pieces, glue);
      for (const min of [8, 6, 3, 2]) {
        const show = (m: RegExpExecArray) => `${m.index}:${m[0]}|${m[1]}|${m[2]}|${m[3]}`;
        const expected = [...text.matchAll(phonePattern(min))].map(show);
        expect(phoneMatchesByRuns(text, min).map(show), `${min} ${JSON.stringify(text)}`).toEqual(expected);
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(15_000);
  });

  it('is found the same way in short texts (by the pattern) and long ones (by the digit runs)', () => {
    const random = seededRandom(9);
    const show = (m: RegExpExecArray) => `${m.index}:${m[0]}|${m[1]}|${m[2]}|${m[3]}`;
    for (const length of [10, 200, SHORT_TEXT - 1, SHORT_TEXT, 5000]) {
      // Every piece is a character or more: `length` of them make at least that many.
      const text = piecesAndGlue(random, length, PIECES, GLUE).slice(0, length);
      const expected = [...text.matchAll(phonePattern(8))].map(show);
      expect(phoneMatches(text, 8).map(show), `${length}`).toEqual(expected);
    }
  });

  it('finds a subject national number abroad shorter than eight digits', () => {
    const vienna = subjectOf({ name: 'Anna Huber', phones: ['+43 1 12345'] });
    expect(detectIn(phone, 'ring 01 12345 eller +43 112345', vienna).map((c) => [c.start, c.value])).toEqual([
      [5, '+43112345'],
      [20, '+43112345'],
    ]);
  });
});

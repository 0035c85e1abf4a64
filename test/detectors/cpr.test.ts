import { describe, expect, it } from 'vitest';
import { cprMatches, cprMatchesByRuns } from '../../detectors/cpr.js';
import { cpr } from '../../detectors/index.js';
import { SHORT_TEXT } from '../../src/byte-scan/index.js';
import {
  cprCentury,
  cprDigits,
  formatCpr,
  isFutureCprDate,
  isValidCprDate,
  passesModulus11,
} from '../../src/match/cpr.js';
import { detectIn, subjectOf, testDetector } from '../helpers/detector-tester.js';
import { piecesAndGlue, seededRandom } from '../helpers/random.js';

const SUBJ = '150387-1236';
/** A number of someone else that passes modulus 11, and the same date with a check digit that fails it. */
const OTHER = '010190-1238';
const OTHER_MOD11_FAIL = '010190-1234';

// The subject's numbers (other valid numbers would come back too, as subject: false; these texts hold none).
testDetector(cpr, {
  subject: { cpr: [SUBJ] },
  found: [
    { text: '150387-1236', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '1503871236', findings: [{ start: 0, end: 10, value: SUBJ }] },
    { text: '150387 1236', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '150387\u00a01236', findings: [{ start: 0, end: 11, value: SUBJ }] },
    // The dashes a word processor puts in a hyphen's place: the same number.
    { text: 'CPR 150387\u20111236', findings: [{ start: 4, end: 15, value: SUBJ }] },
    { text: 'CPR 150387\u20131236.', findings: [{ start: 4, end: 15, value: SUBJ }] },
    { text: '150387\u20101236', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: '150387\u20121236', findings: [{ start: 0, end: 11, value: SUBJ }] },
    { text: 'CPR: 150387-1236.', findings: [{ start: 5, end: 16, value: SUBJ }] },
    { text: 'cpr-nr.150387-1236', findings: [{ start: 7, end: 18, value: SUBJ }] },
    { text: '(150387-1236)', findings: [{ start: 1, end: 12, value: SUBJ }] },
    { text: 'a;1503871236;b', findings: [{ start: 2, end: 12, value: SUBJ }] },
    { text: 'cpr1503871236', findings: [{ start: 3, end: 13, value: SUBJ }] },
    { text: '#150387-1236', findings: [{ start: 1, end: 12, value: SUBJ }] },
    { text: 'Fakturanummer 1503871236', findings: [{ start: 14, end: 24, value: SUBJ }] },
    {
      text: '150387-1236\n1503871236',
      findings: [
        { start: 0, end: 11, value: SUBJ },
        { start: 12, end: 22, value: SUBJ },
      ],
    },
  ],
  none: [
    '',
    // Someone else's number, a different check digit.
    '150387-1237',
    OTHER,
    // Inside a longer digit run.
    '15038712360',
    '01503871236',
    '0150387-1236',
    '150387-12366',
    '9150387 1236',
    '121503871236',
    'DK50 0040 1503 8712 36',
    // Written in a way a CPR number is not.
    '15 03 87 12 36',
    '1503-87-1236',
    '150387--1236',
    '150387 - 1236',
    '150387 \u2013 1236',
    '150387\u20141236',
    '150387\u2013\u20131236',
    '15.03.87-1236',
    '150387-123',
  ],
});

// Other people's valid numbers come back without --all too (subject: false): evidence tells a namesake
// from them and an erasure plan counts them (items[].others).
testDetector(cpr, {
  found: [
    {
      text: `Søren: ${SUBJ}, Karen: ${OTHER}`,
      findings: [
        { start: 7, end: 18, value: SUBJ },
        { start: 27, end: 38, value: OTHER, subject: false },
      ],
    },
    { text: 'Karen 0101901238', findings: [{ start: 6, end: 16, value: OTHER, subject: false }] },
    { text: 'Karen 320187-1234, 01019012389', findings: [] },
  ],
  none: [OTHER, '320187-1234'],
});

// Inventory mode: every plausible number, a valid date and century required.
testDetector(cpr, {
  subject: null,
  all: true,
  found: [
    { text: OTHER, findings: [{ start: 0, end: 11, value: OTHER }] },
    { text: 'CPR 0101901234', findings: [{ start: 4, end: 14, value: OTHER_MOD11_FAIL }] },
    // Issued since 2007, failing modulus 11: kept.
    { text: '010110-4233', findings: [{ start: 0, end: 11, value: '010110-4233' }] },
    // 29 February in leap years: 2000 (7th digit 4), 1996, 2004 (7th digit 5).
    { text: '290200-4234', findings: [{ start: 0, end: 11, value: '290200-4234' }] },
    { text: '290296-1234', findings: [{ start: 0, end: 11, value: '290296-1234' }] },
    { text: '290204-5234', findings: [{ start: 0, end: 11, value: '290204-5234' }] },
    // Written with a non-breaking hyphen or an en dash: one finding, the value as usual.
    { text: 'CPR 010190\u20111238', findings: [{ start: 4, end: 15, value: OTHER }] },
    { text: 'Karen 010190\u20131238,', findings: [{ start: 6, end: 17, value: OTHER }] },
    // Born in 1887 (7th digit 5, year 58–99): legal.
    { text: '150387-5234', findings: [{ start: 0, end: 11, value: '150387-5234' }] },
    {
      text: 'Karen 010190-1238 og Hans 311299 3333',
      findings: [
        { start: 6, end: 17, value: OTHER },
        { start: 26, end: 37, value: '311299-3333' },
      ],
    },
  ],
  none: [
    // Impossible dates.
    '320187-1234',
    '000187-1234',
    '150087-1234',
    '151387-1234',
    '310487-1234',
    // 29 February outside leap years: 1900 (7th digit 0–3), 1997, 1858 (7th digit 5).
    '290200-1234',
    '290297-1234',
    '290258-5234',
    // Born in the future: 23 April 2051 (7th digit 6, year 00–57), 29 February 2056.
    '230451-6782',
    'CPR 230451\u20136782',
    '290256-5234',
    '1234567890',
    '0000000000',
    // A longer digit run.
    'Ordre 12345678901',
    '01019012381',
    '+4501019012387',
  ],
});

describe('cpr confidence in --all mode', () => {
  const none = subjectOf(null);
  const conf = (text: string) => {
    const got = detectIn(cpr, text, none, true);
    expect(got).toHaveLength(1);
    return got[0].confidence;
  };
  const plain = conf(OTHER);

  it('raises on modulus 11 but does not drop a number that fails it', () => {
    expect(passesModulus11(cprDigits(OTHER))).toBe(true);
    expect(passesModulus11(cprDigits(OTHER_MOD11_FAIL))).toBe(false);
    expect(plain).toBeGreaterThan(conf(OTHER_MOD11_FAIL));
  });

  it('raises on CPR context words', () => {
    for (const ctx of ['CPR: ', 'cpr-nr. ', 'CPR-nummer ', 'Personnummer ', 'personnr: ']) {
      expect(conf(`${ctx}${OTHER}`), ctx).toBeGreaterThan(plain);
    }
    expect(conf(`CPR ${OTHER_MOD11_FAIL}`)).toBeGreaterThan(conf(OTHER_MOD11_FAIL));
  });

  it('lowers on invoice, order and production-unit context', () => {
    for (const ctx of [
      'Fakturanummer ',
      'fakturanr. ',
      'Ordrenummer: ',
      'ordre ',
      'Invoice ',
      'P-nr. ',
      'Kundenr. ',
    ]) {
      expect(conf(`${ctx}${OTHER}`), ctx).toBeLessThan(plain);
    }
  });

  it('lets the nearest context word decide', () => {
    expect(conf(`Ordre 12, CPR ${OTHER}`)).toBe(conf(`CPR ${OTHER}`));
    expect(conf(`CPR oplyst, fakturanr. ${OTHER}`)).toBe(conf(`fakturanr. ${OTHER}`));
  });

  it('reads context words as words, not inside other words', () => {
    expect(conf(`ocean ${OTHER}`)).toBe(plain);
    expect(conf(`scpr ${OTHER}`)).toBe(plain);
    expect(conf(`CPR ${'x'.repeat(60)} ${OTHER}`)).toBe(plain);
  });

  it('doubts a number glued to + - # % or /', () => {
    for (const text of [`+${OTHER}`, `-${OTHER}`, `#${OTHER}`, `${OTHER}%`, `${OTHER}-`, `nr/${OTHER}`]) {
      expect(conf(text), text).toBeLessThan(plain);
    }
  });

  it('doubts a number in a dense list of other ten-digit numbers', () => {
    const list = `4455667788 ${OTHER} 5566778899 6677889900`;
    const got = detectIn(cpr, list, none, true).find((c) => c.value === OTHER);
    expect(got?.confidence).toBeLessThan(plain);
    expect(conf(`Karen ${OTHER} har ringet`)).toBe(plain);
  });

  it('trusts a 19th-century birth year less', () => {
    expect(conf('150387-5234')).toBeLessThan(conf('150387-1234'));
  });

  it("keeps the subject's own number flagged as the subject and above a plain inventory number", () => {
    const subject = subjectOf({ cpr: [SUBJ] });
    for (const text of [`Fakturanummer ${SUBJ}`, `#${SUBJ}`, `4455667788 ${SUBJ} 5566778899 6677889900`]) {
      const got = detectIn(cpr, text, subject, true).find((c) => c.subject);
      expect(got?.value, text).toBe(SUBJ);
      expect(got!.confidence, text).toBeGreaterThan(plain);
      expect(got!.confidence, text).toBeGreaterThanOrEqual(0.8);
    }
    expect(detectIn(cpr, SUBJ, subject, true)[0].confidence).toBeGreaterThan(
      detectIn(cpr, `#${SUBJ}`, subject, true)[0].confidence,
    );
  });
});

describe('CPR rules', () => {
  it.each([
    [87, 0, 1987],
    [87, 3, 1987],
    [0, 0, 1900],
    [10, 4, 2010],
    [36, 4, 2036],
    [37, 4, 1937],
    [0, 5, 2000],
    [57, 5, 2057],
    [58, 5, 1858],
    [99, 8, 1899],
    [36, 9, 2036],
    [37, 9, 1937],
  ])('cprCentury(%i, 7th digit %i) = %i', (yy, seventh, year) => {
    expect(cprCentury(yy, seventh)).toBe(year);
  });

  it.each([
    ['1503871236', true],
    ['3112991234', true],
    ['0101001234', true],
    ['2902004234', true], // 2000 is a leap year
    ['2902001234', false], // 1900 is not
    ['2902961234', true],
    ['2902971234', false],
    ['2902565234', true], // 2056
    ['2902585234', false], // 1858
    ['2902368234', true], // 2036
    ['3104871234', false],
    ['3202871234', false],
    ['0013871234', false],
    ['0001871234', false],
    ['3200871234', false],
    ['150387123', false],
    ['15038712a6', false],
  ])('isValidCprDate(%s) = %s', (digits, valid) => {
    expect(isValidCprDate(digits)).toBe(valid);
  });

  it.each([
    ['0101901238', true],
    ['1503871234', true],
    ['1503871236', false],
    ['0101901234', false],
  ])('passesModulus11(%s) = %s', (digits, ok) => {
    expect(passesModulus11(digits)).toBe(ok);
  });

  it.each([
    ['2304516782', '2026-12-07', true], // 2051
    ['2902565234', '2026-12-07', true], // 2056
    ['0712265234', '2026-12-07', false], // today
    ['0812265234', '2026-12-07', true], // tomorrow
    ['0812265234', '2026-12-08', false],
    ['1503871236', '2026-12-07', false],
    ['0101001234', '2026-12-07', false], // 1900
  ])('isFutureCprDate(%s) on %s = %s', (digits, today, future) => {
    const [y, m, d] = today.split('-').map(Number);
    expect(isFutureCprDate(digits, new Date(y, m - 1, d, 12))).toBe(future);
  });

  it('normalises separators', () => {
    expect(cprDigits('150387-1236')).toBe('1503871236');
    expect(cprDigits('150387 1236')).toBe('1503871236');
    expect(cprDigits('150387\u20111236')).toBe('1503871236');
    expect(cprDigits('150387\u20131236')).toBe('1503871236');
    expect(formatCpr('1503871236')).toBe(SUBJ);
  });
});

describe('CPR matches', () => {
  /** The plain definition the digit-run reading stands for. */
  const CPR_RE = /(?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d)/g;

  it('are what the regex finds, read off the runs of digits', () => {
    const random = seededRandom(3);
    const pieces = ['150387', '1236', '1503871236', '12', '0', '12345', '1234567', '٣', '１', '\u2030'];
    const glue = [
      '',
      '',
      '-',
      ' ',
      '\u00a0',
      '--',
      '.',
      'a',
      '\n',
      '/',
      '😀',
      '\u2011',
      '\u2013',
      '\u2014',
      '\u200f',
    ];
    let compared = 0;
    for (let t = 0; t < 20_000; t++) {
      const text = piecesAndGlue(random, 1 + random(8), pieces, glue);
      const expected = [...text.matchAll(CPR_RE)].map((m) => [m.index, m.index + m[0].length, m[1] + m[3]]);
      expect(cprMatchesByRuns(text), JSON.stringify(text)).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(5_000);
  });

  it('are the same in short texts (by the regex) and long ones (by the digit runs)', () => {
    const line = 'kunde 150387-1236, 1503871236 og 150387 12345, 150387\u20131236; ';
    for (const length of [10, 200, SHORT_TEXT - 1, SHORT_TEXT, 5000]) {
      const text = line.repeat(Math.ceil(length / line.length)).slice(0, length);
      const expected = [...text.matchAll(CPR_RE)].map((m) => [m.index, m.index + m[0].length, m[1] + m[3]]);
      expect(expected.length).toBeGreaterThanOrEqual(length > 100 ? 3 : 0);
      expect(cprMatches(text), `${length}`).toEqual(expected);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { email } from '../../detectors/index.js';
import { detectIn, subjectOf, testDetector } from '../helpers/detector-tester.js';

const SUBJ = 'soren.ostergard@example.dk';

testDetector(email, {
  subject: { emails: [SUBJ] },
  found: [
    { text: SUBJ, findings: [{ start: 0, end: 26, value: SUBJ }] },
    { text: 'SOREN.OSTERGARD@EXAMPLE.DK', findings: [{ start: 0, end: 26, value: SUBJ }] },
    { text: 'Soren.Ostergard@Example.Dk', findings: [{ start: 0, end: 26, value: SUBJ }] },
    { text: `mailto:${SUBJ}`, findings: [{ start: 7, end: 33, value: SUBJ }] },
    { text: `MAILTO:${SUBJ}?subject=Hej`, findings: [{ start: 7, end: 33, value: SUBJ }] },
    { text: `<a href="mailto:${SUBJ}">skriv</a>`, findings: [{ start: 16, end: 42, value: SUBJ }] },
    { text: `From: Søren <${SUBJ}>`, findings: [{ start: 13, end: 39, value: SUBJ }] },
    { text: `Skriv til ${SUBJ}.`, findings: [{ start: 10, end: 36, value: SUBJ }] },
    { text: `(${SUBJ}),`, findings: [{ start: 1, end: 27, value: SUBJ }] },
    { text: `"${SUBJ}"`, findings: [{ start: 1, end: 27, value: SUBJ }] },
    { text: `e-mail:${SUBJ}`, findings: [{ start: 7, end: 33, value: SUBJ }] },
    { text: `${SUBJ}!`, findings: [{ start: 0, end: 26, value: SUBJ }] },
    {
      text: `Cc: karen@example.dk; ${SUBJ}`,
      findings: [
        { start: 4, end: 20, value: 'karen@example.dk', subject: false },
        { start: 22, end: 48, value: SUBJ },
      ],
    },
    {
      text: `${SUBJ}\n${SUBJ.toUpperCase()}`,
      findings: [
        { start: 0, end: 26, value: SUBJ },
        { start: 27, end: 53, value: SUBJ },
      ],
    },
  ],
  none: [
    '',
    'no address here @ all',
    // Inside a longer token: a longer local part or a longer domain.
    `x${SUBJ}`,
    `my.${SUBJ}`,
    `${SUBJ}x`,
    `${SUBJ}2`,
    `${SUBJ}_old`,
    `${SUBJ}.evil.com`,
    `${SUBJ}-x.com`,
    // A different address.
    'soren.ostergard@sub.example.dk',
    'soren.ostergard@example.de',
    'soren_ostergard@example.dk',
    's.ostergaard@other.dk',
    'soren.ostergard@example',
    'soren.ostergard at example.dk',
  ],
});

testDetector(email, {
  subject: null,
  all: true,
  found: [
    { text: 'karen@example.dk', findings: [{ start: 0, end: 16, value: 'karen@example.dk' }] },
    {
      text: 'Kontakt: A.B-C+tag@Mail.Example.co.uk.',
      findings: [{ start: 9, end: 37, value: 'a.b-c+tag@mail.example.co.uk' }],
    },
    { text: 'æble@øst.dk', findings: [{ start: 0, end: 11, value: 'æble@øst.dk' }] },
    {
      text: 'a@x.dk,b@y.org',
      findings: [
        { start: 0, end: 6, value: 'a@x.dk' },
        { start: 7, end: 14, value: 'b@y.org' },
      ],
    },
  ],
  none: [
    '@example.dk',
    'user@',
    'a@b',
    'user@localhost',
    'x@y.c',
    '1.2@3.45',
    'user@-example.dk',
    'user@.dk',
  ],
});

describe("other people's addresses without --all", () => {
  it("come back as not the subject's, to tell a namesake and to count them", () => {
    const got = detectIn(email, `${SUBJ}, s.ostergaard@other.dk, karen@example.dk`, subjectOf(), false);
    expect(got.map(({ start, end, value, subject }) => ({ start, end, value, subject }))).toEqual([
      { start: 0, end: 26, value: SUBJ, subject: true },
      { start: 28, end: 49, value: 's.ostergaard@other.dk', subject: false },
      { start: 51, end: 67, value: 'karen@example.dk', subject: false },
    ]);
    expect(got[0].confidence).toBeGreaterThan(got[1].confidence);
  });
});

/** Where `written(value)` finds the value in a text (for highlighting): `[start, end]` of each match. */
const writtenAt = (value: string, text: string) =>
  [...text.matchAll(email.written(value))].map((m) => [m.index, m.index + m[0].length]);

describe('email written(): the address as a whole token, never part of a longer one', () => {
  const found: [string, number[][]][] = [
    [SUBJ, [[0, 26]]],
    [`Skriv til ${SUBJ}.`, [[10, 36]]],
    [`<${SUBJ}>`, [[1, 27]]],
    [`mailto:${SUBJ}?subject=Hej`, [[7, 33]]],
    [`(${SUBJ.toUpperCase()}),`, [[1, 27]]],
    [
      `${SUBJ}, ${SUBJ}`,
      [
        [0, 26],
        [28, 54],
      ],
    ],
    [`${SUBJ}\n`, [[0, 26]]],
  ];
  it.each(found)('finds it in %j at the exact offsets', (text, spans) => {
    expect(writtenAt(SUBJ, text)).toEqual(spans);
  });
  const none = [
    `x${SUBJ}`,
    `my.${SUBJ}`,
    `jo_${SUBJ}`,
    `a+${SUBJ}`,
    `${SUBJ}x`,
    `${SUBJ}2`,
    `${SUBJ}_old`,
    `${SUBJ}-x.com`,
    `${SUBJ}.evil.com`,
    `søren.ostergard@example.dk`.replace('søren', 'øsoren'),
  ];
  it.each(none)('finds nothing in %j', (text) => {
    expect(writtenAt(SUBJ, text)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { name } from '../../detectors/index.js';
import { detectIn, subjectOf, testDetector } from '../helpers/detector-tester.js';

// The shared subject: Søren Kjærgaard Østergård, alias Søren K. Østergård.
testDetector(name, {
  found: [
    { text: 'Søren Østergård', findings: [{ start: 0, end: 15, value: 'Søren Østergård' }] },
    {
      text: 'Søren Kjærgaard Østergård',
      findings: [{ start: 0, end: 25, value: 'Søren Kjærgaard Østergård' }],
    },
    {
      text: 'Søren Kjærgård Østergård',
      findings: [{ start: 0, end: 24, value: 'Søren Kjærgård Østergård' }],
    },
    { text: 'Soeren Oestergaard', findings: [{ start: 0, end: 18, value: 'Soeren Oestergaard' }] },
    { text: 'Soren Ostergaard', findings: [{ start: 0, end: 16, value: 'Soren Ostergaard' }] },
    { text: 'Soren Ostergard', findings: [{ start: 0, end: 15, value: 'Soren Ostergard' }] },
    { text: 'Sören Östergård', findings: [{ start: 0, end: 15, value: 'Sören Östergård' }] },
    {
      text: 'Søren Kjaergaard Oestergaard',
      findings: [{ start: 0, end: 28, value: 'Søren Kjaergaard Oestergaard' }],
    },
    { text: 'SØREN ØSTERGÅRD', findings: [{ start: 0, end: 15, value: 'SØREN ØSTERGÅRD' }] },
    { text: 'SOEREN OESTERGAARD', findings: [{ start: 0, end: 18, value: 'SOEREN OESTERGAARD' }] },
    { text: 'søren østergård', findings: [{ start: 0, end: 15, value: 'søren østergård' }] },
    // Across line breaks, extra spaces and no-break spaces.
    { text: 'Søren\nØstergård', findings: [{ start: 0, end: 15, value: 'Søren Østergård' }] },
    { text: 'Søren\r\nØstergård', findings: [{ start: 0, end: 16, value: 'Søren Østergård' }] },
    { text: 'Søren  \n  Østergård', findings: [{ start: 0, end: 19, value: 'Søren Østergård' }] },
    { text: 'Søren\u00a0Østergård', findings: [{ start: 0, end: 15, value: 'Søren Østergård' }] },
    {
      text: 'Søren\tKjærgaard\n Østergård',
      findings: [{ start: 0, end: 26, value: 'Søren Kjærgaard Østergård' }],
    },
    // Surname first.
    { text: 'Østergård, Søren', findings: [{ start: 0, end: 16, value: 'Østergård, Søren' }] },
    {
      text: 'Østergård, Søren Kjærgaard',
      findings: [{ start: 0, end: 26, value: 'Østergård, Søren Kjærgaard' }],
    },
    { text: 'Ostergaard,Soren', findings: [{ start: 0, end: 16, value: 'Ostergaard,Soren' }] },
    { text: 'Navn: Østergård, S.', findings: [{ start: 6, end: 19, value: 'Østergård, S.' }] },
    // Initials for the first and middle names; middle name left out or as an initial.
    { text: 'S. K. Østergård', findings: [{ start: 0, end: 15, value: 'S. K. Østergård' }] },
    { text: 'S.K. Østergård', findings: [{ start: 0, end: 14, value: 'S.K. Østergård' }] },
    { text: 'S. Østergård', findings: [{ start: 0, end: 12, value: 'S. Østergård' }] },
    { text: 'S Østergård', findings: [{ start: 0, end: 11, value: 'S Østergård' }] },
    { text: 'Søren K. Østergård', findings: [{ start: 0, end: 18, value: 'Søren K. Østergård' }] },
    { text: 'Søren K Østergård', findings: [{ start: 0, end: 17, value: 'Søren K Østergård' }] },
    // Genitive.
    { text: 'Søren Østergårds bil', findings: [{ start: 0, end: 16, value: 'Søren Østergårds' }] },
    { text: "Søren Østergård's car", findings: [{ start: 0, end: 17, value: "Søren Østergård's" }] },
    { text: 'Søren Østergård’s car', findings: [{ start: 0, end: 17, value: 'Søren Østergård’s' }] },
    // In running text and punctuation.
    { text: 'Hej Søren Østergård!', findings: [{ start: 4, end: 19, value: 'Søren Østergård' }] },
    { text: '"Søren Østergård" <x@y.dk>', findings: [{ start: 1, end: 16, value: 'Søren Østergård' }] },
    {
      text: 'Til: Søren Østergård, Karen Jensen',
      findings: [{ start: 5, end: 20, value: 'Søren Østergård' }],
    },
    {
      text: 'Søren Østergård-Jensen? Nej: Søren Østergård.',
      findings: [{ start: 29, end: 44, value: 'Søren Østergård' }],
    },
    { text: 'Søren Østergård vil have en kopi', findings: [{ start: 0, end: 15, value: 'Søren Østergård' }] },
    {
      text: 'Søren Østergård og S. K. Østergård',
      findings: [
        { start: 0, end: 15, value: 'Søren Østergård' },
        { start: 19, end: 34, value: 'S. K. Østergård' },
      ],
    },
    // Decomposed input once normalised to NFC (the chunker does this before any detector runs).
    {
      name: 'NFD "Søren Østergård" after NFC',
      text: 'Søren Østergård'.normalize('NFD').normalize('NFC'),
      findings: [{ start: 0, end: 15, value: 'Søren Østergård' }],
    },
  ],
  none: [
    '',
    // A first name or a surname alone.
    'Søren',
    'Østergård',
    'Hej Søren, ring til Østergård',
    'Søren. Østergård kom senere',
    // Someone else with the same first name or surname.
    'Søren Jensen',
    'Karen Østergård',
    'Lars Østergård',
    'Jens Østergård',
    'Østergård, Karen',
    'Søren Lars Østergård',
    'K. Østergård',
    // Longer names: a different person.
    'Sørensen Østergård',
    'Søren Østergårdsen',
    'Hans-Søren Østergård',
    'Søren Jensen-Østergård',
    'Søren Østergård-Jensen',
    'Søren Østergaardsvej 4',
    // A street, place or company name.
    'Østergård Allé',
    'Søren Østergård Allé 4',
    'Søren Østergårds Vej 12',
    'Søren Østergårds Plads',
    'Søren Østergård ApS',
    'Søren Østergård A/S',
    'Søren Østergård Holding',
    'Østergård ApS',
    'A/S Østergård',
    'SØREN ØSTERGÅRD ALLÉ 4',
    // Lists of other people, read surname-first.
    'Karen Østergård, Søren',
    'Hans Østergård, Søren Jensen',
    'Østergård, Søren Jensen',
  ],
});

describe('name confidence', () => {
  const subject = subjectOf();
  const conf = (text: string) => detectIn(name, text, subject)[0].confidence;

  it('trusts the full name most, initials least, surname-first a little less', () => {
    expect(conf('Søren Kjærgaard Østergård')).toBeGreaterThan(conf('Søren Østergård'));
    expect(conf('Søren Østergård')).toBeGreaterThan(conf('S. K. Østergård'));
    expect(conf('Søren Østergård')).toBeGreaterThan(conf('Østergård, Søren'));
    expect(conf('S. Kjærgaard Østergård')).toBeGreaterThan(conf('S. K. Østergård'));
  });

  it('never runs across the values of structured text (headers, tags)', () => {
    const text = 'Title: Søren\nSubject: x\nKeywords: Søren\nØstergård';
    expect(name.detect({ text, structured: true }, { subject, all: false })).toEqual([]);
    expect(name.detect({ text, structured: false }, { subject, all: false }).map((c) => c.value)).toEqual([
      'Søren Østergård',
    ]);
    expect(
      name
        .detect({ text: 'Author: Søren Østergård', structured: true }, { subject, all: false })
        .map((c) => c.start),
    ).toEqual([8]);
  });

  it('names the profile name that matched', () => {
    expect(detectIn(name, 'Soeren Oestergaard', subject)[0].matched).toBe('Søren Kjærgaard Østergård');
  });

  it('finds nothing for a subject without a name', () => {
    expect(detectIn(name, 'Søren Østergård', subjectOf({ cpr: ['150387-1236'] }))).toEqual([]);
  });

  it('matches an ASCII profile name against Danish spellings', () => {
    const ascii = subjectOf({ name: 'Soeren Oestergaard' });
    for (const text of ['Søren Østergård', 'Soren Ostergaard', 'SOEREN OESTERGAARD']) {
      expect(
        detectIn(name, text, ascii).map((c) => [c.start, c.end]),
        text,
      ).toEqual([[0, text.length]]);
    }
  });

  it('matches an alias with another surname', () => {
    const married = subjectOf({ name: 'Karen Marie Holm', aliases: ['Karen Marie Jensen'] });
    expect(detectIn(name, 'Karen Jensen og Karen M. Holm', married).map((c) => c.value)).toEqual([
      'Karen Jensen',
      'Karen M. Holm',
    ]);
  });
});

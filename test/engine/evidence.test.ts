import { describe, expect, it } from 'vitest';
import { emailMadeOfName } from '../../detectors/email.js';
import { registry } from '../../detectors/index.js';
import type { Subject } from '../../src/core/types.js';
import { evidenceOf, type PlacedCandidate } from '../../src/engine/evidence.js';
import type { CompiledSubject } from '../../src/match/subject.js';
import { subjectOf } from '../helpers/detector-tester.js';

const subject = subjectOf();

/** Runs every text detector over the text of one item, as the engine does, and places the candidates. */
function candidatesIn(text: string, s: CompiledSubject, all = false, structured = false): PlacedCandidate[] {
  const out: PlacedCandidate[] = [];
  for (const d of registry.list) {
    for (const c of d.detect({ text, structured }, { subject: s, all })) {
      out.push({ ...c, field: 'body', offset: c.start, structured });
    }
  }
  return out;
}

const evidence = (text: string, all = false, s = subject) =>
  evidenceOf(candidatesIn(text, s, all), s, registry);
const pad = (n: number) => 'x'.repeat(n);

describe('evidence levels', () => {
  it.each([
    ['CPR 150387-1236', 'confirmed'],
    ['1503871236', 'confirmed'],
    ['Skriv til SOREN.OSTERGARD@example.dk', 'confirmed'],
    ['Tlf. +45 21 43 65 87', 'confirmed'],
    ['Søren Østergård, CPR 150387-1236', 'confirmed'],
    // A unique identifier of the subject outweighs a namesake sign in the same item.
    ['Søren Østergård 010190-1238, soren.ostergard@example.dk', 'confirmed'],
    ['Søren Østergård <s.ostergaard@other.dk>, tlf 21436587', 'confirmed'],
  ])('%j is %s', (text, level) => {
    expect(evidence(text)).toBe(level);
  });

  it.each([
    ['Søren Østergård', 'possible'],
    ['Østergård, Søren', 'possible'],
    ['S. K. Østergård skrev', 'possible'],
    // Other people's identifiers that say nothing about this name.
    ['Søren Østergård og karen@example.dk', 'possible'],
    ['Søren Østergård, tlf 31 41 59 26', 'possible'],
    ['Søren Østergård og steen.ostergaard@other.dk', 'possible'],
    ['Søren Østergård og info@ostergaard.dk', 'possible'],
    // A different CPR number too far from the name to be his.
    [`Søren Østergård ${pad(140)} 010190-1238`, 'possible'],
  ])('%j is %s', (text, level) => {
    expect(evidence(text)).toBe(level);
  });

  it.each([
    ['Søren Østergård, CPR 010190-1238', 'namesake'],
    ['CPR 010190-1238: Søren Østergård', 'namesake'],
    ['Søren Østergård <s.ostergaard@other.dk>', 'namesake'],
    ['Fra: soeren.oestergaard@gmail.com\nHilsen Søren Østergård', 'namesake'],
    [`Søren Østergård ${pad(133)} 010190-1238`, 'namesake'],
  ])('%j is %s', (text, level) => {
    expect(evidence(text)).toBe(level);
  });

  it('measures the namesake distance as 150 characters between the starts', () => {
    const at = (gap: number) => {
      const text = `Søren Østergård ${pad(gap)} 010190-1238`;
      const cands = candidatesIn(text, subject);
      const cpr = cands.find((c) => c.detector === 'cpr')!;
      return { distance: cpr.offset, level: evidenceOf(cands, subject, registry) };
    };
    expect(at(133)).toEqual({ distance: 150, level: 'namesake' });
    expect(at(134)).toEqual({ distance: 151, level: 'possible' });
  });

  it('reads a structured field (headers, tags) as one record whatever the distance', () => {
    const text = `Søren Østergård\n${pad(300)}\n010190-1238`;
    expect(evidenceOf(candidatesIn(text, subject, false, false), subject, registry)).toBe('possible');
    expect(evidenceOf(candidatesIn(text, subject, false, true), subject, registry)).toBe('namesake');
  });

  it('does not tie a name and a CPR number in different fields', () => {
    const name: PlacedCandidate = {
      detector: 'name',
      start: 0,
      end: 15,
      value: 'Søren Østergård',
      subject: true,
      confidence: 0.9,
      field: 'path',
      offset: 0,
    };
    const other: PlacedCandidate = {
      ...name,
      detector: 'cpr',
      value: '010190-1238',
      subject: false,
      field: 'body',
    };
    expect(evidenceOf([name, other], subject, registry)).toBe('possible');
    expect(evidenceOf([name, { ...other, field: 'path' }], subject, registry)).toBe('namesake');
  });

  it('gives no level to an item without the subject, also in --all mode', () => {
    expect(evidence('Karen Jensen, 010190-1238, karen@example.dk, 31 41 59 26', true)).toBeUndefined();
    expect(evidence('Søren Jensen og Karen Østergård')).toBeUndefined();
    expect(evidenceOf([], subject, registry)).toBeUndefined();
  });

  it('counts a face tag like a name', () => {
    const face: PlacedCandidate = {
      detector: 'face',
      start: 0,
      end: 15,
      value: 'Søren Østergård',
      subject: true,
      confidence: 0.9,
      field: 'xmp',
      offset: 0,
      structured: true,
    };
    expect(evidenceOf([face], subject, registry)).toBe('possible');
  });
});

describe('emailMadeOfName', () => {
  it.each([
    'soren.ostergaard@other.dk',
    'soren.ostergard@example.dk',
    'SOREN.OSTERGAARD@OTHER.DK',
    'soeren.oestergaard@gmail.com',
    'søren.østergård@post.dk',
    'sorenostergaard@other.dk',
    'ostergaard.soren@other.dk',
    'soren_k_ostergaard1987@other.dk',
    's.ostergaard@other.dk',
    'sk.ostergaard@other.dk',
    'ostergaard.s@other.dk',
  ])('%s is made of the name', (address) => {
    expect(emailMadeOfName(address, subject)).toBe(true);
  });

  it.each([
    'karen.ostergaard@other.dk',
    'steen.ostergaard@other.dk',
    'info@ostergaard.dk',
    'ostergaard@other.dk',
    'soren@ostergaard.dk',
    'soren.jensen@other.dk',
    'skj.ostergaard@other.dk',
    '@other.dk',
  ])('%s is not', (address) => {
    expect(emailMadeOfName(address, subject)).toBe(false);
  });

  it('uses aliases too, and needs a name in the profile', () => {
    const maiden = subjectOf({ name: 'Karen Holm', aliases: ['Karen Jensen'] } satisfies Subject);
    expect(emailMadeOfName('karen.jensen@x.dk', maiden)).toBe(true);
    expect(emailMadeOfName('karen.holm@x.dk', maiden)).toBe(true);
    expect(emailMadeOfName('soren.ostergaard@x.dk', subjectOf({ cpr: ['150387-1236'] }))).toBe(false);
  });
});

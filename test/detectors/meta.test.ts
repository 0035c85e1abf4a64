import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../detectors/index.js';
import { PROJECT } from '../helpers/cli.js';
import { subjectOf } from '../helpers/detector-tester.js';

/**
 * ESLint-style meta-test: every registered detector is tested, described, documented and declares
 * everything the rest of dsr reads from the registry (labels, mask, anchors, evidence, index tokens).
 */
const readme = readFileSync(join(PROJECT, 'README.md'), 'utf8');
const table = readme.split(/^## What counts as the subject's data$/m)[1]?.split(/^## /m)[0] ?? '';
const subject = subjectOf();
/** Values of every kind: a mask must hide something of each (never return it whole). */
const SAMPLES = ['150387-1236', '+4521436587', 'soren.ostergard@example.dk', 'Søren Kjærgaard Østergård'];

describe('detector registry', () => {
  it('has a README table under "What counts as the subject\'s data"', () => {
    expect(table).toMatch(/^\| detector \| finds \|$/m);
  });

  it('lists each detector once, by an id that is a lower-case word', () => {
    expect(new Set(registry.ids).size).toBe(registry.ids.length);
    for (const id of registry.ids) expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  for (const detector of registry.list) {
    const { id } = detector.meta;
    describe(id, () => {
      it(`has a table test in test/detectors/${id}.test.ts, with found cases at exact offsets and none cases`, () => {
        const file = join(PROJECT, 'test/detectors', `${id}.test.ts`);
        expect(existsSync(file), file).toBe(true);
        const source = readFileSync(file, 'utf8');
        expect(source).toMatch(/testDetector\(/);
        expect(source).toMatch(/found: \[/);
        expect(source).toMatch(/\{ start: \d+, end: \d+, value: /);
        expect(source).toMatch(/none: \[/);
      });

      it('has a description', () => {
        expect(detector.meta.description.trim().length).toBeGreaterThan(20);
      });

      it('has a row in the README detector table', () => {
        expect(table).toMatch(new RegExp(`^\\| \`${id}\` \\| \\S.*\\|$`, 'm'));
      });

      it('keeps its keywords lower-case, as the prefilter compares them', () => {
        for (const k of detector.meta.keywords) expect(k).toBe(k.toLowerCase());
      });

      it('has labels in English and Danish, and a colour for the report', () => {
        for (const lang of ['en', 'da'] as const) {
          const label = detector.meta.labels[lang];
          for (const key of ['short', 'one', 'many', 'category'] as const)
            expect(label[key].trim().length, `${lang}.${key}`).toBeGreaterThan(1);
        }
        expect(detector.meta.color).toMatch(/^#[0-9a-f]{6}$/);
      });

      it('masks every kind of value without showing it whole', () => {
        for (const value of SAMPLES) {
          const masked = detector.mask(value);
          expect(masked, value).not.toBe(value);
          expect(masked.length, value).toBeGreaterThan(0);
        }
      });

      it('has text and raw-byte anchors, evidence rules and index tokens for a subject', () => {
        expect(detector.anchors.text(subject)).toBeTypeOf('function');
        expect(detector.anchors.raw(subject).length).toBeGreaterThan(0);
        expect(['confirmed', 'possible']).toContain(detector.evidence.subject);
        if (detector.evidence.subject === 'possible') expect(detector.evidence.names).toBeDefined();
        expect(detector.indexTokens(subject).length).toBeGreaterThan(0);
        for (const t of detector.indexTokens(subject)) expect(t).toMatch(/^[wde]:\S+$/);
      });

      it('says how its values may be written, and hides other people’s in report snippets if it finds them', () => {
        expect(detector.written('x').flags).toContain('g');
        if (detector.meta.kind === 'identifier') expect(detector.conceal).toBeDefined();
        else expect(detector.meta.kind === 'name' || detector.meta.kind === 'face').toBe(true);
      });
    });
  }
});

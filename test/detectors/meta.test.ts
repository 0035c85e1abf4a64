import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.js';
import { DETECTOR_IDS } from '../../src/core/types.js';
import { PROJECT } from '../helpers/cli.js';

/** ESLint-style meta-test: every registered detector is tested, described and documented. */
const readme = readFileSync(join(PROJECT, 'README.md'), 'utf8');
const table = readme.split(/^## What counts as the subject's data$/m)[1]?.split(/^## /m)[0] ?? '';

describe('detector registry', () => {
  it('has a README table under "What counts as the subject\'s data"', () => {
    expect(table).toMatch(/^\| detector \| finds \|$/m);
  });

  it('lists each detector once, with a known id', () => {
    const ids = detectors.map((d) => d.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(DETECTOR_IDS).toContain(id);
  });

  for (const detector of detectors) {
    const { id } = detector.meta;
    describe(id, () => {
      it(`has a table test in test/detectors/${id}.test.ts`, () => {
        const file = join(PROJECT, 'test/detectors', `${id}.test.ts`);
        expect(existsSync(file), file).toBe(true);
        expect(readFileSync(file, 'utf8')).toMatch(/testDetector\(/);
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
    });
  }
});

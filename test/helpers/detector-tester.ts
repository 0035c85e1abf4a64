import { describe, expect, it } from 'vitest';
import type { Detector } from '../../detectors/define.js';
import type { Candidate, Subject } from '../../src/core/types.js';
import {
  type CompiledSubject,
  compileSubject,
  EMPTY_SUBJECT,
  validateSubject,
} from '../../src/match/subject.js';
import { SUBJECT } from './cli.js';

/** One expected candidate. `subject` defaults to true in subject mode and to false in `--all` mode. */
export interface ExpectedFinding {
  start: number;
  end: number;
  value: string;
  subject?: boolean;
}

export interface FoundCase {
  text: string;
  /** Every candidate the detector returns for `text`, in order. */
  findings: ExpectedFinding[];
  /** Optional test title; defaults to the text. */
  name?: string;
}

export interface DetectorCases {
  /** The subject profile, validated like `--subject`; default the shared fake subject. `null`: no subject. */
  subject?: Subject | null;
  /** Inventory mode: `none` then means no candidate at all, not only no subject candidate. */
  all?: boolean;
  found?: FoundCase[];
  /** Texts with no subject candidate (and, with `all`, no candidate at all). */
  none?: string[];
}

/** Compiles a subject profile exactly as `dsr scan --subject` does. */
export function subjectOf(profile: Subject | null = SUBJECT): CompiledSubject {
  return profile === null ? EMPTY_SUBJECT : compileSubject(validateSubject(profile));
}

/** Runs a detector on a bare text, as the engine does on a chunk. */
export function detectIn(
  detector: Detector,
  text: string,
  subject: CompiledSubject,
  all = false,
): Candidate[] {
  return detector.detect({ text }, { subject, all });
}

const show = (text: string) => JSON.stringify(text.length > 70 ? `${text.slice(0, 67)}…` : text);

/**
 * Generates one vitest case per table row (trufflehog / ESLint RuleTester style): a `found` row asserts
 * the exact candidates (offsets, normalised value, subject flag) and that the text passes the
 * detector's keyword prefilter; a `none` row asserts that nothing (of the subject) is found.
 * Every row is run twice to catch state leaking between calls (a global regex's lastIndex).
 */
export function testDetector(detector: Detector, cases: DetectorCases): void {
  const all = cases.all ?? false;
  const subject = subjectOf(cases.subject === undefined ? SUBJECT : cases.subject);
  const mode = all ? '--all' : 'subject';
  describe(`${detector.meta.id} (${mode})`, () => {
    for (const row of cases.found ?? []) {
      it(`finds in ${row.name ?? show(row.text)}`, () => {
        const keywords = detector.meta.keywords;
        if (keywords.length) {
          const lower = row.text.toLowerCase();
          expect(
            keywords.some((k) => lower.includes(k.toLowerCase())),
            'keyword prefilter fires',
          ).toBe(true);
        }
        const expected = row.findings.map((f) => ({
          start: f.start,
          end: f.end,
          value: f.value,
          subject: f.subject ?? !all,
        }));
        for (let run = 0; run < 2; run++) {
          const got = detectIn(detector, row.text, subject, all);
          expect(got.map(({ start, end, value, subject: s }) => ({ start, end, value, subject: s }))).toEqual(
            expected,
          );
          for (const c of got) {
            expect(c.detector).toBe(detector.meta.id);
            expect(c.confidence).toBeGreaterThan(0);
            expect(c.confidence).toBeLessThanOrEqual(1);
          }
        }
      });
    }
    for (const text of cases.none ?? []) {
      it(`finds nothing in ${show(text)}`, () => {
        for (let run = 0; run < 2; run++) {
          const got = detectIn(detector, text, subject, all);
          const relevant = all ? got : got.filter((c) => c.subject);
          expect(relevant.map((c) => ({ start: c.start, end: c.end, value: c.value }))).toEqual([]);
        }
      });
    }
  });
}

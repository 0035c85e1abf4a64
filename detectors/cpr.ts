import { type ByteSeq, digitRunsOf, exactSteps, SHORT_TEXT } from '../src/byte-scan/index.js';
import type { Candidate } from '../src/core/types.js';
import {
  cprCentury,
  cprDigits,
  formatCpr,
  isFutureCprDate,
  isValidCprDate,
  passesModulus11,
} from '../src/match/cpr.js';
import { clampConfidence, defineDetector } from './define.js';

/**
 * DDMMYY, an optional separator, SSSS; never part of a longer digit run. The separator is a hyphen, a
 * space or a no-break space, or a dash a word processor put in a hyphen's place (U+2010 hyphen, U+2011
 * non-breaking hyphen, U+2012 figure dash, U+2013 en dash): `150387–1236` is the same number. The regex
 * `(?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d)` read off the text's runs of ASCII digits
 * (a run of ten, or a run of six, one separator and a run of four). Its matches, in order, as
 * `[start, end, digits]`.
 */
export function cprMatches(text: string): [start: number, end: number, digits: string][] {
  if (text.length >= SHORT_TEXT) return cprMatchesByRuns(text);
  const out: [number, number, string][] = [];
  CPR_RE.lastIndex = 0;
  for (let m = CPR_RE.exec(text); m; m = CPR_RE.exec(text))
    out.push([m.index, m.index + m[0].length, m[1] + m[3]]);
  return out;
}

/** The regex `cprMatches` stands for: short texts are searched with it (see SHORT_TEXT). */
const CPR_RE = /(?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d)/g;

/** `cprMatches` read off the digit runs whatever the text's length (exported for its test). */
export function cprMatchesByRuns(text: string): [start: number, end: number, digits: string][] {
  const runs = digitRunsOf(text);
  const out: [number, number, string][] = [];
  for (let k = 0; k < runs.length; k += 2) {
    const start = runs[k];
    const end = runs[k + 1];
    if (end - start === 10) out.push([start, end, text.slice(start, end)]);
    else if (
      end - start === 6 &&
      runs[k + 2] === end + 1 &&
      runs[k + 3] - runs[k + 2] === 4 &&
      isCprSeparator(text.charCodeAt(end))
    ) {
      out.push([start, end + 5, text.slice(start, end) + text.slice(end + 1, end + 5)]);
      // The run of four is this number's.
      k += 2;
    }
  }
  return out;
}

/** `-`, space, no-break space, or U+2010 hyphen, U+2011 non-breaking hyphen, U+2012 figure dash, U+2013 en dash. */
function isCprSeparator(c: number): boolean {
  return c === 0x2d || c === 0x20 || c === 0xa0 || (c >= 0x2010 && c <= 0x2013);
}

const RAISE = [
  'cpr',
  'cpr-nr',
  'cprnr',
  'cpr.nr',
  'cpr-nummer',
  'personnummer',
  'personnr',
  'person nr',
  'person-nr',
  'fødselsnummer',
  'personal id',
  'social security',
  'ssn',
];
const LOWER = [
  'faktura',
  'fakturanummer',
  'fakturanr',
  'ordre',
  'ordrenummer',
  'ordrenr',
  'order',
  'invoice',
  'p-nr',
  'pnr',
  'kundenummer',
  'kundenr',
  'kunde-nr',
  'konto',
  'kontonummer',
  'account',
  'reg.nr',
  'varenummer',
  'sagsnummer',
  'reference',
  'ref.',
  'ref:',
  'sagsnr',
  'tlf',
  'telefon',
  'ean',
  'cvr',
  'se-nr',
];

/** How far before a number context words count. */
const CONTEXT_WIDTH = 40;
const escapeRegex = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Every context word at the start of a word (`faktura` also covers `fakturanr.`); the last one
 * before the number wins, so `Ordre 12, CPR 150387-1236` reads as a CPR number.
 */
const CONTEXT_RE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${[...RAISE, ...LOWER]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join('|')})`,
  'giu',
);
const RAISING = new Set(RAISE);

/**
 * What stands between a number's date and serial in a file's raw bytes: `-`, a space, a no-break space
 * (Windows-1252 0xA0, UTF-8 C2 A0), an en dash in Windows-1252 (0x96), U+2010–U+2013 in UTF-8.
 */
const RAW_SEPARATORS: readonly ByteSeq[] = [
  [0x2d],
  [0x20],
  [0xa0],
  [0xc2, 0xa0],
  [0x96],
  [0xe2, 0x80, [0x90, 0x93]],
];

export default defineDetector({
  meta: {
    id: 'cpr',
    kind: 'identifier',
    description:
      "Danish CPR numbers (DDMMYY-SSSS, with or without separator). Subject mode: the subject's numbers. Inventory mode: every plausible number (valid date and century; modulus 11 and context words raise confidence, invoice/order context, glued symbols and dense number lists lower it).",
    keywords: [],
    context: { raise: RAISE, lower: LOWER },
    labels: {
      en: { short: 'CPR', one: 'CPR number', many: 'CPR numbers', category: 'CPR number' },
      da: { short: 'CPR', one: 'CPR-nummer', many: 'CPR-numre', category: 'CPR-nummer' },
    },
    color: '#c0504d',
    profile: ['cpr'],
  },
  detect(chunk, { subject, all }) {
    const { text } = chunk;
    const out: Candidate[] = [];
    const today = new Date();
    for (const [start, end, digits] of cprMatches(text)) {
      const isSubject = subject.cprs.has(digits);
      // A birth date after today is no one's (the subject's own numbers were checked when given).
      if (!isSubject && (!isValidCprDate(digits) || isFutureCprDate(digits, today))) continue;
      const value = formatCpr(digits);
      if (!isSubject && !all) {
        // Without --all another person's number still tells a namesake and keeps an erasure plan from
        // deleting a file that holds it (items[].others); its confidence is not reported, skip the work.
        out.push({ detector: 'cpr', start, end, value, subject: false, confidence: 0.5 });
        continue;
      }
      let confidence = isSubject ? 0.95 : 0.5;
      if (passesModulus11(digits)) confidence += isSubject ? 0.02 : 0.2;
      const context = contextWord(text, start);
      if (context === 'raise') confidence += isSubject ? 0.02 : 0.25;
      if (context === 'lower') confidence -= isSubject ? 0.1 : 0.3;
      if (isGlued(text, start, end)) confidence -= isSubject ? 0.1 : 0.2;
      if (denseNumberList(text, start, end)) confidence -= isSubject ? 0.1 : 0.2;
      // A 19th-century birth year is legal but rare in live records.
      if (cprCentury(Number(digits.slice(4, 6)), Number(digits[6])) < 1900) confidence -= 0.1;
      out.push({
        detector: 'cpr',
        start,
        end,
        value,
        subject: isSubject,
        confidence: clampConfidence(confidence),
      });
    }
    return out;
  },
  mask: maskCpr,
  // Another person's number next to the subject's name tells a namesake ("his" CPR number).
  evidence: { subject: 'confirmed', namesake: 'near-name' },
  anchors: {
    // The last four digits are always written together (`150387-1236`, `1503871236`).
    text(subject) {
      const tails = [...subject.cprs].map((c) => c.slice(6));
      return tails.length ? (text) => tails.some((tail) => text.includes(tail)) : undefined;
    },
    raw: (subject) =>
      [...subject.cprs].map((digits) => ({
        kind: 'program',
        program: { steps: exactSteps(digits, (i) => i === 5), separators: RAW_SEPARATORS },
      })),
  },
  indexTokens: (subject) => [...subject.cprs].map((digits) => `d:${digits}`),
  written(value) {
    const d = cprDigits(value);
    return new RegExp(`(?<!\\d)${d.slice(0, 6)}[-\\s\\u00a0\\u2010-\\u2013]?${d.slice(6)}(?!\\d)`, 'g');
  },
  conceal: {
    // Never a part of a date, a time, a decimal or a version (`2024-01-01`, `1.503871236`).
    pattern: String.raw`(?<![\p{N}.:,/+-])\d{6}[- ]?\d{4}(?![\p{N}]|[.:,/-]\p{N})`,
    precedence: 3,
    mine: (written, subject) => subject.cprs.has(written.replace(/\D/g, '')),
  },
});

/** `150387-1236` -> `1503XX-XXXX`: the birth date's day and month stay, as dsr shows numbers in logs. */
export function maskCpr(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 10) return 'XXXXXX-XXXX';
  return `${digits.slice(0, 4)}XX-XXXX`;
}

/** The nearest context word before the number decides: an id-like word lowers, a CPR word raises. */
function contextWord(text: string, start: number): 'raise' | 'lower' | undefined {
  // Search only the window: on the whole text a miss would scan on to the end, once per number.
  const window = text.slice(Math.max(0, start - CONTEXT_WIDTH), start);
  CONTEXT_RE.lastIndex = 0;
  let last: string | undefined;
  for (let m = CONTEXT_RE.exec(window); m; m = CONTEXT_RE.exec(window)) last = m[0];
  if (last === undefined) return undefined;
  return RAISING.has(last.toLowerCase()) ? 'raise' : 'lower';
}

/** `+150387-1236`, `#1503871236`, `1503871236%`: part of a code or an amount, not a person. */
function isGlued(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  return isGlue(before) || before === 0x2f /* / */ || isGlue(after);
}

function isGlue(code: number): boolean {
  return code === 0x2b /* + */ || code === 0x2d /* - */ || code === 0x23 /* # */ || code === 0x25; /* % */
}

/** True when two or more other ten-digit numbers sit within 60 characters: a column of ids, not a person. */
function denseNumberList(text: string, start: number, end: number): boolean {
  const around = `${text.slice(Math.max(0, start - 60), start)} ${text.slice(end, end + 60)}`;
  const others = around.match(/(?<!\d)\d{6}[-\u00a0 \u2010-\u2013]?\d{4}(?!\d)/g);
  return (others?.length ?? 0) >= 2;
}

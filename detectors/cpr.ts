import type { Candidate } from '../src/core/types.js';
import { digitScanOf, SHORT_TEXT } from '../src/engine/byte-scan.js';
import { cprCentury, formatCpr, isFutureCprDate, isValidCprDate, passesModulus11 } from '../src/match/cpr.js';
import { clampConfidence, defineDetector } from './define.js';

/**
 * DDMMYY, an optional separator, SSSS; never part of a longer digit run. The separator is a hyphen, a
 * space or a no-break space, or a dash a word processor put in a hyphen's place (U+2010 hyphen, U+2011
 * non-breaking hyphen, U+2012 figure dash, U+2013 en dash): `150387–1236` is the same number. The regex
 * `(?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d)` read off the text's runs of ASCII digits by
 * the byte-scan module (a run of ten, or a run of six, one separator and a run of four). Its matches,
 * in order, as `[start, end, digits]`.
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
  const found = digitScanOf(text).cprMatches();
  const out: [number, number, string][] = [];
  for (let i = 0; i < found.length; i += 2) {
    const start = found[i];
    const end = found[i + 1];
    const digits =
      end - start === 10 ? text.slice(start, end) : text.slice(start, start + 6) + text.slice(end - 4, end);
    out.push([start, end, digits]);
  }
  return out;
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

export default defineDetector({
  meta: {
    id: 'cpr',
    description:
      "Danish CPR numbers (DDMMYY-SSSS, with or without separator). Subject mode: the subject's numbers. Inventory mode: every plausible number (valid date and century; modulus 11 and context words raise confidence, invoice/order context, glued symbols and dense number lists lower it).",
    keywords: [],
    context: { raise: RAISE, lower: LOWER },
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
});

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

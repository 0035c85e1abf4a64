import { type ByteSeq, digitRunsOf, exactSteps, SHORT_TEXT } from '../src/byte-scan/index.js';
import type { Candidate } from '../src/core/types.js';
import { phoneLib } from '../src/match/phone.js';
import type { CompiledSubject } from '../src/match/subject.js';
import { clampConfidence, defineDetector, textBefore } from './define.js';

const SEP = '[ \\u00a0.-]';
const PREFIX = `((?:\\(\\+?\\d{1,3}\\)|\\+\\d{1,3}|00\\d{2,3})${SEP}?(?:\\(0\\)[ \\u00a0]?)?)`;
const GROUPS = `(?:${SEP}?\\d{2,4}){0,5}`;

/**
 * An international prefix (`+45`, `0045`, `(+45)`, with a bracketed trunk `(0)`) and digit groups
 * joined by single separators; or, without a prefix, such groups starting where at least `minDigits`
 * digits follow. A shorter run without a prefix is never a number (eight digits in Denmark, or a
 * subject's national number abroad), and skipping it saves a match for every time of day and year
 * in a text (2.2 million on the bench corpus, 0.1 million left). The look-behind and look-ahead refuse
 * a number that continues a longer digit run (`21 43 65 87 99`, an order number, an IBAN).
 */
export function phonePattern(minDigits: number): RegExp {
  const atLeast = `(?=(?:${SEP}?\\d){${minDigits - 1}})`;
  return new RegExp(
    `(?<![\\p{L}\\p{N}+_]|\\d${SEP})(?:${PREFIX}(\\d{2,4}${GROUPS})|(\\d${atLeast}\\d{1,3}${GROUPS}))(?![\\p{L}\\p{N}_]|${SEP}\\d)`,
    'gu',
  );
}

const globalPatterns = new Map<number, RegExp>();
const stickyPatterns = new Map<number, RegExp>();

/** `phonePattern(minDigits)`, made once: `g`, or tried at one place only (`y`). */
function patternOf(minDigits: number, sticky: boolean): RegExp {
  const made = sticky ? stickyPatterns : globalPatterns;
  let re = made.get(minDigits);
  if (!re) {
    re = sticky ? new RegExp(phonePattern(minDigits).source, 'uy') : phonePattern(minDigits);
    made.set(minDigits, re);
  }
  return re;
}

const minDigitsFor = new WeakMap<CompiledSubject, number>();

/** The digits a number without a prefix needs: a subject's national number abroad (`0` + national) may have fewer than eight. */
function subjectMinDigits(subject: CompiledSubject): number {
  let min = minDigitsFor.get(subject);
  if (min === undefined) {
    min = 8;
    for (const national of subject.phoneNational.keys())
      if (national.startsWith('0')) min = Math.min(min, national.length);
    min = Math.max(2, min);
    minDigitsFor.set(subject, min);
  }
  return min;
}

/**
 * What a global `phonePattern(minDigits)` finds in `text`, in the same order. A match starts with a
 * digit that no digit precedes, or with `+`, `(` or `(+` right before one, so a long text's pattern is
 * tried, sticky, only at the places `phoneStarts` keeps of its runs of ASCII digits.
 */
export function phoneMatches(text: string, minDigits: number): RegExpExecArray[] {
  if (text.length < SHORT_TEXT) {
    const re = patternOf(minDigits, false);
    const out: RegExpExecArray[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push(m);
    return out;
  }
  return phoneMatchesByRuns(text, minDigits);
}

/** `phoneMatches` read off the digit runs whatever the text's length (exported for its test). */
export function phoneMatchesByRuns(text: string, minDigits: number): RegExpExecArray[] {
  const starts = phoneStarts(text, digitRunsOf(text), minDigits);
  const re = patternOf(minDigits, true);
  const out: RegExpExecArray[] = [];
  // Where the last match ended: the next one starts there or later.
  let next = 0;
  for (const start of starts) {
    if (start < next) continue;
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) {
      out.push(m);
      next = m.index + m[0].length;
    }
  }
  return out;
}

/**
 * Where the phone pattern may match, in order, given the text's digit runs (`[start, end, …]`): per
 * run, `(+` or `+` before it, `(` before it, and its start, each kept only where it may start a match:
 * - `(` or `(+` only when one to three digits and `)` follow;
 * - a run's start not after an ASCII letter, `_`, `+`, or a digit and a separator (the look-behind);
 * - then either `00` and two digits more (a prefix), or the runs joined to it by single separators
 *   holding `minDigits` digits and not running into an ASCII letter or `_`: a match without a prefix
 *   stays within them and ends where they end, as the look-ahead refuses a digit, or a separator and
 *   a digit, after it (ISO times, `2024-03-01T10:16:07`, are most of the places left out).
 */
function phoneStarts(text: string, runs: Int32Array, minDigits: number): number[] {
  // Out of the text, charCodeAt gives NaN, which no test below accepts.
  const out: number[] = [];
  for (let k = 0; k < runs.length; k += 2) {
    const s = runs[k];
    const e = runs[k + 1];
    const before = text.charCodeAt(s - 1);
    // `(+45)`, `(45)`: one to three digits, then ')'.
    const bracketed = e - s <= 3 && text.charCodeAt(e) === 0x29;
    if (before === 0x2b) {
      if (bracketed && text.charCodeAt(s - 2) === 0x28) out.push(s - 2);
      out.push(s - 1);
      continue;
    }
    if (bracketed && before === 0x28) out.push(s - 1);
    if (isWordChar(before) || (isSeparator(before) && isDigit(text.charCodeAt(s - 2)))) continue;
    if (e - s >= 4 && text.charCodeAt(s) === 0x30 && text.charCodeAt(s + 1) === 0x30) {
      // `0045…`: a prefix.
      out.push(s);
      continue;
    }
    // The runs joined to this one by single separators: their digits, and where they end.
    let digits = e - s;
    let last = e;
    for (
      let j = k + 2;
      j < runs.length && runs[j] === last + 1 && isSeparator(text.charCodeAt(last));
      j += 2
    ) {
      digits += runs[j + 1] - runs[j];
      last = runs[j + 1];
    }
    if (digits >= minDigits && !isWordChar(text.charCodeAt(last))) out.push(s);
  }
  return out;
}

/** An ASCII letter or `_`. */
function isWordChar(c: number): boolean {
  const lower = c | 0x20;
  return c === 0x5f || (lower >= 0x61 && lower <= 0x7a);
}

/** A separator of the phone pattern: space, no-break space, `.` or `-`. */
function isSeparator(c: number): boolean {
  return c === 0x20 || c === 0xa0 || c === 0x2e || c === 0x2d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Group shapes in which Danish numbers are written without a country prefix (`8`, `2-2-2-2`, `4-4`,
 * `2-2-4`, `3-3-2` digits), as digitsOf packs them.
 */
const DANISH_SHAPES = new Set([8, 2222, 44, 224, 332]);
/** `21.04.2023`: the shape of a written date. */
const DATE_SHAPE = 224;
/** `21.04.2023`, `21-04-2023`, `21 04 2023`: a date, never a phone number. */
const WRITTEN_DATE = /^(\d\d)([ \u00a0.-])(\d\d)\2((?:19|20)\d\d)$/;
/** Where a number written in a text starts and ends: not inside a date, time, decimal or version. */
const EDGE = String.raw`(?<![\p{N}.:,/+-])`;
const END = String.raw`(?![\p{N}]|[.:,/-]\p{N})`;
const RAISE = ['tlf', 'telefon', 'mobil', 'phone', 'tel.', 'tel:', 'ring', 'sms', 'fax', 'kontakt'];

const hints = new WeakMap<CompiledSubject, RegExp>();

/**
 * Every writing of the subject's number holds its national digits in order with at most one
 * separator between them (`21 43 65 87`, `+452143-6587`). A text without that sequence cannot hold
 * the subject's number.
 */
function subjectDigitsHint(subject: CompiledSubject): RegExp {
  let re = hints.get(subject);
  if (!re) {
    re = new RegExp(
      subjectPhoneDigits(subject)
        .map((d) => [...d].join('[ \\u00a0.-]?'))
        .join('|'),
    );
    hints.set(subject, re);
  }
  return re;
}

/** The digit runs that every writing of one of the subject's numbers holds, separators aside. */
function subjectPhoneDigits(subject: CompiledSubject): string[] {
  return [...subject.phoneNational].map(([local, e164]) =>
    local.startsWith('0') && !e164.startsWith('+45') ? local.slice(1) : local,
  );
}

/** A separator in a file's raw bytes: space, `.`, `-`, a no-break space (Windows-1252 0xA0, UTF-8 C2 A0). */
const RAW_SEPARATORS: readonly ByteSeq[] = [[0x20], [0x2e], [0x2d], [0xa0], [0xc2, 0xa0]];

export default defineDetector({
  meta: {
    id: 'phone',
    kind: 'identifier',
    description:
      'Phone numbers in the usual Danish and international writings, compared on the normalised (E.164) number; never a part of a longer digit run, never a written date.',
    keywords: [],
    context: { raise: RAISE },
    labels: {
      en: { short: 'phone', one: 'phone number', many: 'phone numbers', category: 'Phone number' },
      da: { short: 'telefon', one: 'telefonnummer', many: 'telefonnumre', category: 'Telefonnummer' },
    },
    color: '#8a63b8',
    profile: ['phones'],
  },
  // Other people's numbers come back too (subject: false), with or without --all, as e-mail addresses and
  // CPR numbers do: they keep an erasure plan from deleting a file or message that holds them.
  detect(chunk, { subject, all }) {
    const { text } = chunk;
    const out: Candidate[] = [];
    for (const m of phoneMatches(text, subjectMinDigits(subject))) {
      const prefix = m[1];
      const body = m[2] ?? m[3];
      const digits = digitsOf(body);
      const shape = lastShape;
      let e164: string | undefined;
      if (prefix) {
        // `+44 (0)20 …`: the bracketed trunk 0 is not dialled from abroad.
        const cc = prefix.replace('(0)', '').replace(/\D/g, '').replace(/^00/, '');
        e164 = `+${cc}${digits}`;
      } else if (digits.length === 8) {
        e164 = `+45${digits}`;
      } else if (digits.startsWith('0')) {
        e164 = subject.phoneNational.get(digits);
      }
      if (!e164) continue;
      if (!prefix && shape === DATE_SHAPE && isWrittenDate(body)) continue;
      const isSubject = subject.phones.has(e164);
      if (!isSubject) {
        if (!prefix && !DANISH_SHAPES.has(shape)) continue;
        if (!isValidNumber(e164)) continue;
        if (!all) {
          // Counted, not listed (items[].others): its confidence is not reported, skip the work.
          out.push({
            detector: 'phone',
            start: m.index,
            end: m.index + m[0].length,
            value: e164,
            subject: false,
            confidence: 0.5,
          });
          continue;
        }
      }
      const ctx = textBefore(text, m.index, 30);
      const context = RAISE.some((w) => ctx.includes(w));
      let confidence = isSubject ? (prefix || context ? 0.97 : 0.92) : context ? 0.85 : 0.6;
      // Eight bare digits that read as a date (20230421, 21042023) are as likely a date as a number.
      if (!isSubject && !prefix && !context && digits === body && isCompactDate(digits)) confidence -= 0.25;
      out.push({
        detector: 'phone',
        start: m.index,
        end: m.index + m[0].length,
        value: e164,
        subject: isSubject,
        confidence: clampConfidence(confidence),
      });
    }
    return out;
  },
  mask: maskPhone,
  evidence: { subject: 'confirmed' },
  anchors: {
    text(subject) {
      if (!subject.phones.size) return undefined;
      const hint = subjectDigitsHint(subject);
      return (text) => hint.test(text);
    },
    raw: (subject) =>
      subjectPhoneDigits(subject).map((digits) => ({
        kind: 'program',
        program: { steps: exactSteps(digits, () => true), separators: RAW_SEPARATORS },
      })),
  },
  indexTokens: (subject) => [
    ...[...subject.phones].map((e164) => `d:${e164.replace(/\D/g, '').slice(-8)}`),
    ...[...subject.phoneNational.keys()].map((national) => `d:${national}`),
  ],
  // The national digits (the last eight), with any spacing, and a country prefix if written.
  written(value) {
    const national = value.replace(/\D/g, '').slice(-8).split('').join('[\\s\\u00a0().-]*');
    return new RegExp(`(?<!\\d)(?:(?:\\+|00)\\s*\\(?\\d{1,3}\\)?[\\s\\u00a0-]*)?${national}(?!\\d)`, 'g');
  },
  display(value) {
    const p = phoneLib().parsePhoneNumberFromString(value);
    return p?.isValid() ? p.formatInternational() : value;
  },
  conceal: {
    // +45/0045 and 8 digits in pairs or fours, an international number, or 8 digits and more in a run;
    // never a run of unrelated numbers that only happen to stand side by side (a spreadsheet's cells).
    pattern: [
      String.raw`(?:(?<![\p{N}+])(?:\+|00)[ ]?\(?\d{1,3}\)?[ -]?|${EDGE})`,
      String.raw`(?:\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}|\d{4}[ -]?\d{4}|\d{3}[ -]?\d{3}[ -]?\d{3,4})${END}`,
      String.raw`|${EDGE}\d{8,}${END}`,
    ].join(''),
    precedence: 1,
    // Shorter runs stay: a phone number has eight digits at least.
    mine: (written, subject) => {
      const digits = written.replace(/\D/g, '');
      if (digits.length < 8) return true;
      return [...subject.phones].some((e164) => {
        const last = e164.replace(/\D/g, '').slice(-8);
        return last.length >= 6 && digits.endsWith(last);
      });
    },
  },
});

/** `+4521436587` -> `+4521XXXX87`: the last two digits and those before the last six stay. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return 'XXXX';
  const plus = value.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, Math.max(digits.length - 6, 0))}XXXX${digits.slice(-2)}`;
}

/** The shape of the number last read by digitsOf. */
let lastShape = 0;

/**
 * The digits of a number as written, its group lengths left in `lastShape` as decimal digits
 * (`21 43 65 87` → 2222, a group of nine digits or more counted as 9). One pass without a regex: every
 * other person's number in a subject scan comes through here (an export of many).
 */
function digitsOf(body: string): string {
  let digits = '';
  let shape = 0;
  let run = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 48 && c <= 57) run++;
    else {
      if (run) shape = shape * 10 + Math.min(run, 9);
      run = 0;
    }
  }
  if (run) shape = shape * 10 + Math.min(run, 9);
  lastShape = shape;
  if (shape < 10) return body;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += body[i];
  }
  return digits;
}

function isWrittenDate(body: string): boolean {
  const m = WRITTEN_DATE.exec(body);
  return m !== null && isDate(Number(m[1]), Number(m[3]));
}

function isCompactDate(digits: string): boolean {
  const y1 = Number(digits.slice(0, 4));
  if (y1 >= 1900 && y1 <= 2099 && isDate(Number(digits.slice(6, 8)), Number(digits.slice(4, 6)))) return true;
  const y2 = Number(digits.slice(4, 8));
  return y2 >= 1900 && y2 <= 2099 && isDate(Number(digits.slice(0, 2)), Number(digits.slice(2, 4)));
}

function isDate(day: number, month: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Danish numbers are eight digits starting with 2–9 (libphonenumber's metadata); parsing each one is slow. */
const validity = new Map<string, boolean>();

function isValidNumber(e164: string): boolean {
  // `+45[2-9]\d{7}`, without a regex: e164 holds only digits after its `+`.
  if (e164.startsWith('+45')) return e164.length === 11 && e164.charCodeAt(3) >= 50;
  let valid = validity.get(e164);
  if (valid === undefined) {
    valid = phoneLib().parsePhoneNumberFromString(e164)?.isValid() ?? false;
    // Bounded memory in a long scan of many different numbers.
    if (validity.size >= 10_000) validity.clear();
    validity.set(e164, valid);
  }
  return valid;
}

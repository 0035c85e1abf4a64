import { maskCpr, maskEmail, maskPhone } from '../../core/mask.js';
import type { Subject } from '../../core/types.js';

/** A piece of a context snippet: the subject's own value (shown in full, highlighted) or other text. */
export interface Segment {
  text: string;
  own: boolean;
}

/**
 * Hides other people's identifiers in a context snippet before it goes to the subject (GDPR art. 15(4):
 * the copy must not affect the rights of others). The subject's own e-mail addresses, phone numbers and
 * CPR numbers stay readable; any other e-mail, CPR-like or phone-like number is masked. Other people's
 * names cannot be told apart from ordinary words and stay as written.
 */
export function maskOthers(context: string, subject: Subject): string {
  return redactContext(context, subject)
    .map((s) => s.text)
    .join('');
}

/**
 * The context cut into the subject's own values and the rest, the rest with other people's identifiers
 * masked. The subject's values are found first, so that a neighbouring number (a spreadsheet's next
 * cell, the next line) never merges with one of them into a "phone number" that then gets masked.
 * Dates, times and version-like numbers are not identifiers and stay as written.
 */
export function redactContext(context: string, subject: Subject): Segment[] {
  const own = ownPattern(subject);
  const out: Segment[] = [];
  let at = 0;
  if (own)
    for (const m of context.matchAll(own)) {
      if (m.index > at) out.push({ text: maskRest(context.slice(at, m.index)), own: false });
      out.push({ text: m[0], own: true });
      at = m.index + m[0].length;
    }
  if (at < context.length) out.push({ text: maskRest(context.slice(at)), own: false });
  return out.filter((s) => s.text);
}

/** The subject's e-mails, CPR numbers (with or without separator) and phones (any grouping, with or without +45). */
function ownPattern(subject: Subject): RegExp | undefined {
  const alts: string[] = [];
  for (const e of subject.emails ?? [])
    if (e.trim()) alts.push(`(?<![\\p{L}\\p{N}._%+-])${escapeRe(e.trim())}(?![\\p{L}\\p{N}])`);
  for (const c of subject.cpr ?? []) {
    const d = digitsOf(c);
    if (d.length === 10) alts.push(`(?<!\\d)${d.slice(0, 6)}[ -]?${d.slice(6)}(?!\\d)`);
  }
  for (const p of subject.phones ?? []) {
    const d = digitsOf(p).slice(-8);
    if (d.length < 6) continue;
    const national = d.split('').join('[ ().-]?');
    alts.push(`(?<![\\d+])(?:(?:\\+|00)[ ]?\\(?45\\)?[ -]?)?${national}(?!\\d)`);
  }
  return alts.length ? new RegExp(alts.join('|'), 'giu') : undefined;
}

/**
 * Masks identifiers in a piece of context that holds none of the subject's values. A `…` only ever
 * stands at an end of the whole context (the snippet was cut there), so `^…` and `…$` mark cut numbers.
 */
function maskRest(text: string): string {
  return text.replace(
    IDENTIFIER,
    (
      m,
      keep: string | undefined,
      ip: string | undefined,
      email: string | undefined,
      cpr: string | undefined,
      cut: string | undefined,
    ) => {
      if (keep) return m;
      if (ip) return m.replace(/^(\d+\.\d+)\.\d+\.\d+$/, '$1.X.X');
      if (email) return maskEmail(m);
      // A number cut off by the end of the context cannot be compared: hide its digits.
      if (cut) return m.replace(/\d/g, 'X');
      if (cpr) return maskCpr(m);
      return digitsOf(m).length < 8 ? m : maskPhone(m);
    },
  );
}

const DIGIT_EDGE = String.raw`(?<![\p{N}.:,/+-])`;
const DIGIT_END = String.raw`(?![\p{N}]|[.:,/-]\p{N})`;

const IDENTIFIER = new RegExp(
  [
    // Not identifiers: ISO dates and times (2024-01-01T10:00:00Z), clock times, decimals, versions.
    String.raw`(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|(?<![\p{N}.:])\d{1,2}:\d{2}(?::\d{2})?(?![\p{N}])|(?<![\p{N}.,])\d+[.,]\d{1,2}(?![\p{N}.,]))`,
    // An IPv4 address: someone's connection, masked to its network.
    String.raw`(?<![\p{N}.])((?:\d{1,3}\.){3}\d{1,3})(?![\p{N}]|\.\p{N})`,
    // An address cut off by the end of the context (`name@exam…`) is still someone's address.
    String.raw`([\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}.-]+\.\p{L}{2,}|[\p{L}\p{N}.-]*(?=…)))`,
    String.raw`${DIGIT_EDGE}(\d{6}[- ]?\d{4})${DIGIT_END}`,
    String.raw`((?<=^…)\d[\d -]*\d|(?<=^…)\d|${DIGIT_EDGE}\d[\d -]*(?=…$)|${DIGIT_EDGE}\d(?=…$))`,
    // A phone number: +45/0045 and 8 digits in pairs or fours, or an international number; never a
    // run of unrelated numbers that only happen to stand side by side.
    String.raw`(?:(?<![\p{N}+])(?:\+|00)[ ]?\(?\d{1,3}\)?[ -]?|${DIGIT_EDGE})(?:\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}|\d{4}[ -]?\d{4}|\d{3}[ -]?\d{3}[ -]?\d{3,4})${DIGIT_END}`,
    String.raw`${DIGIT_EDGE}\d{8,}${DIGIT_END}`,
  ].join('|'),
  'gu',
);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

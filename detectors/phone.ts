import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Candidate } from '../src/core/types.js';
import { clampConfidence, defineDetector, textBefore } from './define.js';

/**
 * An optional international prefix (`+45`, `0045`, `(+45)`), then digit groups joined by single
 * separators. The look-behind and look-ahead refuse a number that continues a longer digit run
 * (`21 43 65 87 99`, an order number, an IBAN).
 */
const PHONE_RE =
  /(?<![\p{L}\p{N}+_]|\d[ \u00a0.-])((?:\(\+?\d{1,3}\)|\+\d{1,3}|00\d{2,3})[ \u00a0.-]?)?(\d{2,4}(?:[ \u00a0.-]?\d{2,4}){0,5})(?![\p{L}\p{N}_]|[ \u00a0.-]\d)/gu;

/** Group shapes in which Danish numbers are written without a country prefix. */
const DANISH_SHAPES = new Set(['8', '2-2-2-2', '4-4', '2-2-4', '3-3-2']);
const RAISE = ['tlf', 'telefon', 'mobil', 'phone', 'tel.', 'tel:', 'ring', 'sms', 'fax', 'kontakt'];

export default defineDetector({
  meta: {
    id: 'phone',
    description:
      'Phone numbers in the usual Danish and international writings, compared on the normalised (E.164) number; never a part of a longer digit run.',
    keywords: [],
    context: { raise: RAISE },
  },
  detect(chunk, { subject, all }) {
    if (!all && subject.phones.size === 0) return [];
    const { text } = chunk;
    const out: Candidate[] = [];
    PHONE_RE.lastIndex = 0;
    for (let m = PHONE_RE.exec(text); m; m = PHONE_RE.exec(text)) {
      const prefix = m[1];
      const body = m[2];
      const digits = body.replace(/\D/g, '');
      let e164: string | undefined;
      if (prefix) {
        const cc = prefix.replace(/\D/g, '').replace(/^00/, '');
        e164 = `+${cc}${digits}`;
      } else if (digits.length === 8) {
        e164 = `+45${digits}`;
      } else if (digits.startsWith('0')) {
        e164 = subject.phoneNational.get(digits);
      }
      if (!e164) continue;
      const isSubject = subject.phones.has(e164);
      if (!isSubject) {
        if (!all) continue;
        if (
          !prefix &&
          !DANISH_SHAPES.has(
            body
              .split(/[ \u00a0.-]/)
              .map((g) => g.length)
              .join('-'),
          )
        )
          continue;
        const parsed = parsePhoneNumberFromString(e164);
        if (!parsed?.isValid()) continue;
      }
      const ctx = textBefore(text, m.index, 30);
      const context = RAISE.some((w) => ctx.includes(w));
      const confidence = isSubject ? (prefix || context ? 0.97 : 0.92) : context ? 0.85 : 0.6;
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
});

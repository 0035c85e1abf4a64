import { maskCpr, maskEmail, maskPhone } from '../../core/mask.js';
import type { Subject } from '../../core/types.js';

/**
 * Hides other people's identifiers in a context snippet before it goes to the subject (GDPR art. 15(4):
 * the copy must not affect the rights of others). The subject's own e-mail addresses, phone numbers and
 * CPR numbers stay readable; any other e-mail, CPR-like or phone-like number is masked. Other people's
 * names cannot be told apart from ordinary words and stay as written.
 */
export function maskOthers(context: string, subject: Subject): string {
  const emails = new Set((subject.emails ?? []).map((e) => e.trim().toLowerCase()));
  const cprs = new Set((subject.cpr ?? []).map(digitsOf));
  const phones = (subject.phones ?? []).map((p) => digitsOf(p).slice(-8)).filter((p) => p.length >= 6);
  return context.replace(
    IDENTIFIER,
    (m, email: string | undefined, cpr: string | undefined, cut: string | undefined) => {
      // A number cut off by the end of the context cannot be compared: hide its digits.
      if (cut) return m.replace(/\d/g, 'X');
      if (email) return emails.has(email.toLowerCase()) ? m : maskEmail(m);
      const digits = digitsOf(m);
      if (cpr) return cprs.has(digits) ? m : maskCpr(m);
      if (digits.length < 8) return m;
      return phones.some((p) => digits.endsWith(p)) ? m : maskPhone(m);
    },
  );
}

const IDENTIFIER = new RegExp(
  [
    // An address cut off by the end of the context (`name@exam…`) is still someone's address.
    String.raw`([\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}.-]+\.\p{L}{2,}|[\p{L}\p{N}.-]*(?=…)))`,
    String.raw`(?<![\p{N}])(\d{6}[- ]?\d{4})(?![\p{N}])`,
    String.raw`((?<=…)\d[\d -]*\d|(?<![\p{N}])\d[\d -]*(?=…))`,
    String.raw`(?<![\p{N}])(?:\+|00)?\(?\d[\d ()-]{6,}\d(?![\p{N}])`,
  ].join('|'),
  'gu',
);

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

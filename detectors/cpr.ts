import type { Candidate } from '../src/core/types.js';
import { cprCentury, formatCpr, isValidCprDate, passesModulus11 } from '../src/match/cpr.js';
import { clampConfidence, defineDetector, textBefore } from './define.js';

// DDMMYY, an optional dash or space, SSSS; never part of a longer digit run.
const CPR_RE = /(?<![\d])(\d{6})([-\u00a0 ]?)(\d{4})(?![\d])/g;

const RAISE = [
  'cpr',
  'cpr-nr',
  'cprnr',
  'cpr.nr',
  'personnummer',
  'personnr',
  'person nr',
  'fødselsnummer',
  'social security',
  'ssn',
  'cpr-nummer',
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
  'konto',
  'account',
  'reg.nr',
  'varenummer',
  'sagsnummer',
  'tlf',
  'telefon',
  'ean',
  'cvr',
];

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
    CPR_RE.lastIndex = 0;
    for (let m = CPR_RE.exec(text); m; m = CPR_RE.exec(text)) {
      const digits = m[1] + m[3];
      const start = m.index;
      const end = start + m[0].length;
      const isSubject = subject.cprs.has(digits);
      if (!isSubject && !all && !subject.names.length) continue;
      if (!isValidCprDate(digits)) continue;
      const glued = /[+\-#%/]/.test(text[start - 1] ?? '') || /[+\-#%]/.test(text[end] ?? '');
      const ctx = textBefore(text, start, 40);
      let confidence = isSubject ? 0.95 : 0.5;
      if (passesModulus11(digits)) confidence += isSubject ? 0.02 : 0.2;
      if (RAISE.some((w) => ctx.includes(w))) confidence += isSubject ? 0.02 : 0.25;
      if (LOWER.some((w) => ctx.includes(w))) confidence -= isSubject ? 0.1 : 0.3;
      if (glued) confidence -= isSubject ? 0.1 : 0.2;
      if (denseNumberList(text, start, end)) confidence -= isSubject ? 0.1 : 0.2;
      // A 19th-century birth year is legal but rare in live records.
      if (cprCentury(Number(digits.slice(4, 6)), Number(digits[6])) < 1900) confidence -= 0.1;
      out.push({
        detector: 'cpr',
        start,
        end,
        value: formatCpr(digits),
        subject: isSubject,
        confidence: clampConfidence(confidence),
      });
    }
    return out;
  },
});

/** True when two or more other ten-digit numbers sit within 60 characters: a column of ids, not a person. */
function denseNumberList(text: string, start: number, end: number): boolean {
  const around = text.slice(Math.max(0, start - 60), start) + ' ' + text.slice(end, end + 60);
  const others = around.match(/(?<!\d)\d{6}[- ]?\d{4}(?!\d)/g);
  return (others?.length ?? 0) >= 2;
}

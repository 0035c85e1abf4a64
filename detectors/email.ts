import type { Candidate } from '../src/core/types.js';
import { defineDetector } from './define.js';

/**
 * An address from the start of its local part. The scan is anchored on each `@` (found with indexOf,
 * far faster than trying the pattern at every position); the local part is walked back from it, and an
 * address can only start where no local-part character precedes it.
 */
const EMAIL_AT_RE =
  /[\p{L}\p{N}._%+-]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,24}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/uy;
const NON_ASCII_LOCAL = /[\p{L}\p{N}]/u;

function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) {
    return (
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 46 ||
      c === 95 ||
      c === 37 ||
      c === 43 ||
      c === 45
    );
  }
  // A low surrogate belongs to the code point before it.
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) return NON_ASCII_LOCAL.test(text.slice(i - 1, i + 1));
  return NON_ASCII_LOCAL.test(text[i]);
}

/** Start of the address whose `@` is at `at`, or -1 when there is no local part of 1–64 characters. */
function localStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && at - i <= 64 && isLocalChar(text, i - 1)) i--;
  if (i === at || at - i > 64) return -1;
  return i;
}

export default defineDetector({
  meta: {
    id: 'email',
    description: 'E-mail addresses (case-insensitive), in text, headers and mailto links.',
    keywords: ['@'],
  },
  // Other people's addresses come back too (subject: false), with or without --all: they tell a namesake
  // and keep an erasure plan from deleting a file that holds them.
  detect(chunk, { subject }) {
    const { text } = chunk;
    if (!text.includes('@')) return [];
    const out: Candidate[] = [];
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      const from = localStart(text, at);
      if (from === -1) continue;
      EMAIL_AT_RE.lastIndex = from;
      const m = EMAIL_AT_RE.exec(text);
      if (!m) continue;
      let raw = m[0];
      // A local part cannot start or end with a dot; trim one that a sentence glued on.
      const lead = raw.match(/^\.+/)?.[0].length ?? 0;
      raw = raw.slice(lead);
      const value = raw.toLowerCase();
      const isSubject = subject.emails.has(value);
      out.push({
        detector: 'email',
        start: m.index + lead,
        end: m.index + m[0].length,
        value,
        subject: isSubject,
        confidence: isSubject ? 0.99 : 0.9,
      });
      at = m.index + m[0].length - 1;
    }
    return out;
  },
});

import type { Candidate } from '../src/core/types.js';
import { defineDetector } from './define.js';

const EMAIL_RE =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,24}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

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
    EMAIL_RE.lastIndex = 0;
    for (let m = EMAIL_RE.exec(text); m; m = EMAIL_RE.exec(text)) {
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
    }
    return out;
  },
});

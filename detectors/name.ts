import type { Candidate } from '../src/core/types.js';
import { defineDetector } from './define.js';

export default defineDetector({
  meta: {
    id: 'name',
    description:
      "The subject's name and aliases: case-, diacritics- and transliteration-tolerant (Østergård = Ostergaard = Oestergaard), across line breaks, `Surname, First`, middle names left out, initials, genitive -s. Never a lone first name or surname, nor a name inside a street or company name.",
    keywords: [],
  },
  detect(chunk, { subject }) {
    if (!subject.names.length) return [];
    const out: Candidate[] = [];
    const seen = new Set<string>();
    for (const matcher of subject.names) {
      for (const hit of matcher.find(chunk.text)) {
        const key = `${hit.start}:${hit.end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          detector: 'name',
          start: hit.start,
          end: hit.end,
          value: chunk.text.slice(hit.start, hit.end).replace(/[\s\u00a0]+/gu, ' '),
          subject: true,
          confidence: hit.confidence,
          matched: hit.matched,
        });
      }
    }
    return out;
  },
});

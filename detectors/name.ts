import type { Candidate } from '../src/core/types.js';
import type { NameHit } from '../src/match/names.js';
import { defineDetector } from './define.js';

export default defineDetector({
  meta: {
    id: 'name',
    description:
      "The subject's name and aliases: case-, diacritics- and transliteration-tolerant (Østergård = Ostergaard = Oestergaard), across line breaks (not across the values of structured text), `Surname, First`, middle names left out, initials, genitive -s. Never a lone first name or surname, nor a name inside a longer name, a street or a company name.",
    keywords: [],
  },
  detect(chunk, { subject }) {
    if (!subject.names.length || chunk.faceTag) return [];
    const { text } = chunk;
    const hits: NameHit[] = [];
    // An alias usually shares the name's surname: text without it is searched for it once.
    const absent = new Set<string>();
    for (const matcher of subject.names) {
      if (absent.has(matcher.surname)) continue;
      if (!matcher.surnameMayOccurIn(text)) {
        absent.add(matcher.surname);
        continue;
      }
      for (const hit of matcher.find(text)) {
        // In structured text (headers, tags) each line is one value: a name never runs across two.
        if (chunk.structured && text.slice(hit.start, hit.end).includes('\n')) continue;
        hits.push(hit);
      }
    }
    // The name and its aliases often match the same words: keep the widest of overlapping hits.
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    const out: Candidate[] = [];
    for (const hit of hits) {
      const prev = out[out.length - 1];
      if (prev && hit.start < prev.end) {
        if (hit.end - hit.start > prev.end - prev.start) out[out.length - 1] = candidateOf(text, hit);
        continue;
      }
      out.push(candidateOf(text, hit));
    }
    return out;
  },
});

function candidateOf(text: string, hit: NameHit): Candidate {
  return {
    detector: 'name',
    start: hit.start,
    end: hit.end,
    value: text.slice(hit.start, hit.end).replace(/[\s\u00a0]+/gu, ' '),
    subject: true,
    confidence: hit.confidence,
    matched: hit.matched,
  };
}

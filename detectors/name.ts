import { caselessSteps } from '../src/byte-scan/index.js';
import type { Candidate } from '../src/core/types.js';
import { longestLiteral, tokenBytePattern, tokenPattern } from '../src/match/fold.js';
import type { NameHit } from '../src/match/names.js';
import type { CompiledSubject } from '../src/match/subject.js';
import { defineDetector, type RawAnchor, type SubjectAnchors } from './define.js';

/**
 * The subject's surname in any spelling, which every form of the name holds (the name and face
 * detectors share these, so the engine tests them once).
 */
export const nameAnchors: SubjectAnchors = {
  text: (subject) =>
    subject.names.length ? (text) => subject.names.some((m) => m.mayOccurIn(text)) : undefined,
  // An alias usually shares the profile name's surname: each spelling is searched once.
  raw: (subject) => [...new Set(subject.names.map((n) => n.surname))].map(surnameAnchor),
};

export default defineDetector({
  meta: {
    id: 'name',
    kind: 'name',
    description:
      "The subject's name and aliases: case-, diacritics- and transliteration-tolerant (Østergård = Ostergaard = Oestergaard), across line breaks (not across the values of structured text), `Surname, First`, middle names left out, initials, genitive -s. Never a lone first name or surname, nor a name inside a longer name, a street or a company name.",
    keywords: [],
    labels: {
      en: { short: 'name', one: 'name', many: 'names', category: 'Name' },
      da: { short: 'navn', one: 'navn', many: 'navne', category: 'Navn' },
    },
    color: '#3d6fb6',
    profile: ['name', 'aliases'],
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
  mask: maskName,
  evidence: { subject: 'possible', names: 'place' },
  anchors: nameAnchors,
  indexTokens: nameTokens,
  written: nameWritten,
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

/** `Søren Kjærgaard Østergård` -> `S. K. Ø.` */
export function maskName(value: string): string {
  const parts = value.split(/[\s,]+/u).filter(Boolean);
  if (parts.length === 0) return '***';
  return parts.map((p) => `${[...p][0]}.`).join(' ');
}

/**
 * A surname in any spelling: the whole pattern where its part from the longest run of plain ASCII
 * letters on occurs, tried around each place the run itself occurs (a byte program). With no such run
 * of two letters or more, by a regex, its part from the longest literal on tried first.
 */
function surnameAnchor(surname: string): RawAnchor {
  const whole = tokenBytePattern(surname);
  const tail = tokenBytePattern(surname, { fromLongestLiteral: true });
  const literal = longestLiteral(surname);
  if (literal.length >= 2)
    return { kind: 'around', program: { steps: caselessSteps(literal) }, at: tail, pattern: whole };
  return { kind: 'pattern', pattern: whole, ...(tail !== whole ? { first: tail } : {}) };
}

/** The index's word for each name's surname: its last run of letters, folded. */
export function nameTokens(subject: CompiledSubject): string[] {
  const out: string[] = [];
  for (const m of subject.names) {
    const last = m.folded[m.folded.length - 1];
    const parts = last.match(/\p{L}+/gu) ?? [];
    const anchor = parts[parts.length - 1];
    if (anchor) out.push(`w:${anchor}`);
  }
  return out;
}

/** A name as written: its words in any spelling, separated by spaces, commas, dots or hyphens. */
export function nameWritten(value: string): RegExp {
  const tokens = value.split(/[\s,]+/u).filter(Boolean);
  if (!tokens.length) return /(?!)/g;
  return new RegExp(tokens.map((t) => tokenPattern(t)).join('[\\s,.\\-]+'), 'giu');
}

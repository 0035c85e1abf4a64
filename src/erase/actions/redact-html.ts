import { decodeHTML } from 'entities';
import type { SpanFinder, SubjectSpan } from '../identifiers.js';

const TOKEN =
  /<style\b[^>]*>[\s\S]*?<\/style\s*>|<!--[\s\S]*?-->|<\/?[a-zA-Z][\w:-]*(?:[^>"']|"[^"]*"|'[^']*')*>|<![^>]*>/g;
const ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);?/gi;
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/;

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/**
 * Redaction of an HTML file as the HTML extractor reads it: the values `find` finds (the subject's, or
 * other people's for an export) are found in the visible text (tags stripped, entities decoded, so
 * `S&oslash;ren <i>Østergård</i>` is found) and replaced in the raw text piece by piece — the
 * placeholder goes into the first text run of a value, the other runs of it are emptied, and no tag is
 * ever touched. Values in attributes (`mailto:`, `tel:`) are replaced inside the tag. `placeholder`
 * gets the span and the value as written (in the visible text or the tag).
 */
export function redactHtml(
  raw: string,
  find: SpanFinder,
  placeholder: (s: SubjectSpan, written: string) => string,
): { text: string; spans: SubjectSpan[] } {
  let visible = '';
  // For each visible character: its raw range and the text run it came from (-1: a tag's line break).
  const rawStart: number[] = [];
  const rawEnd: number[] = [];
  const runOf: number[] = [];
  const replacements: Replacement[] = [];
  const spans: SubjectSpan[] = [];
  let run = 0;
  let at = 0;
  const addText = (from: number, to: number) => {
    run++;
    const piece = raw.slice(from, to);
    let i = 0;
    for (const m of piece.matchAll(ENTITY)) {
      pushPlain(piece, from, i, m.index);
      const decoded = decodeHTML(m[0]);
      for (const ch of decoded) {
        if (INVISIBLE.test(ch)) continue;
        visible += ch;
        rawStart.push(from + m.index);
        rawEnd.push(from + m.index + m[0].length);
        runOf.push(run);
      }
      i = m.index + m[0].length;
    }
    pushPlain(piece, from, i, piece.length);
  };
  const pushPlain = (piece: string, base: number, from: number, to: number) => {
    for (let k = from; k < to; k++) {
      const ch = piece[k];
      if (INVISIBLE.test(ch)) continue;
      visible += ch;
      rawStart.push(base + k);
      rawEnd.push(base + k + 1);
      runOf.push(run);
    }
  };
  for (const m of raw.matchAll(TOKEN)) {
    addText(at, m.index);
    const tag = m[0];
    const name = /^<\/?([a-zA-Z][\w:-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (!name || BLOCK.has(name) || tag.startsWith('<style') || tag.startsWith('<!')) {
      visible += '\n';
      rawStart.push(m.index);
      rawEnd.push(m.index);
      runOf.push(-1);
    }
    if (name && !tag.startsWith('<style')) {
      for (const s of find(tag, true)) {
        spans.push(s);
        replacements.push({
          start: m.index + s.start,
          end: m.index + s.end,
          text: placeholder(s, tag.slice(s.start, s.end)),
        });
      }
    }
    at = m.index + tag.length;
  }
  addText(at, raw.length);

  for (const s of find(visible)) {
    spans.push(s);
    let first = true;
    let k = s.start;
    while (k < s.end) {
      if (runOf[k] === -1) {
        k++;
        continue;
      }
      const r = runOf[k];
      const start = rawStart[k];
      let end = rawEnd[k];
      while (k < s.end && runOf[k] === r) end = rawEnd[k++];
      replacements.push({ start, end, text: first ? placeholder(s, visible.slice(s.start, s.end)) : '' });
      first = false;
    }
  }
  replacements.sort((a, b) => b.start - a.start);
  let text = raw;
  let limit = Number.POSITIVE_INFINITY;
  for (const r of replacements) {
    if (r.end > limit) continue; // overlapping replacement: the later one already covers it
    text = text.slice(0, r.start) + r.text + text.slice(r.end);
    limit = r.start;
  }
  return { text, spans };
}

const BLOCK = new Set(
  'address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul title option caption body html head meta'.split(
    ' ',
  ),
);

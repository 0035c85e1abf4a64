import type { WithoutText } from '../extract/api.js';

/**
 * The error message for text an item holds only as pictures that OCR could not read here (see
 * ExtractContext.withoutText): what it is, and what to install.
 */
export function withoutTextMessage(what: WithoutText): string {
  const why = what.why ? `: ${what.why}` : '';
  if (what.kind === 'image') return `image of a document (${what.signal}): scanned page, needs OCR${why}`;
  const { pages, total } = what;
  if (pages.length === 1)
    return `no text layer on page ${pages[0]} of ${total}: scanned page, needs OCR${why}`;
  return `no text layer on pages ${pageRanges(pages)} of ${total}: scanned pages, need OCR${why}`;
}

/** `[1, 2, 3, 5]` -> `1-3, 5`. */
export function pageRanges(pages: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j] + 1) j++;
    parts.push(j > i ? `${pages[i]}-${pages[j]}` : `${pages[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

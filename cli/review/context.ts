import type { Finding } from '../../src/core/types.js';
import type { ItemText } from '../../src/engine/item-text.js';
import { locateMatch } from './highlight.js';

/**
 * Rows of context around each finding in a detail pane `paneHeight` rows high: as many as fill the pane
 * for one finding (the item's heading, the finding's head and its match take the rest), at least one.
 */
export function contextLinesFor(paneHeight: number): number {
  return Math.max(1, Math.floor((paneHeight - 8) / 2));
}

/**
 * The text around a finding in its item's text read again (see readItemText): `lines` lines each side,
 * each side at most `lines × width` characters (a PDF page or a spreadsheet row may be one long line).
 * Undefined when the text no longer holds the match at the finding's offset (the item changed): the
 * scan's own context is shown then. `offset` is where the match starts in the returned text.
 */
export function contextAround(
  text: ItemText,
  f: Finding,
  lines: number,
  width: number,
): { context: string; offset: number } | undefined {
  const field = text.get(f.location.field ?? 'body');
  const at = f.location.offset;
  const match = locateMatch(f);
  if (field === undefined || at === undefined || !match) return undefined;
  const written = f.context.slice(match[0], match[1]);
  if (field.slice(at, at + written.length) !== written) return undefined;
  const reach = lines * Math.max(10, width);
  let start = at;
  for (let n = 0; start > 0 && start > at - reach; start--) {
    if (field[start - 1] === '\n' && n++ === lines) break;
  }
  let end = at + written.length;
  for (let n = 0; end < field.length && end < at + written.length + reach; end++) {
    if (field[end] === '\n' && n++ === lines) break;
  }
  return { context: field.slice(start, end), offset: at - start };
}

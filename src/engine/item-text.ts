import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import type { ItemInput, ItemRef } from '../core/types.js';
import type { ExtractContext } from '../extract/api.js';
import { readHead } from '../extract/read.js';
import { selectExtractor } from '../extract/registry.js';
import { bytesOf, withItem } from './locate.js';

/** An item's text as its extractor gives it, by field (`body`, `page 2`, `sheet Udlæg`, `header:From`). */
export type ItemText = Map<string, string>;

/**
 * Reads one item's own text again (a file, a message, a member, an attachment), by field, as the scan
 * read it: the first `maxChars` characters in all. Its children are not read. For showing more of the
 * text around a finding than the scan keeps; undefined when the item is no longer there.
 */
export async function readItemText(
  path: string,
  itemPath: string[],
  opts: { limits?: Limits; maxChars?: number; signal?: AbortSignal } = {},
): Promise<ItemText | undefined> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  return withItem(path, itemPath, (input) => textOf(input, limits, opts), limits, opts.signal);
}

async function textOf(
  input: ItemInput,
  limits: Limits,
  opts: { maxChars?: number; signal?: AbortSignal },
): Promise<ItemText> {
  const max = opts.maxChars ?? limits.maxTextChars;
  const fields: ItemText = new Map();
  let total = 0;
  const own = (ref: ItemRef | undefined) =>
    !ref || ref.itemPath.join('\u0000') === input.ref.itemPath.join('\u0000');
  const add = (field: string, text: string) => {
    const piece = text.slice(0, Math.max(0, max - total));
    fields.set(field, (fields.get(field) ?? '') + piece);
    total += piece.length;
  };
  let inflated = 0;
  const ctx: ExtractContext = {
    limits,
    signal: opts.signal ?? new AbortController().signal,
    text(text, o) {
      if (own(o?.ref)) add(o?.field ?? 'body', text);
    },
    async textStream(pieces, o) {
      for await (const piece of pieces) {
        if (own(o?.ref)) add(o?.field ?? 'body', piece);
        if (total >= max) break;
      }
    },
    async child() {},
    skip() {},
    error() {},
    withoutText() {},
    readAll: () => bytesOf(input, limits),
    inflated(bytes) {
      inflated += bytes;
      if (inflated > limits.maxInflatedBytes) throw new Error('inflation limit');
    },
  };
  const extractor = await selectExtractor(input, await readHead(input));
  await extractor.extract(input, ctx);
  return fields;
}

import { existsSync } from 'node:fs';
import type { CollectorFactory, IndexMode } from '../engine/index-mode.js';
import { FilterHasher, filterKeyOf } from './filter-hash.js';
import { macOf } from './keys.js';
import { filterBytesFor, MAX_FILTER_BYTES } from './token-filter.js';
import { TokenCollector } from './tokens.js';

/** A scan's index mode with this MAC key: its workers collect tokens with `collectorFor`. */
export function indexMode(macKey: Buffer): IndexMode {
  return { collector: compiledSelf(), key: macKey.toString('base64') };
}

/** This module as the workers load it: the build's, also when the caller runs from sources (tests). */
function compiledSelf(): string {
  const here = new URL('./item-tokens.js', import.meta.url);
  if (existsSync(here)) return here.href;
  return new URL('../../dist/src/index/item-tokens.js', import.meta.url).href;
}

/**
 * The tokens of one item, as keyed hashes. A part's filter size follows the whole file's, so that
 * the filters of its parts (see RangeMerger) match; a whole item's is the largest until its tokens
 * are counted, then folded to what they need.
 */
export const collectorFor: CollectorFactory = (macKey, item) => {
  const collector = new TokenCollector({
    filterBytes: item.part ? filterBytesFor(item.bytes) : MAX_FILTER_BYTES,
    hasher: filterHasher(macKey),
    filterOnly: item.part,
  });
  return {
    add: (text) => collector.add(text),
    finish(result) {
      collector.finish();
      if (collector.filter) result.tokenFilter = collector.filter.bits;
      else result.tokens = [...collector.tokens].map(tokenMacs(macKey));
    },
  };
};

let hasher: { key: string; of: FilterHasher } | undefined;

function filterHasher(macKey: string): FilterHasher {
  if (hasher?.key !== macKey)
    hasher = { key: macKey, of: new FilterHasher(filterKeyOf(Buffer.from(macKey, 'base64'))) };
  return hasher.of;
}

/**
 * Token MACs are remembered per thread: the same words and numbers recur in file after file (the
 * bench corpus's 577,000 file tokens are 38,000 distinct ones) and an HMAC costs ~3 µs. At most 50,000
 * (~6 MB): 200,000 took ~25 MB a worker on PDFs of varied text, and indexing them peaked at 300 MB.
 */
const MAX_MACS = 50_000;
let macs: { key: string; of: Map<string, string> } | undefined;

function tokenMacs(macKey: string): (token: string) => string {
  if (macs?.key !== macKey) macs = { key: macKey, of: new Map() };
  const { of } = macs;
  const key = Buffer.from(macKey, 'base64');
  return (token) => {
    let m = of.get(token);
    if (m === undefined) {
      m = macOf(key, token).toString('hex');
      if (of.size >= MAX_MACS) of.clear();
      of.set(token, m);
    }
    return m;
  };
}

import { type DetectorRegistry, registry as detectors } from '../../detectors/index.js';
import { foldToken } from '../match/fold.js';
import type { CompiledSubject } from '../match/subject.js';
import type { FilterHasher } from './filter-hash.js';
import { filterBytesForTokens, TokenFilter } from './token-filter.js';
import { SeenWords } from './words.js';

/**
 * Normalised tokens of everything that could be an identifier, so that an index lookup finds every
 * item a full scan would (a superset: the exact detectors run again on the candidates). A detector's
 * index tokens for the subject (Detector.indexTokens) are among these:
 * - words: folded letter runs (`Østergård`, `Oestergaard` -> `w:ostergard`), plus the genitive-less form;
 * - digit chains (digits joined by single ` .-` separators or dashes U+2010–U+2013): every run of
 *   consecutive groups with 8–15 digits and its last 8 digits (`d:21436587`, `d:1503871236`),
 *   covering phone and CPR writings (`150387–1236` with an en dash too);
 * - e-mail addresses, lower-cased (`e:soren@example.dk`).
 */
const CHAIN_RE = /\d+(?:[ \u00a0.\u2010-\u2013-]\d+)*/g;
/** An address is `[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,24}`, found from each `@`: */
const LOCAL_PART_END = /[\p{L}\p{N}._%+-]{1,64}$/u;
const DOMAIN_AT = /[\p{L}\p{N}.-]+\.\p{L}{2,24}/uy;
/** Tokens hashed per call of the module (its memory holds them, ~30 bytes each). */
const HASH_BATCH = 4096;
/** Words remembered per item: beyond this many, repeats are folded again. */
const MAX_WORDS = 50_000;

/** Distinct tokens listed per item. An item with more is stored as a filter of its token MACs (see TokenFilter). */
export const MAX_TOKENS = 200_000;
/**
 * The token of an item too rich to list that indexes before token filters stored: every query looks
 * it up too, so such an item is re-read for every subject. No other token has this form (they start
 * `w:`, `d:`, `e:`).
 */
export const EVERY_TOKEN = '*';

/** How an item's tokens go into a filter once they are too many to list. */
export interface DenseTokens {
  /**
   * The filter's size while tokens are added; unless `filterOnly`, it is folded to the size its
   * tokens need when the item ends (see filterBytesForTokens), as only then is their number known.
   */
  filterBytes: number;
  hasher: FilterHasher;
  /**
   * Put every token in the filter, however few: a part of a huge file (see RangeMerger), whose parts'
   * filters are merged, as their lists could not be once they pass MAX_TOKENS together.
   */
  filterOnly?: boolean;
}

/** The tokens of one item's text, given chunk by chunk. */
export class TokenCollector {
  /**
   * The tokens to list; once the item has more than MAX_TOKENS, those not yet in the filter (up to
   * MAX_TOKENS at a time, so that repeats within them are hashed once).
   */
  readonly tokens = new Set<string>();
  /** The item's tokens past MAX_TOKENS (see `finish`). */
  filter: TokenFilter | undefined;
  /** Words already taken: most words of a text repeat, and each new one is folded and hashed. */
  private readonly words = new SeenWords(MAX_WORDS);
  /** Tokens put in the filter. */
  private spilled = 0;

  constructor(private readonly dense: DenseTokens) {}

  add(text: string): void {
    this.addWords(text);
    this.addDigitChains(text);
    this.addAddresses(text);
    if (this.tokens.size > MAX_TOKENS) this.spill();
  }

  /** Ends the item: with a filter, the tokens still listed go into it too. */
  finish(): void {
    if (this.filter || this.dense.filterOnly) this.spill();
    if (this.filter && !this.dense.filterOnly)
      this.filter = this.filter.foldTo(filterBytesForTokens(this.spilled));
  }

  private spill(): void {
    this.filter ??= new TokenFilter(this.dense.filterBytes);
    const filter = this.filter;
    const tokens = [...this.tokens];
    // Tokens repeated across spills are counted again: the filter comes out larger, never fuller.
    this.spilled += tokens.length;
    this.tokens.clear();
    for (let from = 0; from < tokens.length; from += HASH_BATCH) {
      const batch = tokens.slice(from, from + HASH_BATCH);
      const hashes = this.dense.hasher.hash(batch);
      for (let i = 0; i < batch.length; i++) filter.add(hashes.subarray(8 * i, 8 * i + 8));
    }
  }

  private addWords(text: string): void {
    this.words.forEachNew(text, (word) => {
      const folded = foldWord(word);
      this.tokens.add(`w:${folded}`);
      if (folded.length > 2 && folded.endsWith('s')) this.tokens.add(`w:${folded.slice(0, -1)}`);
    });
  }

  private addDigitChains(text: string): void {
    CHAIN_RE.lastIndex = 0;
    for (let m = CHAIN_RE.exec(text); m; m = CHAIN_RE.exec(text)) {
      if (m[0].length < 8) continue;
      const groups = m[0].split(/[ \u00a0.\u2010-\u2013-]/);
      for (let i = 0; i < groups.length; i++) {
        let digits = '';
        for (let j = i; j < groups.length; j++) {
          digits += groups[j];
          if (digits.length > 15) break;
          if (digits.length >= 8) {
            this.tokens.add(`d:${digits}`);
            // Also by its last 8 digits: the number without a country prefix (`+46 70 123 45 67`).
            if (digits.length > 8) this.tokens.add(`d:${digits.slice(-8)}`);
          }
        }
      }
    }
  }

  /**
   * The addresses a global search for the address pattern finds, without trying it at every letter:
   * the local part cannot hold `@`, so a match uses the `@` after its start; its start is the
   * leftmost one up to 64 characters back (none before the previous match's end), and its domain
   * is the same whatever the start.
   */
  private addAddresses(text: string): void {
    let from = 0;
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      if (at <= from) continue;
      DOMAIN_AT.lastIndex = at + 1;
      if (!DOMAIN_AT.test(text)) continue;
      // 64 characters are at most 128 code units.
      const local = LOCAL_PART_END.exec(text.slice(Math.max(from, at - 128), at));
      if (!local) continue;
      const address = local[0] + text.slice(at, DOMAIN_AT.lastIndex);
      this.tokens.add(`e:${address.toLowerCase().replace(/^\.+/, '')}`);
      from = DOMAIN_AT.lastIndex;
    }
  }
}

/**
 * Folding (NFD, strip marks, NFC, transliterate) is costly and words repeat: short words are folded
 * once. Only words under 13 characters are kept, as V8 copies those out of the text (a longer one
 * would be a slice holding its whole megabyte chunk alive).
 */
const folds = new Map<string, string>();

function foldWord(word: string): string {
  if (word.length >= 13) return foldToken(word);
  let folded = folds.get(word);
  if (folded === undefined) {
    if (folds.size >= 100_000) folds.clear();
    folded = foldToken(word);
    folds.set(word, folded);
  }
  return folded;
}

/**
 * The tokens to look up for a subject: each detector's index tokens for the subject's values (see
 * Detector.indexTokens). Any file holding one of them is re-read by the exact detectors, as is every
 * file stored with EVERY_TOKEN.
 */
export function subjectTokens(subject: CompiledSubject, registry: DetectorRegistry = detectors): string[] {
  const out = new Set<string>([EVERY_TOKEN]);
  for (const d of registry.list) for (const token of d.indexTokens(subject)) out.add(token);
  return [...out];
}

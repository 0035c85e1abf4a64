import { cprDigits } from '../match/cpr.js';
import { foldToken } from '../match/fold.js';
import type { CompiledSubject } from '../match/subject.js';
import { SeenWords } from './words.js';

/**
 * Normalised tokens of everything that could be an identifier, so that an index lookup finds every
 * item a full scan would (a superset: the exact detectors run again on the candidates).
 * - words: folded letter runs (`Østergård`, `Oestergaard` -> `w:ostergard`), plus the genitive-less form;
 * - digit chains (digits joined by single ` .-` separators): every run of consecutive groups with
 *   8–15 digits and its last 8 digits (`d:21436587`, `d:1503871236`), covering phone and CPR writings;
 * - e-mail addresses, lower-cased (`e:soren@example.dk`).
 */
const CHAIN_RE = /\d+(?:[ \u00a0.-]\d+)*/g;
/** An address is `[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,24}`, found from each `@`: */
const LOCAL_PART_END = /[\p{L}\p{N}._%+-]{1,64}$/u;
const DOMAIN_AT = /[\p{L}\p{N}.-]+\.\p{L}{2,24}/uy;
/** Words remembered per item: beyond this many, repeats are folded again. */
const MAX_WORDS = 50_000;

/** Distinct tokens kept per item; an item with more is stored as EVERY_TOKEN instead. */
export const MAX_TOKENS = 200_000;
/**
 * The token of an item too rich to list (a large export): every query looks it up too, so such an
 * item is re-read for every subject. No other token has this form (they start `w:`, `d:`, `e:`).
 */
export const EVERY_TOKEN = '*';

/** The tokens of one item's text, given chunk by chunk. */
export class TokenCollector {
  readonly tokens = new Set<string>();
  /** Words already taken: most words of a text repeat, and each new one is folded and hashed. */
  private readonly words = new SeenWords(MAX_WORDS);

  /** Past MAX_TOKENS the item's tokens are dropped for EVERY_TOKEN and its text is no longer looked at. */
  get overflowed(): boolean {
    return this.tokens.has(EVERY_TOKEN);
  }

  add(text: string): void {
    if (this.overflowed) return;
    this.addWords(text);
    this.addDigitChains(text);
    this.addAddresses(text);
    if (this.tokens.size > MAX_TOKENS) {
      this.tokens.clear();
      this.tokens.add(EVERY_TOKEN);
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
      const groups = m[0].split(/[ \u00a0.-]/);
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
 * The tokens to look up for a subject: any file holding one of them is re-read by the exact detectors,
 * as is every file stored with EVERY_TOKEN.
 */
export function subjectTokens(subject: CompiledSubject): string[] {
  const out = new Set<string>([EVERY_TOKEN]);
  for (const e of subject.emails) out.add(`e:${e}`);
  for (const c of subject.cprs) out.add(`d:${cprDigits(c)}`);
  for (const e164 of subject.phones) out.add(`d:${e164.replace(/\D/g, '').slice(-8)}`);
  for (const national of subject.phoneNational.keys()) out.add(`d:${national}`);
  for (const m of subject.names) {
    const last = m.folded[m.folded.length - 1];
    const parts = last.match(/\p{L}+/gu) ?? [];
    const anchor = parts[parts.length - 1];
    if (anchor) out.add(`w:${anchor}`);
  }
  return [...out];
}

import { cprDigits } from '../match/cpr.js';
import { foldToken } from '../match/fold.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * Normalised tokens of everything that could be an identifier, so that an index lookup finds every
 * item a full scan would (a superset: the exact detectors run again on the candidates).
 * - words: folded letter runs (`Østergård`, `Oestergaard` -> `w:ostergard`), plus the genitive-less form;
 * - digit chains (digits joined by single ` .-` separators): every run of consecutive groups with
 *   8–15 digits and its last 8 digits (`d:21436587`, `d:1503871236`), covering phone and CPR writings;
 * - e-mail addresses, lower-cased (`e:soren@example.dk`).
 */
const WORD_RE = /\p{L}+/gu;
const CHAIN_RE = /\d+(?:[ \u00a0.-]\d+)*/g;
const EMAIL_RE = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,24}/gu;

export function collectTokens(text: string, into: Set<string>): void {
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(text); m; m = WORD_RE.exec(text)) {
    if (m[0].length < 2) continue;
    const folded = foldWord(m[0]);
    into.add(`w:${folded}`);
    if (folded.length > 2 && folded.endsWith('s')) into.add(`w:${folded.slice(0, -1)}`);
  }
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
          into.add(`d:${digits}`);
          // Also by its last 8 digits: the number without a country prefix (`+46 70 123 45 67`).
          if (digits.length > 8) into.add(`d:${digits.slice(-8)}`);
        }
      }
    }
  }
  if (text.includes('@')) {
    EMAIL_RE.lastIndex = 0;
    for (let m = EMAIL_RE.exec(text); m; m = EMAIL_RE.exec(text))
      into.add(`e:${m[0].toLowerCase().replace(/^\.+/, '')}`);
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

/** The tokens to look up for a subject: any file holding one of them is re-read by the exact detectors. */
export function subjectTokens(subject: CompiledSubject): string[] {
  const out = new Set<string>();
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

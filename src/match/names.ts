import { foldToken, initialPattern, tokenPattern } from './fold.js';

/**
 * Finds one person's name in text: `First [Middle…] Last` with middle names optional and first/middle
 * names as initials, `Last, First [Middle…]`, a genitive `-s`, any case, diacritics and Danish
 * transliterations, across line breaks and extra spaces. A lone first name or surname never matches,
 * nor does a name that is part of a longer name (`Hans-Søren`, `Østergård-Jensen`, `Sørensen`) or of a
 * street or company name (`Søren Østergård Allé`, `Søren Østergård ApS`). Text is expected in NFC.
 */

export interface NameHit {
  start: number;
  end: number;
  confidence: number;
  /** The profile name or alias that matched. */
  matched: string;
}

const SEP = '[\\s\\u00a0]+';
/** Between a first name and a middle name: white space, or nothing after an initial's dot (`S.K.`). */
const PART_SEP = '(?:[\\s\\u00a0]+|(?<=\\.))';
/** A word starts here: not inside a word, not the second half of a hyphenated name, not after `A/`. */
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}/]|\\p{L}-)';
/** A word ends here: not followed by more letters or by a hyphenated second half. */
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}]|-\\p{L})';
/** How far before a surname we look for first and middle names. */
const WINDOW = 160;

/** Words that turn a preceding person's name into a street, place or company name (capitalised). */
const NON_PERSON_SUFFIX = new RegExp(
  `^(?:'s|’s|s)?${SEP}(all[ée]|vej(?:en)?|gade(?:n)?|plads(?:en)?|boulevard|stræde|straede|torv(?:et)?|park(?:en)?|have(?:n)?|vænge|vaenge|skole(?:n)?|kollegiet|aps|a/s|i/s|k/s|p/s|ivs|holding|invest|group|consult(?:ing)?|fond(?:en)?|street|road|avenue|ltd|inc|gmbh)(?![\\p{L}\\p{N}])`,
  'iu',
);
const UPPER = /\p{Lu}/u;
/** `Østergård, Søren Jensen`: the first name belongs to another person written in full. */
const ANOTHER_NAME_AFTER = /^[ \u00a0]+\p{Lu}\p{Ll}/u;
/** `Karen Østergård, Søren`: the surname already belongs to the capitalised name before it. */
const ANOTHER_NAME_BEFORE = /\p{Lu}[\p{L}.'’-]*[ \u00a0]+$/u;

export class NameMatcher {
  readonly display: string;
  readonly folded: string[];
  /** The last token as given: every match contains it in some spelling. */
  readonly surname: string;
  private readonly surnameRe: RegExp;
  /** The surname from its longest plain run of letters on: tested first, most text has no such run. */
  private readonly surnameTailRe: RegExp;
  private readonly surnameLooseRe: RegExp;
  private readonly beforeRe: RegExp;
  private readonly afterRe: RegExp;
  private readonly firstRe: RegExp;
  private readonly middleRes: RegExp[];

  constructor(fullName: string) {
    const tokens = fullName
      .normalize('NFC')
      .trim()
      .split(/[\s\u00a0]+/u)
      .filter(Boolean);
    if (tokens.length < 2) throw new Error('a name needs at least a first name and a surname');
    this.display = tokens.join(' ');
    this.folded = tokens.map(foldToken);
    const last = tokens[tokens.length - 1];
    this.surname = last;
    const first = tokens[0];
    const middles = tokens.slice(1, -1);
    const full = (t: string) => `(?:${tokenPattern(t)}|${initialPattern(t)})`;
    const firstPart = full(first);
    const middlePart = middles.map((m) => `(?:${PART_SEP}${full(m)})?`).join('');
    this.surnameRe = new RegExp(
      `${NOT_WORD_BEFORE}${tokenPattern(last)}(?:s|'s|’s)?${NOT_WORD_AFTER}`,
      'giu',
    );
    this.surnameLooseRe = new RegExp(tokenPattern(last), 'iu');
    this.surnameTailRe = new RegExp(tokenPattern(last, { fromLongestLiteral: true }), 'iu');
    // Anchored at the end of the window before the surname: `First [Middle…] ` immediately before it.
    this.beforeRe = new RegExp(`${NOT_WORD_BEFORE}(${firstPart}${middlePart})${SEP}$`, 'iu');
    this.afterRe = new RegExp(
      `^[\\s\\u00a0]*,[\\s\\u00a0]*(${firstPart}${middlePart})${NOT_WORD_AFTER}`,
      'iu',
    );
    this.firstRe = new RegExp(`^${tokenPattern(first)}$`, 'iu');
    this.middleRes = middles.map((m) => new RegExp(`^${tokenPattern(m)}$`, 'iu'));
  }

  /** True when the surname occurs anywhere in `s`, also glued to other letters (`sorenostergaard`). */
  containsSurname(s: string): boolean {
    return this.surnameLooseRe.test(s);
  }

  /** Cheap pre-check: every match contains the surname, so text without it cannot match. */
  mayOccurIn(text: string): boolean {
    if (!this.surnameTailRe.test(text)) return false;
    this.surnameRe.lastIndex = 0;
    const found = this.surnameRe.test(text);
    this.surnameRe.lastIndex = 0;
    return found;
  }

  /** True unless `text` certainly lacks the surname (its tail, tested first, is rare in text). */
  surnameMayOccurIn(text: string): boolean {
    return this.surnameTailRe.test(text);
  }

  find(text: string): NameHit[] {
    const hits: NameHit[] = [];
    if (!this.surnameMayOccurIn(text)) return hits;
    this.surnameRe.lastIndex = 0;
    for (let m = this.surnameRe.exec(text); m; m = this.surnameRe.exec(text)) {
      const sStart = m.index;
      const sEnd = sStart + m[0].length;
      const windowStart = Math.max(0, sStart - WINDOW);
      const window = text.slice(windowStart, sStart);
      const before = this.beforeRe.exec(window);
      if (before) {
        if (!isNonPersonSuffix(text.slice(sEnd - genitiveLength(m[0]), sEnd + 40))) {
          hits.push({
            start: windowStart + before.index,
            end: sEnd,
            confidence: this.confidenceOf(before[1]),
            matched: this.display,
          });
        }
        continue;
      }
      if (genitiveLength(m[0]) || /s$/iu.test(m[0]) !== /s$/iu.test(this.display)) continue;
      const after = this.afterRe.exec(text.slice(sEnd, sEnd + WINDOW));
      if (!after) continue;
      const end = sEnd + after[0].length;
      if (ANOTHER_NAME_AFTER.test(text.slice(end, end + 3))) continue;
      if (ANOTHER_NAME_BEFORE.test(window.slice(-40))) continue;
      hits.push({
        start: sStart,
        end,
        confidence: Math.max(0.5, this.confidenceOf(after[1]) - 0.05),
        matched: this.display,
      });
    }
    return hits;
  }

  /** Full first name: 0.9; with a full middle name too: 0.95; only initials: 0.6. */
  private confidenceOf(firstAndMiddles: string): number {
    const words = firstAndMiddles.split(/[\s\u00a0]+|(?<=\.)/u).filter(Boolean);
    const firstFull = this.firstRe.test(words[0] ?? '');
    const middleFull = words.slice(1).some((w) => this.middleRes.some((re) => re.test(w)));
    if (!firstFull) return middleFull ? 0.75 : 0.6;
    return middleFull ? 0.95 : 0.9;
  }
}

function isNonPersonSuffix(after: string): boolean {
  const m = NON_PERSON_SUFFIX.exec(after);
  return m !== null && UPPER.test(m[1][0]);
}

function genitiveLength(surnameMatch: string): number {
  if (/['’]s$/u.test(surnameMatch)) return 2;
  return 0;
}

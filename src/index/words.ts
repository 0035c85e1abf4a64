/**
 * The words (`\p{L}+` runs, as a `u`-flag regex sees them) of a text that are new to an item, found
 * without making a string or a match object per occurrence: most words of a text repeat, and a regex
 * match plus a set lookup per occurrence was the largest cost of `dsr index`.
 */

const LETTER = /\p{L}/u;
/** Per UTF-16 code unit: 0 not classified yet, 1 a letter, 2 not a letter. */
const unitClass = new Uint8Array(65536);
const astralLetter = new Map<number, boolean>();

/** Code units of the letter at `text[i]`: 1, 2 for a letter outside the BMP, 0 when it is no letter. */
export function letterAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let k = unitClass[c];
  if (k === 1) return 1;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      let letter = astralLetter.get(cp);
      if (letter === undefined) {
        letter = LETTER.test(String.fromCodePoint(cp));
        astralLetter.set(cp, letter);
      }
      return letter ? 2 : 0;
    }
  }
  if (k === 0) {
    k = LETTER.test(String.fromCharCode(c)) ? 1 : 2;
    unitClass[c] = k;
  }
  return k === 1 ? 1 : 0;
}

/**
 * Words remembered, each a short string (V8 copies a slice under 13 characters out of its text; a
 * longer one would hold its whole chunk alive, so it is never kept). Beyond `limit` words, new ones
 * are reported as new every time.
 */
export class SeenWords {
  private hashes = new Int32Array(1024);
  private words: (string | undefined)[] = new Array(1024);
  private size = 0;

  constructor(private readonly limit: number) {}

  /** Calls `fn` with each word of `text` of at least two code units not seen in an earlier call or before in it. */
  forEachNew(text: string, fn: (word: string) => void): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      let w = letterAt(text, i);
      if (w === 0) {
        i++;
        continue;
      }
      const start = i;
      let h = 0x811c9dc5;
      do {
        h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
        if (w === 2) h = Math.imul(h ^ text.charCodeAt(i + 1), 0x01000193);
        i += w;
        w = i < n ? letterAt(text, i) : 0;
      } while (w !== 0);
      if (i - start >= 2 && !this.seen(text, start, i - start, h)) fn(text.slice(start, i));
    }
  }

  /** Whether the word at `text[start..start+length)` (hash `h`) was seen; remembers it if not. */
  private seen(text: string, start: number, length: number, h: number): boolean {
    let mask = this.hashes.length - 1;
    let slot = h & mask;
    for (let w = this.words[slot]; w !== undefined; w = this.words[slot]) {
      if (this.hashes[slot] === h && w.length === length && sameAt(w, text, start)) return true;
      slot = (slot + 1) & mask;
    }
    if (length >= 13 || this.size >= this.limit) return false;
    if (2 * (this.size + 1) > this.hashes.length) {
      this.grow();
      mask = this.hashes.length - 1;
      slot = h & mask;
      while (this.words[slot] !== undefined) slot = (slot + 1) & mask;
    }
    this.hashes[slot] = h;
    this.words[slot] = text.slice(start, start + length);
    this.size++;
    return false;
  }

  private grow(): void {
    const { hashes, words } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.words = new Array(words.length * 2);
    const mask = this.hashes.length - 1;
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (w === undefined) continue;
      let slot = hashes[i] & mask;
      while (this.words[slot] !== undefined) slot = (slot + 1) & mask;
      this.hashes[slot] = hashes[i];
      this.words[slot] = w;
    }
  }
}

function sameAt(word: string, text: string, start: number): boolean {
  for (let j = 0; j < word.length; j++) if (word.charCodeAt(j) !== text.charCodeAt(start + j)) return false;
  return true;
}

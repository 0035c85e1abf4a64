/** Code points below this may be letters (none above it is, in any Unicode version so far: a test checks). */
export const LETTER_LIMIT = 0x40000;

let bits: Uint8Array | undefined;

/**
 * One bit per code point below LETTER_LIMIT, set where `\p{L}` matches, as this Node's regexes see it
 * (surrogate code points never match): the table the module's `newWords` reads. Made once per thread;
 * blocks with no letter, or only letters, are decided at once.
 */
export function letterBits(): Uint8Array {
  if (bits) return bits;
  bits = new Uint8Array(LETTER_LIMIT / 8);
  const some = /\p{L}/u;
  const only = /^\p{L}+$/u;
  const BLOCK = 256;
  for (let from = 0; from < LETTER_LIMIT; from += BLOCK) {
    if (from >= 0xd800 && from < 0xe000) continue;
    const block = String.fromCodePoint(...Array.from({ length: BLOCK }, (_, i) => from + i));
    if (!some.test(block)) continue;
    if (only.test(block)) {
      bits.fill(0xff, from / 8, (from + BLOCK) / 8);
      continue;
    }
    for (let cp = from; cp < from + BLOCK; cp++)
      if (some.test(String.fromCodePoint(cp))) bits[cp >> 3] |= 1 << (cp & 7);
  }
  return bits;
}

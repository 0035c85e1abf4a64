/**
 * A seeded pseudo-random source for tests that compare a fast path with its plain definition over
 * generated inputs: the same inputs on every run, so a failure can be reproduced.
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return (state >>> 8) % n;
  };
}

/** `count` random pieces, each followed by random glue: texts built from the characters that matter. */
export function piecesAndGlue(
  random: (n: number) => number,
  count: number,
  pieces: readonly string[],
  glue: readonly string[],
): string {
  return Array.from({ length: count }, () => pieces[random(pieces.length)] + glue[random(glue.length)]).join(
    '',
  );
}

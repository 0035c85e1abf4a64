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

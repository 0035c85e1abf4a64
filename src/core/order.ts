import type { ItemRef } from './types.js';

/**
 * Orders strings by UTF-16 code units: stable on every machine and locale, and free of the ICU
 * collator that `localeCompare` builds on its first call (~10 ms, paid by every scan before).
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders items by file path, then by their path inside the file (a container sorts before its members). */
export function compareItemRefs(
  a: Pick<ItemRef, 'path' | 'itemPath'>,
  b: Pick<ItemRef, 'path' | 'itemPath'>,
): number {
  if (a.path !== b.path) return compareStrings(a.path, b.path);
  const n = Math.min(a.itemPath.length, b.itemPath.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a.itemPath[i], b.itemPath[i]);
    if (c) return c;
  }
  return a.itemPath.length - b.itemPath.length;
}

/** The first index in `sorted` (ascending) whose value is not below `value`; `sorted.length` when none. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

import type { Limits } from '../../core/limits.js';

/**
 * Below this many inflated bytes a member is never a bomb, whatever its ratio: a few KiB of blank
 * spreadsheet cells or spaces legitimately compress far better than 100:1.
 */
export const RATIO_GRACE_BYTES = 1024 * 1024;

/** Why a member of `compressed` bytes that claims to inflate to `inflated` bytes must not be read, if it must not. */
export function memberLimitBreach(limits: Limits, compressed: number, inflated: number): string | undefined {
  if (inflated > limits.maxExtractBytes) {
    return `inflates to ${inflated} bytes, more than the ${limits.maxExtractBytes} allowed per member (--max-extract-bytes); not read`;
  }
  if (inflated > RATIO_GRACE_BYTES && inflated > Math.max(compressed, 1) * limits.maxRatio) {
    const ratio = Math.round(inflated / Math.max(compressed, 1));
    return `compression ratio ${ratio}:1 exceeds ${limits.maxRatio}:1 (--max-ratio), a likely decompression bomb; not read`;
  }
  return undefined;
}

export function tooManyMembers(limits: Limits, seen: number): string {
  return `more than ${limits.maxMembers} members (--max-members); only the first ${limits.maxMembers} were read (${seen} or more present)`;
}

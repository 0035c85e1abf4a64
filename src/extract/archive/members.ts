import type { ItemRef } from '../../core/types.js';
import type { ExtractContext } from '../api.js';

/** How a member is named in `itemPath`: `member <path inside the archive>`. */
export function memberLabel(path: string): string {
  return `member ${path}`;
}

export function memberRef(parent: ItemRef, path: string): ItemRef {
  return { path: parent.path, itemPath: [...parent.itemPath, memberLabel(path)] };
}

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/**
 * Counts a member's inflated bytes against the top-level budget. Past the budget nothing more can be
 * read from this file, so the breach is recorded on the member and the caller stops.
 */
export function chargeInflated(ctx: ExtractContext, ref: ItemRef, bytes: number): boolean {
  try {
    ctx.inflated(bytes);
    return true;
  } catch (err) {
    ctx.error(
      'limit',
      `${(err as Error).message} (--max-inflated-bytes); this and later members not read`,
      ref,
    );
    return false;
  }
}

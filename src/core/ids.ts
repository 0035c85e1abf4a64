import { hash, randomUUID } from 'node:crypto';
import { hasRawBytes, toBytes } from './raw-path.js';
import type { ItemRef } from './types.js';

/** One-shot `crypto.hash`: a finding id per identifier of an inventory made `createHash` objects a hot spot. */
export function sha256Hex(data: string | Uint8Array): string {
  // A string holding a name's bytes that are not UTF-8 (escapes, see raw-path.ts) is hashed as those
  // bytes: encoded as UTF-8 they would all become U+FFFD, and two such names would get one id.
  return hash('sha256', typeof data === 'string' && hasRawBytes(data) ? toBytes(data) : data, 'hex');
}

/** Stable item id: the same path and itemPath give the same id in every scan. */
export function itemId(ref: ItemRef): string {
  return sha256Hex([ref.path, ...ref.itemPath].join('\u0000')).slice(0, 16);
}

/** What every finding id of one item starts with (see `findingId`): built once per item. */
export function findingIdPrefix(ref: ItemRef): string {
  return [ref.path, ...ref.itemPath, ''].join('\u0000');
}

/** Stable finding id: the item, detector, field and offset of the finding. */
export function findingId(
  prefix: string,
  detector: string,
  field: string | undefined,
  offset: number,
): string {
  return sha256Hex(`${prefix}${detector}\u0000${field ?? ''}\u0000${offset}`).slice(0, 16);
}

export function newScanId(): string {
  return randomUUID();
}

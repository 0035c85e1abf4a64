import { createHash, randomUUID } from 'node:crypto';
import type { ItemRef } from './types.js';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stable item id: the same path and itemPath give the same id in every scan. */
export function itemId(ref: ItemRef): string {
  return sha256Hex([ref.path, ...ref.itemPath].join('\u0000')).slice(0, 16);
}

export function findingId(ref: ItemRef, detector: string, field: string | undefined, offset: number): string {
  return sha256Hex([ref.path, ...ref.itemPath, detector, field ?? '', String(offset)].join('\u0000')).slice(
    0,
    16,
  );
}

export function newScanId(): string {
  return randomUUID();
}

import type { ItemInput, ScanError } from '../core/types.js';

/** A source of top-level items other than the file system walk (IMAP, …), scanned like its files. */
export interface ItemSource {
  root: string;
  items(signal: AbortSignal, report: (e: ScanError) => void): AsyncIterable<ItemInput>;
}

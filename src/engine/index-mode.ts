import type { TopLevelResult } from './result.js';

/**
 * A scan in index mode collects each item's identifier tokens instead of running the detectors. The
 * engine knows nothing of tokens: the index names a module that each worker thread loads (see
 * src/index/item-tokens.ts), whose collectors see every chunk of an item's text. A plain object, as
 * it travels to the workers with every task.
 */
export interface IndexMode {
  /** URL of the compiled module; it exports `collectorFor`, a CollectorFactory. */
  collector: string;
  /** Handed to `collectorFor` with every item (the index's MAC key). */
  key: string;
}

/** Collects one item's tokens from its text, chunk by chunk, and puts them in its result. */
export interface ItemCollector {
  add(text: string): void;
  finish(result: TopLevelResult): void;
}

/**
 * `bytes`: the size of the item, or of the whole file for a part of one read in ranges (`part`),
 * whose parts' token filters are merged (see RangeMerger).
 */
export type CollectorFactory = (key: string, item: { bytes: number; part: boolean }) => ItemCollector;

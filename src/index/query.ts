import type { Subject } from '../core/types.js';
import type { FileEntry } from '../crawl/fs-source.js';
import type { TopLevelResult } from '../engine/result.js';
import { compileSubject } from '../match/subject.js';
import { isUnchanged, storedResult } from './build.js';
import { FilterHasher, filterKeyOf } from './filter-hash.js';
import type { OpenIndex } from './index-file.js';
import { type IndexKey, mac } from './keys.js';
import type { IndexStore } from './store.js';
import { EVERY_TOKEN, subjectTokens } from './tokens.js';

export interface IndexedScanStats {
  candidates: number;
  changed: number;
  added: number;
  unchanged: number;
}

/** The files an index names for a subject, by path MAC (hex). */
export interface Candidates {
  /** Every file that may hold the subject, `rich` ones included. */
  all: Set<string>;
  /** Those too rich to list their tokens (a filter, or an older index's every-token mark): read by the workers. */
  rich: Set<string>;
}

/** The index's answers to a scan of some files (see IndexAnswers in the engine). */
export interface IndexedAnswers {
  shortcut: (file: FileEntry) => Promise<TopLevelResult | undefined>;
  readHere: (file: FileEntry) => boolean;
  stats: IndexedScanStats;
}

/**
 * Answers a subject scan from an index: the subject's identifiers are hashed with the index key, files
 * holding any of those hashes are candidates and are re-read by the full pipeline, as are files changed
 * or added since indexing; every other file is accounted for from the index without being opened.
 */
export async function indexedShortcut(
  index: OpenIndex,
  subject: Subject,
): Promise<IndexedAnswers & { /** Ends the query's snapshot of the index. */ end: () => Promise<void> }> {
  const { store, key } = index;
  // Candidates and fingerprints come from one snapshot: an index run committing meanwhile cannot
  // make them disagree.
  const end = await store.readSnapshot();
  const candidates = await subjectCandidates(store, key, subject);
  return { ...answersFrom(store, key, candidates), end };
}

/** The files of `store` that may hold the subject's identifiers. */
export async function subjectCandidates(
  store: IndexStore,
  key: IndexKey,
  subject: Subject,
): Promise<Candidates> {
  const subjectToks = subjectTokens(compileSubject(subject));
  const tokens = subjectToks.map((t) => mac(key, t));
  const all = await store.filesWithAnyToken(tokens);
  // Items too rich to list their tokens: those stored with a token filter are candidates when it may
  // hold the subject's; those an index before filters stored, for every subject. They can be large, so
  // they are read by the workers, under the time limit.
  const hashes = new FilterHasher(filterKeyOf(key.macKey)).hash(subjectToks);
  const rich = await store.filesMaybeHolding(subjectToks.map((_, i) => hashes.slice(8 * i, 8 * i + 8)));
  for (const file of await store.filesWithAnyToken([mac(key, EVERY_TOKEN)])) rich.add(file);
  for (const file of rich) all.add(file);
  return { all, rich };
}

/**
 * A scan's answers from the index, given its candidates: a candidate, or a file changed or added since
 * indexing, is read; every other file is answered from its stored outcome.
 */
export function answersFrom(store: IndexStore, key: IndexKey, candidates: Candidates): IndexedAnswers {
  const stats: IndexedScanStats = { candidates: 0, changed: 0, added: 0, unchanged: 0 };
  /** Unchanged candidates were read within the time limit when indexed: the query reads them in-process. */
  const unchangedCandidates = new Set<string>();
  const shortcut = async (file: FileEntry): Promise<TopLevelResult | undefined> => {
    const pathMac = mac(key, file.absPath);
    const row = await store.getFile(pathMac);
    if (!row) {
      stats.added++;
      return undefined;
    }
    if (!isUnchanged(row, file)) {
      stats.changed++;
      return undefined;
    }
    const hex = pathMac.toString('hex');
    if (candidates.all.has(hex)) {
      stats.candidates++;
      if (!candidates.rich.has(hex)) unchangedCandidates.add(file.absPath);
      return undefined;
    }
    stats.unchanged++;
    return storedResult(key, row);
  };
  return { shortcut, readHere: (file) => unchangedCandidates.has(file.absPath), stats };
}

import type { Subject } from '../core/types.js';
import type { FileEntry } from '../crawl/fs-source.js';
import type { TopLevelResult } from '../engine/scan-item.js';
import { compileSubject } from '../match/subject.js';
import { isUnchanged, storedResult } from './build.js';
import type { OpenIndex } from './index-file.js';
import { mac } from './keys.js';
import { EVERY_TOKEN, subjectTokens } from './tokens.js';

export interface IndexedScanStats {
  candidates: number;
  changed: number;
  added: number;
  unchanged: number;
}

/**
 * Answers a subject scan from an index: the subject's identifiers are hashed with the index key, files
 * holding any of those hashes are candidates and are re-read by the full pipeline, as are files changed
 * or added since indexing; every other file is accounted for from the index without being opened.
 */
export function indexedShortcut(
  index: OpenIndex,
  subject: Subject,
): {
  shortcut: (file: FileEntry) => TopLevelResult | undefined;
  readHere: (file: FileEntry) => boolean;
  stats: IndexedScanStats;
  /** Ends the query's snapshot of the index. */
  end: () => void;
} {
  const { store, key } = index;
  // Candidates and fingerprints come from one snapshot: an index run committing meanwhile cannot
  // make them disagree.
  const end = store.readSnapshot();
  const tokens = subjectTokens(compileSubject(subject)).map((t) => mac(key, t));
  const candidates = store.filesWithAnyToken(tokens);
  // Items too rich to list their tokens are candidates for every subject; they can be large, so they
  // are read by the workers, under the time limit.
  const everyQuery = store.filesWithAnyToken([mac(key, EVERY_TOKEN)]);
  const stats: IndexedScanStats = { candidates: 0, changed: 0, added: 0, unchanged: 0 };
  /** Unchanged candidates were read within the time limit when indexed: the query reads them in-process. */
  const unchangedCandidates = new Set<string>();
  const shortcut = (file: FileEntry): TopLevelResult | undefined => {
    const pathMac = mac(key, file.absPath);
    const row = store.getFile(pathMac);
    if (!row) {
      stats.added++;
      return undefined;
    }
    if (!isUnchanged(row, file)) {
      stats.changed++;
      return undefined;
    }
    const hex = pathMac.toString('hex');
    if (candidates.has(hex)) {
      stats.candidates++;
      if (!everyQuery.has(hex)) unchangedCandidates.add(file.absPath);
      return undefined;
    }
    stats.unchanged++;
    return storedResult(key, row);
  };
  return { shortcut, readHere: (file) => unchangedCandidates.has(file.absPath), stats, end };
}

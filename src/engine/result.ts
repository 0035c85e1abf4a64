import type { DetectorId, Finding, ItemRecord, ScanError } from '../core/types.js';
import type { ScannedPage } from '../extract/api.js';
import type { PackedFindings } from '../scan-file/packed-findings.js';
import type { EvidenceSummary } from './evidence.js';

/** Everything one top-level file (or IMAP message) contributed to the scan. */
export interface TopLevelResult {
  findings: Finding[];
  items: ItemRecord[];
  errors: ScanError[];
  /** Items read: the file itself plus every nested message, attachment and member. */
  itemCount: number;
  bytes: number;
  /** Set when the top-level item was not searchable (binary, no known format). */
  skipped?: string;
  format?: string;
  /** Findings already serialised (by a worker thread), in place of `findings`. */
  packed?: PackedFindings;
  /** Index mode: hex MACs of the identifier tokens found (see src/index/tokens.ts). */
  tokens?: string[];
  /**
   * Index mode, an item of too many tokens to list: a Bloom filter of their MACs instead (see
   * src/index/token-filter.ts). The filters of one file's parts have one size, and OR-ing them
   * gives the file's.
   */
  tokenFilter?: Uint8Array;
  /** A part of a huge file (`EngineOptions.textRange`): what the item's record is made of once merged. */
  range?: RangeOutcome;
  /** The file was read in this many parts by the workers at once (see RangeMerger). */
  parts?: number;
  /** The first part of a PDF (see PdfPart): its scanned pages, left for the workers to recognise. */
  ocrLater?: ScannedPage[];
  /** A part of a huge zip: the bytes inflated from the file by the time it was done. */
  inflated?: number;
}

/** What one part of a huge file adds to its item: no item record or evidence of its own. */
export interface RangeOutcome {
  /** The part's bytes are not UTF-8 throughout: the file must be read in one piece. */
  invalid?: boolean;
  evidence?: EvidenceSummary;
  others?: ItemRecord['others'];
  detectors?: DetectorId[];
  overflow?: boolean;
  listed?: { subject: number; others: number };
}

/**
 * A top-level file's result before anything in it is listed: the file itself as its one item. Also
 * what the parts of a huge file are gathered into (see RangeMerger, schedule/container-in-parts.ts).
 */
export function fileResult(size: number, format: string): TopLevelResult {
  return { findings: [], items: [], errors: [], itemCount: 1, bytes: size, format };
}

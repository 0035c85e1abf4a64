/**
 * Defaults of the README's limits table (docs/limits.md says how they hold); every one can be overridden
 * on the command line.
 */
export interface Limits {
  /** Bytes read into memory for one file or member that is not plain text (plain text streams any size). @default 100 MiB */
  maxExtractBytes: number;
  /** Bytes inflated from one top-level file across all its archives and attachments. @default 400 MiB */
  maxInflatedBytes: number;
  /** Nesting depth of archives and attached messages. @default 5 */
  maxDepth: number;
  /** Members per container (archive, mailbox). @default 10,000 */
  maxMembers: number;
  /** Inflated/compressed size ratio of one member. @default 100 */
  maxRatio: number;
  /** Milliseconds per top-level item before its worker is stopped. @default 60,000 */
  timeoutMs: number;
  /** Characters of text searched per document before it is marked truncated. @default 20 MiB */
  maxTextChars: number;
  /**
   * Findings listed per item of each kind (the subject's; other people's under --all); beyond, they
   * are counted and weigh in the evidence but are not listed, so that memory stays bounded. @default 20,000
   */
  maxFindings: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Limits = {
  maxExtractBytes: 100 * MiB,
  maxInflatedBytes: 400 * MiB,
  maxDepth: 5,
  maxMembers: 10_000,
  maxRatio: 100,
  timeoutMs: 60_000,
  maxTextChars: 20 * MiB,
  maxFindings: 20_000,
};

/** The error of an item with more findings of one kind than are listed. */
export function tooManyFindings(maxFindings: number): string {
  return `more than ${maxFindings} findings of one kind (the subject's, or others') in this item: the first ${maxFindings} are listed, the rest counted (raise --max-findings)`;
}

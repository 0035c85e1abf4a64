import type { ByteProgram } from '../src/byte-scan/index.js';
import type { Candidate, Chunk, DetectorId } from '../src/core/types.js';
import type { CompiledSubject } from '../src/match/subject.js';

/**
 * What a detector finds, which decides how the rest of dsr treats its values:
 * - `identifier`: a value that belongs to one person (a CPR number, an e-mail address, a phone
 *   number). Everyone's are found: an inventory (`--all`) lists them, other people's are counted in an
 *   item (`items[].others`), masked in an export and hidden in a report's context snippets.
 * - `name`: the subject's name in text; only the subject's are found.
 * - `face`: the subject's name as a person tagged in media metadata; only the subject's are found.
 */
export type DetectorKind = 'identifier' | 'name' | 'face';

/** A detector's name for people, in one language. */
export interface DetectorLabel {
  /** In running text, where several kinds are listed (`CPR`, `e-mail`): "CPR, e-mail or phone". */
  short: string;
  /** One value and several (`CPR number`, `CPR numbers`): "2 CPR numbers of other people". */
  one: string;
  many: string;
  /** The data category in the access report and the review screen (`Photos and video` for face tags). */
  category: string;
}

export interface DetectorMeta {
  /** The detector's name in the scan file (`findings[].detector`) and on the command line. */
  id: DetectorId;
  kind: DetectorKind;
  description: string;
  /** Cheap anchors; a chunk containing none of them (case-insensitive) cannot hold a candidate. Empty: always run. */
  keywords: string[];
  /** Context words that raise or lower confidence (inventory mode). */
  context?: { raise?: string[]; lower?: string[] };
  labels: { en: DetectorLabel; da: DetectorLabel };
  /** The colour of the detector's category in the access report's chart and tags (CSS). */
  color: string;
  /**
   * The subject-profile fields that hold this detector's values (`emails`, `name` and `aliases`): the
   * report shows them in full only when the subject gave them (`dsr report --given`).
   */
  profile?: readonly ProfileField[];
  /**
   * Other people's values in a message's own address headers (From, To, …) are its correspondents:
   * removing the message takes nothing from them that they do not hold themselves. One detector at
   * most (the scan file's `items[].correspondents` counts its values).
   */
  correspondents?: boolean;
}

export type ProfileField = 'name' | 'aliases' | 'emails' | 'phones' | 'cpr';

/** How an item's evidence level (confirmed, possible, namesake) reads this detector's candidates. */
export interface EvidenceRules {
  /** What one of the subject's values makes of its item: a unique identifier confirms it. */
  subject: 'confirmed' | 'possible';
  /**
   * A value of the subject's that names the person: at its place in a field (a name in text), or in
   * the whole item (a face tag names the person in all of a photo).
   */
  names?: 'place' | 'item';
  /**
   * When another person's value tells that the subject's name in the item is a namesake's: `near-name`
   * when it stands near that name (another CPR number), or a test of the value itself (an e-mail
   * address made of the subject's name that is not the subject's).
   */
  namesake?: 'near-name' | ((value: string, subject: CompiledSubject) => boolean);
}

/**
 * A test of raw bytes, read as a Latin-1 string (every byte one character), that a file may hold one of
 * the subject's values; an ASCII character stands for itself and any other for a run of 0x80–0xFF.
 * - `program`: a byte program (see src/byte-scan/programs.ts) matches;
 * - `pattern`: the regex matches (`i` flag), tried only once `first`, a cheaper regex every match of it
 *   implies, has;
 * - `around`: the program (a literal every match holds) matches, and around that place both `at`
 *   (sticky, from the literal) and `pattern` do.
 */
export type RawAnchor =
  | { kind: 'program'; program: ByteProgram }
  | { kind: 'pattern'; pattern: string; first?: string }
  | { kind: 'around'; program: ByteProgram; at: string; pattern: string };

/**
 * Cheap tests that a text, or a file's raw bytes, may hold one of the subject's values: each implied by
 * the detector's pattern (a superset), so that what fails them cannot yield a finding of the subject.
 * Detectors that find the same values (`name` and `face`) share one object, tested once.
 */
export interface SubjectAnchors {
  /** A test of text (NFC), or undefined when the subject has no value of this kind. */
  text(subject: CompiledSubject): ((text: string) => boolean) | undefined;
  /** Tests of raw bytes, any one of which may hit: none when the subject has no value of this kind. */
  raw(subject: CompiledSubject): RawAnchor[];
}

/**
 * Other people's values in a context snippet shown to the subject (the access report): `pattern`, a
 * loose regex source (no capture groups) for anything that may be such a value as written, cut off by
 * the snippet's end or not; `mine` tells the subject's own, which stay readable. Where the patterns of
 * two detectors match the same text, the one with the higher `precedence` hides it.
 */
export interface Conceal {
  pattern: string;
  precedence: number;
  mine(written: string, subject: CompiledSubject): boolean;
}

export interface DetectContext {
  subject: CompiledSubject;
  /** Inventory mode: report every plausible identifier, not only the subject's. */
  all: boolean;
}

export type DetectInput = Pick<Chunk, 'text'> &
  Partial<Pick<Chunk, 'structured' | 'field' | 'location' | 'faceTag'>>;

export interface Detector {
  meta: DetectorMeta;
  /** Pure: no I/O, no printing. Returns candidates with offsets into `chunk.text`. */
  detect(chunk: DetectInput, ctx: DetectContext): Candidate[];
  /** A value, or a value as written, masked for logs, terminal output and copies: `1503XX-XXXX`. */
  mask(value: string): string;
  evidence: EvidenceRules;
  anchors: SubjectAnchors;
  /**
   * The index tokens (src/index/tokens.ts: `w:` folded words, `d:` digit chains, `e:` addresses) that
   * every text holding one of the subject's values yields: an index looks items up by them.
   */
  indexTokens(subject: CompiledSubject): string[];
  /** Where a value (as the detector normalises it) may stand as written in a text: for highlighting. */
  written(value: string): RegExp;
  /** A value as people read it (a phone number grouped). @default the value */
  display?(value: string): string;
  /** Identifiers: other people's values hidden in report snippets. */
  conceal?: Conceal;
}

export function defineDetector(detector: Detector): Detector {
  return detector;
}

/** Lower-cased text of up to `width` characters before `start`, for context-word checks. */
export function textBefore(text: string, start: number, width: number): string {
  return text.slice(Math.max(0, start - width), start).toLowerCase();
}

export function clampConfidence(c: number): number {
  return Math.round(Math.min(0.99, Math.max(0.05, c)) * 100) / 100;
}

/** A literal for a regex source. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

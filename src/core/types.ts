/**
 * The engine's vocabulary. Every stage speaks these types:
 * sources produce ItemInputs, extractors turn them into Chunks and child ItemInputs,
 * detectors turn Chunks into Candidates, the matcher turns Candidates into Findings,
 * sinks (scan file, reports, TUI) consume Findings, ItemRecords and ScanErrors.
 */

/** The id of a registered detector (`detectors/index.ts`), as the scan file names it. */
export type DetectorId = string;

export type Evidence = 'confirmed' | 'possible' | 'namesake';

export type ErrorKind =
  | 'corrupt'
  | 'limit'
  | 'permission'
  | 'timeout'
  | 'encrypted'
  | 'unsupported'
  /** A server (IMAP) closed the connection or died mid-scan. */
  | 'connection';

/** Where an item lives: a file on disk (or an IMAP URL) and the nested items from the outside in. */
export interface ItemRef {
  path: string;
  itemPath: string[];
}

/** What an erasure plan is later checked against. Files: size, mtime, sha256; nested items: offset, length, sha256. */
export interface Fingerprint {
  size?: number;
  mtimeMs?: number;
  ino?: number;
  sha256?: string;
  offset?: number;
  length?: number;
  uidValidity?: string;
  uid?: number;
  modseq?: string;
}

/** Bytes of an item: either a file on disk or an in-memory buffer (archive member, attachment, IMAP message). */
export type ItemSource =
  | {
      kind: 'file';
      absPath: string;
      size: number;
      mtimeMs?: number;
      ino?: number;
      /** A nested item's bytes spooled to a private temporary file (a gzip's content): fingerprinted as nested bytes. */
      nested?: boolean;
    }
  | { kind: 'buffer'; data: Uint8Array };

/**
 * The message an item belongs to, as erasure removes it: an attachment is erased by removing its message.
 * Set by the mail extractors and sources; inherited by every nested child.
 */
export interface MessageRef {
  kind: 'mbox' | 'maildir' | 'imap' | 'eml' | 'msg' | 'pst';
  /** itemPath of the message item itself (empty when the message is the whole file). */
  itemPath: string[];
  fingerprint: Fingerprint;
}

export interface ItemInput {
  ref: ItemRef;
  /** A file name used to choose an extractor (basename of the file, member or attachment). */
  name: string;
  source: ItemSource;
  /** Nesting depth: 0 for a top-level file. */
  depth: number;
  /** Where a nested item sits in its container, when known (mbox message offsets). */
  fingerprint?: Fingerprint;
  /** Extra facts a container knows about the child (e.g. the MIME type of an attachment). */
  contentType?: string;
  /** The root the top-level file was found under (for relative-path evidence). */
  root?: string;
  /** The enclosing message (mail stores); children inherit it unless they set their own. */
  message?: MessageRef;
  /** A picture inside a document (Office, OpenDocument): only its metadata is read, never its pixels (no OCR). */
  metadataOnly?: boolean;
}

/** Location inside an item's extracted text, as shown to a reviewer. */
export interface Location {
  line?: number;
  column?: number;
  page?: number;
  /** A named field: `path`, `header:From`, `pdf:Author`, `XMP-mwg-rs RegionList[2]`, … */
  field?: string;
  /** Character offset of the match in the extracted text stream of this field. */
  offset?: number;
  /** For face regions: the normalised rectangle (0..1) of the region. */
  region?: { x: number; y: number; w: number; h: number };
  /** For sidecar files (XMP, Picasa, Takeout): the media file the metadata describes. */
  sidecarOf?: string;
  /** For text read by OCR (`field: "ocr"`): the word(s) of the match, in pixels of the page image. */
  box?: PixelBox;
}

/** A rectangle in pixels of an image, from its top-left corner. */
export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where a word of text read by OCR stands: its characters [from, to) in the field's stream, and its box. */
export interface WordBox {
  from: number;
  to: number;
  box: PixelBox;
}

/**
 * A piece of text to search, with provenance. `text` may begin with `overlap` characters repeated
 * from the previous chunk of the same stream, so that matches across a boundary are not lost.
 */
export interface Chunk {
  ref: ItemRef;
  text: string;
  /** Name of the text stream (`body`, `path`, `header:From`, `page 3`, …); offsets restart per field. */
  field?: string;
  page?: number;
  /** Absolute character offset of text[0] within its field's stream. */
  offset: number;
  /** Number of leading characters that repeat the end of the previous chunk. */
  overlap: number;
  /**
   * Matches starting in [acceptFrom, acceptTo) belong to this chunk; the others are found whole by the
   * neighbouring chunk. Default: the whole text.
   */
  acceptFrom?: number;
  acceptTo?: number;
  /** 1-based line and column of text[0] within its field's stream. */
  line: number;
  column: number;
  /**
   * A part of a huge file read by one of several workers: only matches starting in [from, to) of this
   * text are its own; the others (in the margins it reads for context) only weigh in the evidence.
   */
  own?: { from: number; to: number };
  /** True when the chunk is structured metadata where each value stands alone (headers, tags). */
  structured?: boolean;
  /** Extra location facts attached by the extractor (e.g. a face region). */
  location?: Partial<Location>;
  /** True when the text is a person tagged in media metadata (face region, person keyword): the `face` detector reads it, `name` does not. */
  faceTag?: boolean;
  /** Text read by OCR: each word's place in the stream and its box (a finding's box joins its words'). */
  boxes?: readonly WordBox[];
}

export interface Candidate {
  detector: DetectorId;
  /** Offsets into chunk.text. */
  start: number;
  end: number;
  /** Normalised value (CPR as DDMMYY-SSSS, e-mail lower-case, phone as +CCNNN…, name as written). */
  value: string;
  /** True when the value is one of the subject's identifiers. */
  subject: boolean;
  confidence: number;
  /** For name candidates: which profile name/alias matched. */
  matched?: string;
  /** Extra location facts (face region, metadata field). */
  location?: Partial<Location>;
}

export interface Finding {
  id: string;
  /** The agent that found it, in a scan made through agents (`dsr scan --db`); `path` is on that host. */
  host?: string;
  path: string;
  itemPath: string[];
  itemId: string;
  detector: DetectorId;
  subject: boolean;
  value: string;
  confidence: number;
  /** The evidence level of the finding's item; `none` for an identifier of someone else in an item without the subject (`--all`). */
  evidence: Evidence | 'none';
  location: Location;
  context: string;
}

export interface ItemRecord {
  id: string;
  /** The agent whose host holds the item (`dsr scan --db`). */
  host?: string;
  path: string;
  itemPath: string[];
  evidence: Evidence;
  detectors: DetectorId[];
  fingerprint: Fingerprint;
  /** Identifiers of other people in the same item (counts per detector) — why an item is shared or a namesake. */
  others?: Partial<Record<DetectorId, number>>;
  /**
   * A message itself (not an attachment): how many of `others.email` sit in its own address header
   * fields (From, Sender, Reply-To, To, Cc, Bcc, Delivered-To, Return-Path), its correspondents.
   */
  correspondents?: number;
  /**
   * An item in a message: other people's identifiers in the parts of the same message that hold nothing
   * of the subject and so are no items of their own (its headers and text, other attachments), which
   * removing the message would remove too; the message's correspondents left out.
   */
  messageOthers?: Partial<Record<DetectorId, number>>;
  /** The extractor that read the item (`text`, `html`, `pdf`, `eml`, …) — erasure chooses its action from it. */
  format?: string;
  /** The enclosing message, for items inside mail stores (erasure removes the message). */
  message?: MessageRef;
  scannedAt?: string;
}

export interface ScanError {
  /** The agent that met the error (`dsr scan --db`). */
  host?: string;
  path: string;
  itemPath: string[];
  message: string;
  kind: ErrorKind;
}

export interface Subject {
  name?: string;
  aliases?: string[];
  emails?: string[];
  phones?: string[];
  cpr?: string[];
}

export interface ScanStats {
  files: number;
  items: number;
  bytes: number;
  skipped: number;
  errors: number;
}

export interface ScanFile {
  schema: 'dsr.scan/1';
  scanId: string;
  startedAt: string;
  finishedAt: string;
  interrupted?: boolean;
  roots: string[];
  subject: Subject;
  options?: { all: boolean; excludes: string[] };
  /** Present when the scan was answered from an index: how many files were re-read and why. */
  index?: { candidates: number; changed: number; added: number; unchanged: number };
  stats: ScanStats;
  findings: Finding[];
  items: ItemRecord[];
  errors: ScanError[];
  scanned?: string[];
  skippedFiles?: { path: string; reason: string; host?: string }[];
  /** A scan made through agents (`dsr scan --db`): each agent asked, its roots, and whether it answered. */
  hosts?: HostRecord[];
}

export interface HostRecord {
  name: string;
  roots: string[];
  /** False when the agent did not answer within `--wait`: its roots (or some folders) were not scanned. */
  answered: boolean;
}

import type { Limits } from '../core/limits.js';
import type { Chunk, ErrorKind, ItemInput, ItemRef, Location, WordBox } from '../core/types.js';
import type { TextPlace } from './chunker.js';
import type { OcrCacheRef } from './ocr/cache.js';

/**
 * The contract between the engine and a format extractor. An extractor only turns bytes into text
 * with provenance and into child items; it never decides what is personal data.
 */
export interface Extractor {
  /** Short id, recorded as the item's `format` (`text`, `html`, `pdf`, `eml`, `mbox`, `zip`, …). */
  id: string;
  description: string;
  /** Lower-case file name suffixes this extractor reads (`.txt`, `.tar.gz`). */
  extensions: string[];
  /** Claims an item by its first bytes when the name says nothing (e.g. no extension). */
  sniff?(head: Uint8Array, input: ItemInput): boolean;
  extract(input: ItemInput, ctx: ExtractContext): Promise<void>;
}

/** An extractor without its code: what choosing one needs (see `formats.ts`). */
export type ExtractorFormat = Omit<Extractor, 'extract'>;

export interface TextOptions {
  /** Name of the text stream; offsets and lines restart per field. Default `body`. */
  field?: string;
  page?: number;
  /** Each line stands alone (headers, metadata tags): no matches across values. */
  structured?: boolean;
  /** Extra location facts for every finding in this text (e.g. a face region). */
  location?: Partial<Location>;
  /** The text is a person tagged in media metadata (face region, person keyword): read by `face`, not `name`. */
  faceTag?: boolean;
  /** Text read by OCR: where each word stands in the text and its box in pixels (see Chunk.boxes). */
  boxes?: readonly WordBox[];
  /** The item the text belongs to; default the item being extracted. */
  ref?: ItemRef;
  /**
   * For `textStream`: the stream is document text that counts towards `limits.maxTextChars` as
   * `text` does (a spreadsheet sheet read piece by piece), instead of streaming any length.
   */
  document?: boolean;
  /** Engine use: the stream continues a text from this place, owning only matches in `own` (see Chunker). */
  resume?: TextPlace;
  own?: { from: number; to: number };
}

export interface ExtractContext {
  limits: Limits;
  signal: AbortSignal;
  /** Search a whole string (chunked with overlap when large); documents are cut at `limits.maxTextChars`. */
  text(text: string, opts?: TextOptions): void;
  /** Search a stream of decoded text pieces (any size, constant memory). */
  textStream(pieces: AsyncIterable<string>, opts?: TextOptions): Promise<void>;
  /** Hand a nested item (attachment, archive member, message) back to the engine. Resolves when it is scanned. */
  child(child: Omit<ItemInput, 'depth' | 'root'>): Promise<void>;
  /** Declare the item not searchable (binary, no known format): counted as skipped, not as an error. */
  skip(reason: string): void;
  /**
   * Report text the item holds only as pictures (scanned PDF pages, an image of a document) that is not
   * read because OCR cannot run here (`why` says what is missing): an `unsupported` error.
   */
  withoutText(what: WithoutText): void;
  /** Record a problem with this item (or a nested ref) without stopping the scan. */
  error(kind: ErrorKind, message: string, ref?: ItemRef): void;
  /** Bytes of the item, refusing more than `limits.maxExtractBytes` with an ExtractError of kind `limit`. */
  readAll(): Promise<Buffer>;
  /** Count bytes inflated from this top-level file; throws ExtractError(limit) past the budget. */
  inflated(bytes: number): void;
  /**
   * The raw bytes of a plain-text file streamed by `textStream`, piece by piece before decoding, passed
   * through for the engine to look at (see NamesGate): an extractor that has them hands them on here.
   */
  rawText?(pieces: AsyncIterable<Uint8Array>, encoding: string): AsyncIterable<Uint8Array>;
  /**
   * Subject scans only: true when these raw bytes, read as UTF-8 or an 8-bit charset, hold none of the
   * subject's anchors (see RawAnchors), so that no text decoded from them as such can hold anything of
   * the subject. An extractor that decodes them no other way may then leave them unread.
   */
  rawClean?(bytes: Uint8Array): boolean;
  /**
   * Subject scans only: true when this text, as a chunk would hold it, holds none of the subject's
   * anchors (see subjectAnchors), so that no detector can find anything of the subject in it.
   */
  textClean?(text: string): boolean;
  /**
   * Subject scans only: counts `items` an extractor knows to hold nothing of the subject (by rawClean
   * and textClean) and therefore does not hand to `child`, so that the scan still tells how many items
   * it searched (see cleanMessageItems).
   */
  passedOver?(items: number): void;
  /**
   * Whether an item handed to `child` so far (or one nested in it) holds something of the subject. A
   * message that left its own text unread (see rawClean) reads it after all when one of its
   * attachments does: erasure removes the whole message, so the other people in it must be counted.
   */
  childHeldSubject?(): boolean;
  /** Where an index keeps OCR results: scanned pages recognised before are read from there. */
  ocrCache?: OcrCacheRef;
  /** A part of a PDF whose scanned pages are spread over the workers (see PdfPart). */
  pdfPart?: PdfPart;
  /**
   * Set in the first part of a PDF (see PdfPart): its scanned pages, when two or more, are handed
   * here instead of being recognised, for the workers to share.
   */
  ocrLater?(pages: readonly ScannedPage[]): void;
}

/** A PDF page with (almost) no text but an image of the page, and the long side of that image in pixels. */
export interface ScannedPage {
  num: number;
  side: number;
}

/**
 * A part of one PDF read by several workers: the first part (no `ocrPages`) reads the file as usual
 * but lists its scanned pages (ExtractContext.ocrLater) when it has two or more; each later part only
 * recognises its `ocrPages`. A PDF of text, logos or not, is read whole by the first part.
 */
export interface PdfPart {
  ocrPages?: ScannedPage[];
}

/** What of an item is text only as pictures (see ExtractContext.withoutText). */
export type WithoutText =
  /** PDF pages with no text layer but an image: scanned pages. Numbers from 1, ascending. */
  | { kind: 'pages'; pages: number[]; total: number; why?: string }
  /** An image that looks like a scanned document rather than a photo; `signal` says why. */
  | { kind: 'image'; signal: string; why?: string };

export type { Chunk };

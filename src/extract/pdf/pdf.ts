import { ExtractError } from '../../core/errors.js';
import type { ExtractContext, Extractor, ScannedPage } from '../api.js';
import { looksLikePdf, pdfFormat } from '../formats.js';
import { pdfOcrUnavailable, readPdfPagesByOcr } from '../ocr/ocr.js';
import { readLeanPdf } from './lean-text.js';
import { restoreNatives } from './natives.js';
import { checkPdfStreams } from './stream-limits.js';

/** Pages parsed per call: bounds the text held at once in a long document. */
const PAGE_BATCH = 25;
/**
 * A page with fewer visible characters than this and an image is a scanned page: a scan may carry a
 * stamp or a page number as text, while a page of a real text layer holds far more.
 */
const SCANNED_PAGE_MAX_CHARS = 20;
/**
 * A page with a short text layer (a header, a stamp, a few OCR'd words) over an image of a whole page
 * at 100 dpi or more (an A4 page at 100 dpi has 970,000 pixels) is a scanned page too.
 */
const PARTLY_SCANNED_MAX_CHARS = 200;
const PAGE_IMAGE_PIXELS = 900_000;
/**
 * pdf.js operators that paint an image (its `OPS` values in pdfjs-dist 5.4, the version pdf-parse 2.4
 * pins): paintImageMaskXObject (83), paintImageXObject (85), paintInlineImageXObject (86).
 */
const IMAGE_OPS = new Set([83, 85, 86]);
/** Pixels an image needs to be a scanned page (an A4 page at 72 dpi has 500,000): not an icon or a logo. */
const MIN_SCAN_PIXELS = 100_000;
const INFO_FIELDS = ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer'] as const;

/** pdf.js error classes by name: they cross module copies, so `instanceof` is unreliable. */
function toExtractError(err: unknown): ExtractError {
  const name = (err as Error)?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (name === 'PasswordException')
    return new ExtractError('encrypted', 'PDF is password-protected; not read');
  if (name === 'AbortException') return new ExtractError('timeout', `PDF parsing stopped: ${message}`);
  return new ExtractError('corrupt', `PDF could not be parsed: ${message}`, { cause: err });
}

/** XMP metadata as pdf.js parsed it (`dc:creator`, `dc:title`, `pdf:keywords`, …), one `key: value` line each. */
function xmpLines(metadata: unknown): string[] {
  const entries = metadata as Iterable<[string, unknown]> | null | undefined;
  if (!entries || typeof entries[Symbol.iterator] !== 'function') return [];
  const lines: string[] = [];
  for (const [key, value] of entries) {
    const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('; ') : value;
    if (typeof text === 'string' && text.trim()) lines.push(`${key}: ${text.trim().slice(0, 10_000)}`);
  }
  return lines;
}

/** pdf.js's own exception classes, whatever copy of the module they come from. */
function isPdfJsError(reason: unknown): boolean {
  const name = (reason as Error | undefined)?.name ?? '';
  const stack = (reason as Error | undefined)?.stack ?? '';
  return (
    /^(\w+Exception|FormatError)$/.test(name) &&
    (stack.includes('pdfjs-dist') || stack.includes('pdf.worker'))
  );
}

function visibleChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length && n < PARTLY_SCANNED_MAX_CHARS; i++) if (text.charCodeAt(i) > 32) n++;
  return n;
}

/**
 * Whether a page is a scanned page, from its text layer and (asked only when that is short) its images:
 * the long side in pixels of its page image, or 0 when it is not a scanned page.
 */
async function scannedSide(parser: unknown, num: number, text: string): Promise<number> {
  const chars = visibleChars(text);
  if (chars >= PARTLY_SCANNED_MAX_CHARS) return 0;
  const [w, h] = await largestImage(parser, num);
  const pixels = w * h;
  if (chars < SCANNED_PAGE_MAX_CHARS ? pixels >= MIN_SCAN_PIXELS : pixels >= PAGE_IMAGE_PIXELS)
    return Math.max(w, h);
  return 0;
}

/** What of pdf.js's document and page this module uses (pdf-parse keeps its document private). */
interface PdfJsDocument {
  getPage(num: number): Promise<{
    getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
    cleanup(): void;
  }>;
}

/**
 * Width and height of the largest image a page paints ([0, 0] for none). Asked only of pages with
 * little text: the operator list decodes the page's images, which is why a page of text is never asked.
 */
async function largestImage(parser: unknown, num: number): Promise<[number, number]> {
  let doc: PdfJsDocument;
  try {
    doc = await (parser as { load(): Promise<PdfJsDocument> }).load();
    const page = await doc.getPage(num);
    try {
      const { fnArray, argsArray } = await page.getOperatorList();
      let largest: [number, number] = [0, 0];
      fnArray.forEach((op, i) => {
        if (!IMAGE_OPS.has(op)) return;
        const size = imageSize(argsArray[i]);
        if (size[0] * size[1] > largest[0] * largest[1]) largest = size;
      });
      return largest;
    } finally {
      page.cleanup();
    }
  } catch (err) {
    throw toExtractError(err);
  }
}

/** An image operator's size: `[objId, width, height]` for an XObject, the image data's for the others. */
function imageSize(args: unknown[] | undefined): [number, number] {
  if (!args) return [0, 0];
  if (typeof args[1] === 'number' && typeof args[2] === 'number') return [args[1], args[2]];
  const data = args[0] as { width?: unknown; height?: unknown } | undefined;
  return typeof data?.width === 'number' && typeof data.height === 'number'
    ? [data.width, data.height]
    : [0, 0];
}

let guarded = false;

/**
 * pdf.js leaves some internal promises without a handler when a damaged file fails (seen in
 * getMetadata on a truncated trailer); the failure already reached us through the promise we await.
 * Without this, such a rejection would end the worker thread — or the scan when it runs in process.
 * Every other unhandled rejection is rethrown as before.
 */
function ignorePdfJsStrayRejections(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    if (isPdfJsError(reason) || process.listenerCount('unhandledRejection') > 1) return;
    throw reason;
  });
}

const pdf: Extractor = {
  ...pdfFormat,
  async extract(input, ctx) {
    // A later part of a PDF whose scanned pages are shared out: those pages only.
    const share = ctx.pdfPart?.ocrPages;
    if (share) return readPdfPagesByOcr(input, ctx, share);
    const ocrPages = await readPdf(ctx);
    // After pdf.js has let go of the document: OCR takes long, and its memory is better free meanwhile.
    if (ocrPages.length) await readPdfPagesByOcr(input, ctx, ocrPages);
  },
};

/** Reads the PDF's text and information; returns the scanned pages to read by OCR. */
async function readPdf(ctx: ExtractContext): Promise<ScannedPage[]> {
  ignorePdfJsStrayRejections();
  const data = await ctx.readAll();
  if (!looksLikePdf(data)) throw new ExtractError('corrupt', 'not a PDF (no %PDF- header)');
  // pdf.js inflates without bounds: the limits are checked first (see stream-limits.ts).
  checkPdfStreams(data, ctx.limits, (bytes) => {
    try {
      ctx.inflated(bytes);
    } catch (err) {
      throw new ExtractError('limit', `${(err as Error).message} (--max-inflated-bytes); PDF not read`);
    }
  });
  // The common PDF is read without pdf.js, to the same text; the rest falls back to it.
  const lean = readLeanPdf(data, ctx.signal);
  if (lean) {
    if (lean.info.length) ctx.text(lean.info.join('\n'), { field: 'pdf:info', structured: true });
    lean.pages.forEach((text, i) => {
      if (text.trim()) ctx.text(text, { field: `page ${i + 1}`, page: i + 1 });
    });
    return [];
  }
  // A copy: pdf.js takes ownership of the bytes it is given.
  // Loaded on the first PDF: pdf.js takes a tenth of a second to compile, in every worker.
  const { PDFParse } = await import('pdf-parse');
  restoreNatives();
  const parser = new PDFParse({ data: new Uint8Array(data), verbosity: 0, stopAtErrors: false });
  /** Pages with (almost) no text but an image of the page: read by OCR. */
  const scanned: ScannedPage[] = [];
  let ocrPages: ScannedPage[] = [];
  try {
    let total: number;
    try {
      const info = await parser.getInfo();
      total = info.total;
      const lines: string[] = [];
      for (const key of INFO_FIELDS) {
        const value = info.info?.[key];
        if (typeof value === 'string' && value.trim()) lines.push(`${key}: ${value.trim()}`);
      }
      lines.push(...xmpLines(info.metadata));
      if (lines.length) ctx.text(lines.join('\n'), { field: 'pdf:info', structured: true });
    } catch (err) {
      throw toExtractError(err);
    } finally {
      // pdf.js loads its worker half (and its polyfills) with the first document.
      restoreNatives();
    }
    for (let first = 1; first <= total; first += PAGE_BATCH) {
      ctx.signal.throwIfAborted();
      const partial = Array.from({ length: Math.min(PAGE_BATCH, total - first + 1) }, (_, i) => first + i);
      let pages: { num: number; text: string }[];
      try {
        pages = (await parser.getText({ partial })).pages;
      } catch (err) {
        throw toExtractError(err);
      }
      for (const page of pages) {
        if (page.text.trim()) ctx.text(page.text, { field: `page ${page.num}`, page: page.num });
        const side = await scannedSide(parser, page.num, page.text);
        if (side) scanned.push({ num: page.num, side });
      }
    }
    if (scanned.length) {
      const why = await pdfOcrUnavailable();
      if (why) ctx.withoutText({ kind: 'pages', pages: scanned.map((p) => p.num), total, why });
      // Two or more scans: recognised by the workers together (see PdfPart), after this part.
      else if (ctx.ocrLater && scanned.length >= 2) ctx.ocrLater(scanned);
      else ocrPages = scanned;
    }
  } finally {
    await parser.destroy().catch(() => {});
  }
  return ocrPages;
}

export default pdf;

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExtractError } from '../../core/errors.js';
import type { ItemInput, WordBox } from '../../core/types.js';
import type { ExtractContext } from '../api.js';
import { OcrCache, sha256Hex } from './cache.js';
import { type OcrPage, ocrUnavailable, recognise, run } from './tesseract.js';

/** Share of the item time limit OCR may use: the worker is stopped at the limit and would lose the rest. */
const TIME_SHARE = 0.8;

/**
 * Recognised pages per item and page: a file with the subject's surname is extracted twice (an anchor
 * pass, then every detector), and its scanned pages are recognised once.
 */
const recognised = new WeakMap<ItemInput, Map<number, Promise<OcrPage[]>>>();

/** When OCR of this item must stop (see TIME_SHARE), fixed on the item's first use. */
const deadlines = new WeakMap<ItemInput, number>();

export function deadlineOf(input: ItemInput, ctx: ExtractContext): number {
  let deadline = deadlines.get(input);
  if (deadline === undefined) {
    deadline = Date.now() + ctx.limits.timeoutMs * TIME_SHARE;
    deadlines.set(input, deadline);
  }
  return deadline;
}

function once(input: ItemInput, key: number, make: () => Promise<OcrPage[]>): Promise<OcrPage[]> {
  const pages = recognised.get(input) ?? new Map<number, Promise<OcrPage[]>>();
  recognised.set(input, pages);
  const known = pages.get(key);
  if (known) return known;
  const p = make();
  pages.set(key, p);
  return p;
}

export { ocrUnavailable };

/** Why a scanned PDF page cannot be read here (OCR missing, or poppler's `pdftoppm`), or undefined. */
export async function pdfOcrUnavailable(): Promise<string | undefined> {
  return (
    (await ocrUnavailable()) ?? (pdftoppmPath() ? undefined : 'pdftoppm not found (install poppler-utils)')
  );
}

/**
 * Reads an image of a document by OCR and searches its text, page by page (a multi-page TIFF has
 * several). Findings carry the page, `field: "ocr"` and the box of their words. `decoded`: the
 * item's pictures already decoded (a HEIC's, see heif-decode.ts), each a page, read instead of its
 * bytes; the results are kept under the item's own bytes all the same.
 */
export async function readImageByOcr(
  input: ItemInput,
  ctx: ExtractContext,
  decoded?: readonly Uint8Array[],
): Promise<void> {
  const deadline = deadlineOf(input, ctx);
  const pages = await once(input, 0, async () => {
    const data = await ctx.readAll();
    return kept(ctx, data, 0, async () => {
      if (!decoded) return recognise(data, { signal: ctx.signal, deadline });
      const all: OcrPage[] = [];
      for (let i = 0; i < decoded.length; i++)
        for (const page of await recognise(decoded[i], { signal: ctx.signal, deadline }))
          all.push({ ...page, page: i + 1 });
      return all;
    });
  });
  for (const page of pages) emitPage(ctx, page, page.page);
}

/** Page `page` of the item with these bytes from the index's OCR results, else recognised and kept there. */
async function kept(
  ctx: ExtractContext,
  data: Uint8Array,
  page: number,
  make: () => Promise<OcrPage[]>,
): Promise<OcrPage[]> {
  if (!ctx.ocrCache) return make();
  const cache = new OcrCache(ctx.ocrCache);
  const name = cache.name(contentHash(data), page);
  const known = cache.get(name);
  if (known) return known;
  const pages = await make();
  cache.put(name, pages);
  return pages;
}

/** SHA-256 of an item's bytes, once per buffer (a PDF's pages share it). */
const hashes = new WeakMap<Uint8Array, string>();
function contentHash(data: Uint8Array): string {
  let h = hashes.get(data);
  if (!h) {
    h = sha256Hex(data);
    hashes.set(data, h);
  }
  return h;
}

/**
 * Reads scanned PDF pages by OCR, one page at a time: poppler's `pdftoppm` renders the page at the
 * resolution of its image, tesseract reads it. Stops at the item's OCR time share: the pages not
 * reached are a `timeout` error, what was read before is kept.
 */
export async function readPdfPagesByOcr(
  input: ItemInput,
  ctx: ExtractContext,
  pages: readonly { num: number; side: number }[],
): Promise<void> {
  const data = await ctx.readAll();
  const deadline = deadlineOf(input, ctx);
  const bin = pdftoppmPath();
  if (!bin) throw new ExtractError('unsupported', 'pdftoppm not found (install poppler-utils)');
  for (let i = 0; i < pages.length; i++) {
    const { num, side } = pages[i];
    let read: OcrPage[];
    try {
      read = await once(input, num, () =>
        kept(ctx, data, num, async () => {
          const image = await renderPage(bin, data, num, side, deadline, ctx.signal);
          return recognise(image, { signal: ctx.signal, deadline });
        }),
      );
    } catch (err) {
      if (!(err instanceof ExtractError && err.kind === 'timeout')) throw err;
      const left = pages.slice(i).map((p) => p.num);
      ctx.error(
        'timeout',
        `OCR of page${left.length > 1 ? 's' : ''} ${left.join(', ')} not finished within the item time limit (--timeout); not read`,
      );
      return;
    }
    for (const page of read) emitPage(ctx, page, num);
  }
}

/** Longest side, in pixels, a page is rendered at: a scan's own resolution, within reason. */
const MIN_SIDE = 1100;
const MAX_SIDE = 4200;

/**
 * A PDF page as a grayscale PNG whose long side is its image's (`side`): a scan is read at its own
 * resolution, neither upscaled (slower, no better) nor shrunk; boxes are then in the image's pixels.
 */
async function renderPage(
  bin: string,
  pdf: Uint8Array,
  num: number,
  side: number,
  deadline: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const scale = Math.max(MIN_SIDE, Math.min(MAX_SIDE, side));
  const args = ['-f', String(num), '-l', String(num), '-scale-to', String(scale), '-gray', '-png', '-'];
  return run(bin, args, pdf, deadline - Date.now(), signal);
}

function pdftoppmPath(): string | undefined {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, 'pdftoppm'))
    .find((p) => existsSync(p));
}

/**
 * One page's recognised text as one stream (`ocr page N`), words joined by spaces and lines by line
 * breaks, with each word's box: a finding's box joins the boxes of the words it spans.
 */
export function emitPage(ctx: ExtractContext, page: OcrPage, num: number): void {
  const { text, boxes } = pageText(page);
  if (!text.trim()) return;
  ctx.text(text, { field: `ocr page ${num}`, page: num, location: { field: 'ocr' }, boxes });
}

export function pageText(page: OcrPage): { text: string; boxes: WordBox[] } {
  const parts: string[] = [];
  const boxes: WordBox[] = [];
  let at = 0;
  for (const line of page.lines) {
    if (at) {
      parts.push('\n');
      at++;
    }
    line.forEach((word, i) => {
      if (i) {
        parts.push(' ');
        at++;
      }
      // Offsets count NFC characters, as the chunker does.
      const t = word.text.normalize('NFC');
      boxes.push({ from: at, to: at + t.length, box: word.box });
      parts.push(t);
      at += t.length;
    });
  }
  return { text: parts.join(''), boxes };
}

import { closeSync, openSync, readSync } from 'node:fs';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput } from '../../core/types.js';
import { readInParts } from './container-in-parts.js';
import type { ScanRun } from './run.js';

/** PDFs up to this size are looked at for images here; larger ones are read the usual way. */
const MAX_LOOK_BYTES = 64 * 1024 * 1024;
const IMAGE = Buffer.from('/Image');
const SUBTYPE = Buffer.from('/Subtype');

/**
 * How many workers may share a PDF's scanned pages (see PdfPages): as many as it has image XObjects,
 * up to the pool's size, when it has two or more; otherwise 0 (read the usual way). An image's
 * dictionary is never inside a compressed object stream (it is a stream itself), so its raw bytes
 * tell. A page of text with a logo may be counted too: its shares then each parse the file, and only
 * the first reads anything.
 */
export function pdfShares(
  run: Pick<ScanRun, 'concurrency' | 'index' | 'inProcess'>,
  input: ItemInput,
  size: number,
): number {
  if (run.concurrency < 2 || run.index || run.inProcess || input.source.kind !== 'file') return 0;
  if (!/\.pdf$/i.test(input.name) || size > MAX_LOOK_BYTES || size < 64) return 0;
  let data: Buffer;
  try {
    const fd = openSync(fsPath(input.source.absPath), 'r');
    try {
      data = Buffer.allocUnsafe(size);
      data = data.subarray(0, readSync(fd, data, 0, size, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable: the usual read reports why.
    return 0;
  }
  if (data.toString('latin1', 0, 5) !== '%PDF-') return 0;
  let images = 0;
  for (let at = data.indexOf(IMAGE); at >= 0 && images < run.concurrency; at = data.indexOf(IMAGE, at + 1)) {
    const next = data[at + IMAGE.length];
    // `/ImageB`, `/ImageC` (a page's ProcSet) are not images.
    if ((next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a)) continue;
    let b = at - 1;
    while (b >= 0 && (data[b] === 0x20 || data[b] === 0x0a || data[b] === 0x0d || data[b] === 0x09)) b--;
    if (b + 1 >= SUBTYPE.length && data.subarray(b + 1 - SUBTYPE.length, b + 1).equals(SUBTYPE)) images++;
  }
  return images >= 2 ? images : 0;
}

/**
 * A PDF whose scanned pages are shared among `of` workers: each reads the file and recognises every
 * `of`-th scanned page, the first also everything else (see PdfPages); results merge in order.
 */
export async function readPdfPagesInParts(
  run: ScanRun,
  input: ItemInput,
  size: number,
  of: number,
): Promise<void> {
  await readInParts(run, input, size, 'pdf', async (send) => {
    for (let index = 0; index < of; index++)
      await send({
        task: { pdfPages: { index, of }, ocrCache: run.ocrCache },
        what: `scanned pages ${index + 1}, ${index + 1 + of}, … of those in the file`,
        end: size,
      });
    return true;
  });
}

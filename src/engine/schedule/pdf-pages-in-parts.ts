import { closeSync, openSync, readSync } from 'node:fs';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput, ScanError } from '../../core/types.js';
import type { PdfPart, ScannedPage } from '../../extract/api.js';
import { ItemTimeoutError } from '../pool.js';
import { RangeMerger } from '../range-merger.js';
import type { TopLevelResult } from '../result.js';
import type { ScanTask } from '../worker.js';
import { deliver, failed, taskFailure } from './collect.js';
import { readItems } from './read-items.js';
import type { ScanRun } from './run.js';

/** PDFs up to this size are looked at for images here; larger ones are read the usual way. */
const MAX_LOOK_BYTES = 64 * 1024 * 1024;
const IMAGE = Buffer.from('/Image');
const SUBTYPE = Buffer.from('/Subtype');

/**
 * Whether a PDF may hold scanned pages for the workers to share (see PdfPart): it names two or more
 * image XObjects. An image's dictionary is never inside a compressed object stream (it is a stream
 * itself), so its raw bytes tell. A PDF of text with a logo on each page passes too: its first part
 * reads it whole, as any PDF, and finds no scan to share. Not with one thread, in an index run or in
 * process; `DSR_PDF_SHARES=0` turns it off (the bench's anchor).
 */
export function mayHoldScans(
  run: Pick<ScanRun, 'concurrency' | 'index' | 'inProcess'>,
  input: ItemInput,
  size: number,
): boolean {
  if (run.concurrency < 2 || run.index || run.inProcess || input.source.kind !== 'file') return false;
  if (process.env.DSR_PDF_SHARES === '0') return false;
  if (!/\.pdf$/i.test(input.name) || size > MAX_LOOK_BYTES || size < 64) return false;
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
    return false;
  }
  if (data.toString('latin1', 0, 5) !== '%PDF-') return false;
  let images = 0;
  for (let at = data.indexOf(IMAGE); at >= 0 && images < 2; at = data.indexOf(IMAGE, at + 1)) {
    const next = data[at + IMAGE.length];
    // `/ImageB`, `/ImageC` (a page's ProcSet) are not images.
    if ((next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a)) continue;
    let b = at - 1;
    while (b >= 0 && (data[b] === 0x20 || data[b] === 0x0a || data[b] === 0x0d || data[b] === 0x09)) b--;
    if (b + 1 >= SUBTYPE.length && data.subarray(b + 1 - SUBTYPE.length, b + 1).equals(SUBTYPE)) images++;
  }
  return images >= 2;
}

/**
 * A PDF that may hold scans: its first part reads it as usual on one worker and lists its scanned
 * pages, when it has two or more, instead of recognising them; those are then recognised by all the
 * workers, a few pages a part, and the parts merged in page order into one result (one item, its
 * evidence decided for the whole file, as one read gives). A part that fails is an error naming its
 * pages; when the first part fails, or a part cannot be merged, the file is read whole.
 */
export async function readPdfPagesInParts(run: ScanRun, input: ItemInput, size: number): Promise<void> {
  const merger = new RangeMerger(run.limits.maxFindings);
  // Each PDF's first part on the next thread, so that PDFs of text with logos are read side by side;
  // the scan's first on the main pool, so that a lone PDF of text starts no extra thread.
  const firsts = firstParts.get(run) ?? 0;
  firstParts.set(run, firsts + 1);
  let sent = firsts;
  const runPart = (pdfPart: PdfPart): Promise<TopLevelResult | Error> => {
    const task: ScanTask = {
      inputs: [input],
      subject: run.subject,
      all: run.all,
      limits: run.limits,
      spillDir: run.spillDir,
      ocrCache: run.ocrCache,
      pdfPart,
      quota: merger.quota(),
    };
    const pools = sent === 0 ? [run.workers.pool()] : run.workers.everyThread();
    return pools[sent++ % pools.length].run(task, run.signal, run.limits.timeoutMs).then(
      (r) => r[0],
      (err: Error) => err,
    );
  };
  run.progress.current = input.ref.path;
  const first = await runPart({});
  if (run.signal.aborted) return;
  if (first instanceof Error) {
    run.progress.whole(input.ref.path);
    return first instanceof ItemTimeoutError && first.index === 0
      ? failed(run, input, first)
      : readItems(run, [input], { retry: false });
  }
  const scans = first.ocrLater ?? [];
  if (!merger.add(first)) return readWhole(run, input);
  const errors: ScanError[] = [];
  const pending: { pages: ScannedPage[]; result: Promise<TopLevelResult | Error> }[] = [];
  let merged = true;
  let recognised = 0;
  const mergeNext = async () => {
    const { pages, result } = pending.shift()!;
    const done = await result;
    if (run.signal.aborted) return;
    if (done instanceof Error) {
      const { kind, why } = taskFailure(done, run.limits);
      errors.push({ ...refOf(input), kind, message: `OCR of ${pagesText(pages)} not done: ${why}` });
    } else if (!merger.add(done)) merged = false;
    recognised += pages.length;
    run.progress.partly(input.ref.path, Math.round((size * recognised) / scans.length));
    run.progress.emit();
  };
  const perPart = Math.ceil(scans.length / (run.concurrency * PARTS_PER_THREAD));
  for (let i = 0; i < scans.length && merged; i += perPart) {
    const pages = scans.slice(i, i + perPart);
    pending.push({ pages, result: runPart({ ocrPages: pages }) });
    while (merged && pending.length >= run.concurrency * 2) await mergeNext();
  }
  while (merged && pending.length) await mergeNext();
  await Promise.all(pending.map((p) => p.result));
  run.progress.whole(input.ref.path);
  if (run.signal.aborted) return;
  if (!merged) return readWhole(run, input);
  const result = await merger.finish(input, undefined, first.format ?? 'pdf');
  result.itemCount = first.itemCount;
  result.errors.push(...errors);
  deliver(run, input, result);
  run.progress.emit();
}

/** PDFs read in parts so far, by scan. */
const firstParts = new WeakMap<ScanRun, number>();

/** Parts of a thread's share of the scans: parts of a few pages even out the threads' work. */
const PARTS_PER_THREAD = 4;

function readWhole(run: ScanRun, input: ItemInput): Promise<void> {
  run.progress.whole(input.ref.path);
  return readItems(run, [input], { retry: false });
}

function pagesText(pages: readonly ScannedPage[]): string {
  return `page${pages.length > 1 ? 's' : ''} ${pages.map((p) => p.num).join(', ')}`;
}

function refOf(input: ItemInput): { path: string; itemPath: string[] } {
  return { path: input.ref.path, itemPath: [...input.ref.itemPath] };
}

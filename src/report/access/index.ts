import type { ScanFile } from '../../core/types.js';
import { loadDecisions, reviewPathFor } from '../../review/decisions.js';
import { loadScanFile } from '../../scan-file/load.js';
import { loadController } from './controller.js';
import type { Lang } from './i18n.js';
import { type AccessReport, buildReport, type SubjectField } from './model.js';

export interface PrepareOptions {
  lang: Lang;
  includePossible: boolean;
  /** Path of a controller profile (`--controller`). */
  controller?: string;
  /** Kinds of identifier the subject gave (`--given`); others are masked in the report's header. */
  given?: SubjectField[];
}

/** Loads the scan, its review decisions and the controller profile, and builds the report model. */
export async function prepareReport(
  scanPath: string,
  opts: PrepareOptions,
): Promise<{ scan: ScanFile; report: AccessReport }> {
  const scan = await loadScanFile(scanPath);
  const controller = opts.controller ? await loadController(opts.controller) : null;
  const review = await loadDecisions(scanPath, scan.scanId);
  const reviewFile = Object.keys(review.decisions).length ? reviewPathFor(scanPath) : null;
  const report = buildReport(scan, {
    lang: opts.lang,
    includePossible: opts.includePossible,
    review,
    reviewFile,
    controller,
    given: opts.given,
  });
  return { scan, report };
}

export { type CsvOptions, DEFAULT_SEPARATOR, renderCsv } from './csv.js';
export { type HtmlOptions, renderHtml } from './html.js';
export { renderJson } from './json.js';
export type { AccessReport } from './model.js';
export { findChromium, renderPdf } from './pdf.js';

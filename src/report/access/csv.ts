import { type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import { displayPath } from '../../core/raw-path.js';
import { type Lang, STRINGS } from './i18n.js';
import type { AccessReport, ReportItem } from './model.js';
import { locationText, stepText } from './place.js';

/** The English header keeps the column names scripts already read; the Danish one is for people. */
export const CSV_COLUMNS = [
  'item_id',
  'path',
  'item_path',
  'category',
  'value',
  'location',
  'evidence',
  'context',
  'kept_because',
] as const;

const DANISH_COLUMNS: Record<(typeof CSV_COLUMNS)[number], string> = {
  item_id: 'Element-id',
  path: 'Fil',
  item_path: 'Inde i filen',
  category: 'Kategori',
  value: 'Værdi',
  location: 'Placering',
  evidence: 'Status',
  context: 'Sammenhæng',
  kept_because: 'Opbevares fordi',
};

/** What Excel opens by double-click: `;` where the decimal comma is the custom (Danish), `,` elsewhere. */
export const DEFAULT_SEPARATOR: Record<Lang, string> = { da: ';', en: ',' };

export interface CsvOptions {
  /** `,`, `;` or a tab. @default `;` for Danish, `,` for English */
  separator?: string;
  /** The detectors whose category names the Danish file shows. @default dsr's own */
  registry?: DetectorRegistry;
}

/**
 * One row per finding, RFC 4180 (CRLF, quoted where needed), UTF-8 with a byte-order mark so that
 * spreadsheet programs read æ, ø and å. Places and categories are written in the report's language.
 * Cells that a spreadsheet would run as a formula are defused.
 */
export function renderCsv(report: AccessReport, opts: CsvOptions = {}): string {
  const registry = opts.registry ?? detectors;
  const sep = opts.separator ?? DEFAULT_SEPARATOR[report.lang];
  const header = CSV_COLUMNS.map((c) => (report.lang === 'da' ? DANISH_COLUMNS[c] : c));
  const rows: string[][] = [header];
  for (const item of report.items) {
    for (const f of item.findings) {
      rows.push([
        item.id,
        displayPath(item.path),
        item.itemPath.map((s) => stepText(s, report.lang)).join(' > '),
        registry.label(f.category, report.lang).category,
        f.value,
        locationText(f.location, report.lang),
        status(item, report.lang),
        f.context,
        item.keepReason ?? '',
      ]);
    }
  }
  return `\ufeff${rows.map((r) => r.map((c) => csvCell(c, sep)).join(sep)).join('\r\n')}\r\n`;
}

function status(item: ReportItem, lang: Lang): string {
  const t = STRINGS[lang];
  if (item.decision === 'include') return t.reviewedIncluded;
  if (item.decision === 'keep') return t.reviewedKept;
  return t.evidence[item.evidence];
}

/**
 * Quotes a cell per RFC 4180 and prefixes `'` to one starting with `=`, `+`, `-`, `@` (after any spaces), tab
 * or CR, which spreadsheets would evaluate (CSV formula injection: the values come from untrusted files).
 */
export function csvCell(value: string, separator = ','): string {
  let v = value;
  if (/^[\s\u00a0]*[=+\-@]|^[\t\r]/.test(v)) v = `'${v}`;
  const special = /["\r\n]/.test(v) || v.includes(separator);
  return special ? `"${v.replace(/"/g, '""')}"` : v;
}

import { displayPath } from '../../core/raw-path.js';
import { locationText } from './html.js';
import { STRINGS } from './i18n.js';
import type { AccessReport } from './model.js';

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

/**
 * One row per finding, RFC 4180 (CRLF, quoted where needed), UTF-8 with a byte-order mark so that
 * spreadsheet programs read æ, ø and å. Cells that a spreadsheet would run as a formula are defused.
 */
export function renderCsv(report: AccessReport): string {
  const t = STRINGS[report.lang];
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const item of report.items) {
    for (const f of item.findings) {
      rows.push([
        item.id,
        displayPath(item.path),
        item.itemPath.join(' > '),
        f.category,
        f.value,
        locationText(f.location, t),
        item.decision === 'include'
          ? `${item.evidence} (included by reviewer)`
          : item.decision === 'keep'
            ? `${item.evidence} (kept by reviewer)`
            : item.evidence,
        f.context,
        item.keepReason ?? '',
      ]);
    }
  }
  return `\ufeff${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/**
 * Quotes a cell per RFC 4180 and prefixes `'` to one starting with `=`, `+`, `-`, `@` (after any spaces), tab
 * or CR, which spreadsheets would evaluate (CSV formula injection: the values come from untrusted files).
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[\s\u00a0]*[=+\-@]|^[\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

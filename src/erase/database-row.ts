import type { Finding, ItemRecord } from '../core/types.js';

/** Items of this format are rows of a database table (see src/extract/database/): each its own unit. */
export const DATABASE_ROW_FORMAT = 'sqlite-row';

export function isDatabaseRow(item: ItemRecord): boolean {
  return item.format === DATABASE_ROW_FORMAT && item.itemPath.length >= 2;
}

/**
 * What a person is asked to do about a database row holding the subject's data: which table, key and
 * columns, and the SQL that removes the row or clears those columns. dsr never writes to a database: a
 * row may be referenced by others, and the application that owns the file may keep its own copies.
 */
export function databaseRowAction(
  row: ItemRecord,
  findings: Finding[],
): { reason: string; sql?: string; columns: string[] } {
  const tableLabel = row.itemPath[row.itemPath.length - 2];
  const rowLabel = row.itemPath[row.itemPath.length - 1];
  const table = tableLabel.replace(/^table /, '');
  const key = rowLabel.replace(/^row /, '');
  const columns = [
    ...new Set(findings.flatMap((f) => (f.location.field ? f.location.field.split('+') : []))),
  ].sort();
  const where = /^-?\d+$/.test(key) ? `rowid = ${key}` : key;
  const t = quoteId(table);
  const sql = [
    '-- remove the row:',
    `DELETE FROM ${t} WHERE ${where};`,
    ...(columns.length
      ? [
          "-- or clear only the subject's columns:",
          `UPDATE ${t} SET ${columns.map((c) => `${quoteId(c)} = NULL`).join(', ')} WHERE ${where};`,
        ]
      : []),
  ].join('\n');
  const inside = row.itemPath.length > 2 ? ` (the database is ${row.itemPath.slice(0, -2).join(' › ')})` : '';
  return {
    columns,
    sql,
    reason: `row ${/^-?\d+$/.test(key) ? `with rowid ${key}` : `where ${key}`} of table ${table} holds the subject's data in column${columns.length === 1 ? '' : 's'} ${columns.join(', ') || '(none listed)'}${inside}: dsr does not edit databases; delete the row or clear those columns with the application that owns it, or with the SQL in this action's sql field (on a backup first)`,
  };
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

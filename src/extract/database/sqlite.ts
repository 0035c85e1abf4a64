import { copyFile, open } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { ExtractError } from '../../core/errors.js';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { isSqlite, SQLITE_ROW_TYPE, sqliteFormat } from '../formats.js';
import { withSpoolFile } from '../nested-temp-file.js';
import { numberText } from '../office/ooxml.js';
import { extensionOf, readHead } from '../read.js';
import { encodeRow, type RowField } from './row.js';

type Db = Database.Database;

/**
 * A SQLite database: every table's rows become child items `table <name>` › `row <rowid>` whose
 * columns are searched one by one (see row.ts). The database is never opened where it lies: SQLite
 * would lock it and, for a WAL database, create `-wal`/`-shm` files beside it even read-only (this
 * build of SQLite does not take `immutable=1` URIs). It is copied into a private spool and opened
 * read-only there, as it was last checkpointed (what is still only in a `-wal` file is not read).
 */
const sqlite: Extractor = {
  ...sqliteFormat,
  async extract(input, ctx) {
    const head = await readHead(input, 100);
    if (!isSqlite(head)) {
      // `.db` is also Windows' Thumbs.db and many other binary stores: unknown binary, as before.
      if (extensionOf(input.name).endsWith('.db')) return ctx.skip('binary');
      throw new ExtractError(
        'encrypted',
        'no SQLite header: an encrypted database (e.g. SQLCipher) or not a database; not read',
      );
    }
    if (input.source.kind === 'buffer') {
      const data = Buffer.from(input.source.data);
      asRollbackJournal(data);
      await readDatabase(input, ctx, () => new Database(data, { readonly: true }));
      return;
    }
    const from = input.source.absPath;
    await withSpoolFile('sqlite', async (path) => {
      await copyFile(fsPath(from), path);
      const fh = await open(path, 'r+');
      try {
        const header = Buffer.alloc(20);
        await fh.read(header, 0, 20, 0);
        if (asRollbackJournal(header)) await fh.write(header.subarray(18, 20), 0, 2, 18);
      } finally {
        await fh.close();
      }
      await readDatabase(input, ctx, () => new Database(path, { readonly: true, fileMustExist: true }));
    });
  },
};

/** Marks a WAL database's header as a rollback-journal one, so that SQLite opens it without a `-wal` file. */
function asRollbackJournal(header: Buffer): boolean {
  if (header[18] !== 2 && header[19] !== 2) return false;
  header[18] = 1;
  header[19] = 1;
  return true;
}

async function readDatabase(input: ItemInput, ctx: ExtractContext, openDb: () => Db): Promise<void> {
  let db: Db;
  try {
    db = openDb();
    db.pragma('query_only = ON');
  } catch (err) {
    throw databaseError(err);
  }
  try {
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all() as { name: string; sql: string | null }[];
    const budget = { chars: 0 };
    for (const table of tables) {
      // Virtual tables (full-text indexes) need modules this build may lack; their content tables are read.
      if (/^\s*create\s+virtual\b/i.test(table.sql ?? '')) continue;
      if (!(await readTable(input, ctx, db, table.name, budget))) return;
    }
  } catch (err) {
    if (err instanceof ExtractError) throw err;
    throw databaseError(err);
  } finally {
    db.close();
  }
}

function databaseError(err: unknown): ExtractError {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message;
  if (code === 'SQLITE_NOTADB')
    return new ExtractError(
      'encrypted',
      `not readable as SQLite (${message}): encrypted or damaged; not read`,
    );
  return new ExtractError('corrupt', `SQLite database damaged (${message}); not read`);
}

interface Column {
  name: string;
  pk: number;
}

/** Reads one table's rows as child items; false once the database's text budget is spent. */
async function readTable(
  input: ItemInput,
  ctx: ExtractContext,
  db: Db,
  table: string,
  budget: { chars: number },
): Promise<boolean> {
  const { limits } = ctx;
  const columns = db.prepare(`PRAGMA table_xinfo(${quoteId(table)})`).all() as Column[];
  const keys = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  // Table options follow the last parenthesis: `WITHOUT ROWID`, `STRICT`, in either order.
  const withoutRowid = /\)[^)]*\bwithout\s+rowid\b[^)]*$/i.test(tableSql(db, table));
  const select = withoutRowid
    ? `SELECT * FROM ${quoteId(table)}`
    : `SELECT _rowid_ AS "dsr:rowid", * FROM ${quoteId(table)}`;
  const stmt = db.prepare(select).raw(true);
  const names = stmt.columns().map((c) => c.name);
  let rows = 0;
  for (const values of stmt.iterate() as IterableIterator<unknown[]>) {
    ctx.signal.throwIfAborted();
    if (++rows > limits.maxMembers) {
      ctx.error(
        'limit',
        `table ${table}: more than ${limits.maxMembers} rows (--max-members); only the first ${limits.maxMembers} were read`,
      );
      return true;
    }
    const fields: RowField[] = [];
    let rowid = '';
    values.forEach((value, i) => {
      if (!withoutRowid && i === 0) {
        rowid = String(value);
        return;
      }
      const text = valueText(value);
      if (text) fields.push([names[i], text]);
    });
    // A table without rowid names its row by its primary key, written as the SQL condition that finds it.
    const label = withoutRowid
      ? `row ${keys.map((k) => keyCondition(k.name, values[names.indexOf(k.name)])).join(' AND ')}`
      : `row ${rowid}`;
    for (const [, text] of fields) budget.chars += text.length;
    if (budget.chars > limits.maxTextChars) {
      ctx.error(
        'limit',
        `more than ${limits.maxTextChars} characters of text in this database (--max-text); read up to table ${table}, ${label}`,
      );
      return false;
    }
    if (!fields.length) continue;
    await ctx.child({
      ref: { path: input.ref.path, itemPath: [...input.ref.itemPath, `table ${table}`, label] },
      // Not the label: a key such as `a.txt` must not choose an extractor by its extension.
      name: 'row',
      contentType: SQLITE_ROW_TYPE,
      source: { kind: 'buffer', data: encodeRow(fields) },
    });
  }
  return true;
}

function tableSql(db: Db, table: string): string {
  const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) as
    | { sql: string | null }
    | undefined;
  return row?.sql ?? '';
}

/**
 * A column value as searched: text as it is, numbers as a person would write them (a CPR number stored
 * as an integer lost its leading zero: written zero-padded, as for spreadsheet cells), blobs not at all.
 */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(String(value));
  if (typeof value === 'bigint') return numberText(value.toString());
  return '';
}

function keyCondition(column: string, value: unknown): string {
  if (value === null || value === undefined) return `${quoteId(column)} IS NULL`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${quoteId(column)} = ${value}`;
  if (Buffer.isBuffer(value)) return `${quoteId(column)} = X'${value.toString('hex')}'`;
  return `${quoteId(column)} = '${String(value).replaceAll("'", "''")}'`;
}

export function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export default sqlite;

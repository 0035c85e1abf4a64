import Database from 'better-sqlite3';
import { blockHas, blockRange, FILTER_BLOCK_BYTES } from './token-filter.js';

/** What the index keeps per top-level file: fingerprint, sealed path and outcome, never content. */
export interface IndexedFile {
  /** HMAC of the absolute path. */
  pathMac: Buffer;
  /** The absolute path, AES-GCM sealed. */
  pathSealed: Buffer;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Sealed JSON of what a scan needs without re-reading: item count, skip reason, errors. */
  outcomeSealed: Buffer;
  /**
   * The same outcome in clear when it holds nothing but counts and a format name (no error, no skip
   * reason: those can quote paths): a query then needs no decryption for the file.
   */
  outcomePlain?: PlainOutcome;
  indexedAt: string;
}

/** An outcome with nothing that could name anyone. */
export interface PlainOutcome {
  itemCount: number;
  bytes: number;
  format?: string;
}

/** What a scan asks of the index about one file: is it unchanged, and what did it hold. */
export interface FileState {
  size: number;
  mtimeMs: number;
  ino: number;
  /** Set when the outcome is stored in clear; otherwise `outcomeSealed` is. */
  outcomePlain?: PlainOutcome;
  outcomeSealed?: Buffer;
}

export interface UnseenFile {
  /** Where the next page starts (a store's own order). */
  cursor: number;
  pathMac: Buffer;
  pathSealed: Buffer;
}

/**
 * The storage behind `dsr index`: SQLite in a file by default, PostgreSQL for agents sharing one
 * (src/cluster/index-store.ts). Every method answers a promise, so that a store across the network
 * fits; SQLite's answers are ready at once.
 */
export interface IndexStore {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  getFile(pathMac: Buffer): Promise<FileState | undefined>;
  /** Inserts or replaces a file and its token MACs, or for a file of too many, their filter (see TokenFilter). */
  putFile(file: IndexedFile, tokens: Buffer[], filter?: Uint8Array): Promise<void>;
  /** Stores the outcome in clear of a file kept unchanged whose outcome was sealed only (an older index's). */
  setOutcomePlain(pathMac: Buffer, outcome: PlainOutcome): Promise<void>;
  deleteFile(pathMac: Buffer): Promise<void>;
  /** Notes that this run walked the file: see `unseen`. Kept apart from the index, for this run only. */
  markSeen(pathMac: Buffer): Promise<void>;
  /**
   * Up to `limit` indexed files that this run has not marked seen, after the page ending at `after`
   * (0 for the first page): a store of millions of files is never held in memory at once.
   */
  unseen(after: number, limit: number): Promise<UnseenFile[]>;
  /** Path MACs of files holding any of these token MACs. */
  filesWithAnyToken(tokens: Buffer[]): Promise<Set<string>>;
  /** Path MACs of files whose token filter may hold any of these tokens (by their filter hashes: see FilterHasher). */
  filesMaybeHolding(hashes: Uint8Array[]): Promise<Set<string>>;
  /**
   * Runs fn atomically: a crash leaves the index as before or after, never half-written. The caller
   * runs one transaction at a time, and nothing else writes while it runs.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Starts reading one snapshot, which lasts until the returned function is called: what is read
   * meanwhile is consistent even while another run writes the index.
   */
  readSnapshot(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The SQLite index, synchronous (better-sqlite3): wrapped as an IndexStore by SqliteIndexStore. */
class SqliteIndex {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS files (
        id INTEGER PRIMARY KEY, path_mac BLOB NOT NULL UNIQUE, path_sealed BLOB NOT NULL,
        size INTEGER NOT NULL, mtime_ms REAL NOT NULL, ino INTEGER NOT NULL,
        outcome_sealed BLOB NOT NULL, indexed_at TEXT NOT NULL,
        item_count INTEGER, bytes INTEGER, format TEXT, filter_bytes INTEGER);
      CREATE TABLE IF NOT EXISTS tokens (token BLOB NOT NULL, file_id INTEGER NOT NULL,
        PRIMARY KEY (token, file_id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS tokens_by_file ON tokens (file_id);
      CREATE TABLE IF NOT EXISTS filter_pages (file_id INTEGER NOT NULL, page INTEGER NOT NULL,
        bits BLOB NOT NULL, PRIMARY KEY (file_id, page)) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS seen (path_mac BLOB PRIMARY KEY) WITHOUT ROWID;
    `);
    addColumns(this.db);
    this.db.exec('CREATE INDEX IF NOT EXISTS files_with_filter ON files (id) WHERE filter_bytes IS NOT NULL');
    this.stmts = {
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      getFile: this.db
        .prepare<
          [Buffer],
          [number, number, number, number | null, number | null, string | null, Buffer | null]
        >(
          `SELECT size, mtime_ms, ino, item_count, bytes, format,
             CASE WHEN item_count IS NULL THEN outcome_sealed END FROM files WHERE path_mac = ?`,
        )
        .raw(true),
      fileId: this.db.prepare<[Buffer], { id: number }>('SELECT id FROM files WHERE path_mac = ?'),
      setOutcomePlain: this.db.prepare(
        'UPDATE files SET item_count = ?, bytes = ?, format = ? WHERE path_mac = ? AND item_count IS NULL',
      ),
      upsertFile: this.db.prepare(
        `INSERT INTO files (path_mac, path_sealed, size, mtime_ms, ino, outcome_sealed, indexed_at,
           item_count, bytes, format, filter_bytes)
         VALUES (@pathMac, @pathSealed, @size, @mtimeMs, @ino, @outcomeSealed, @indexedAt,
           @itemCount, @bytes, @format, @filterBytes)
         ON CONFLICT(path_mac) DO UPDATE SET path_sealed = excluded.path_sealed, size = excluded.size,
           mtime_ms = excluded.mtime_ms, ino = excluded.ino, outcome_sealed = excluded.outcome_sealed,
           indexed_at = excluded.indexed_at, item_count = excluded.item_count, bytes = excluded.bytes,
           format = excluded.format, filter_bytes = excluded.filter_bytes`,
      ),
      deleteTokens: this.db.prepare('DELETE FROM tokens WHERE file_id = ?'),
      deletePages: this.db.prepare('DELETE FROM filter_pages WHERE file_id = ?'),
      insertPage: this.db.prepare('INSERT INTO filter_pages (file_id, page, bits) VALUES (?, ?, ?)'),
      filtered: this.db.prepare<[], { id: number; path_mac: Buffer; filter_bytes: number }>(
        'SELECT id, path_mac, filter_bytes FROM files WHERE filter_bytes IS NOT NULL',
      ),
      page: this.db
        .prepare<[number, number], Buffer>('SELECT bits FROM filter_pages WHERE file_id = ? AND page = ?')
        .pluck(true),
      insertToken: this.db.prepare('INSERT OR IGNORE INTO tokens (token, file_id) VALUES (?, ?)'),
      deleteFile: this.db.prepare('DELETE FROM files WHERE id = ?'),
      markSeen: this.db.prepare('INSERT OR IGNORE INTO temp.seen (path_mac) VALUES (?)'),
      unseen: this.db.prepare<[number, number], { id: number; path_mac: Buffer; path_sealed: Buffer }>(
        `SELECT id, path_mac, path_sealed FROM files
         WHERE id > ? AND path_mac NOT IN (SELECT path_mac FROM temp.seen) ORDER BY id LIMIT ?`,
      ),
      filesWithToken: this.db.prepare<[Buffer], { path_mac: Buffer }>(
        'SELECT f.path_mac FROM tokens t JOIN files f ON f.id = t.file_id WHERE t.token = ?',
      ),
    };
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  getFile(pathMac: Buffer): FileState | undefined {
    const r = this.stmts.getFile.get(pathMac);
    if (!r) return undefined;
    const [size, mtimeMs, ino, itemCount, bytes, format, outcomeSealed] = r;
    if (itemCount === null) return { size, mtimeMs, ino, outcomeSealed: outcomeSealed! };
    const outcomePlain: PlainOutcome = { itemCount, bytes: bytes ?? 0 };
    if (format !== null) outcomePlain.format = format;
    return { size, mtimeMs, ino, outcomePlain };
  }

  putFile(file: IndexedFile, tokens: Buffer[], filter?: Uint8Array): void {
    const plain = file.outcomePlain;
    this.stmts.upsertFile.run({
      pathMac: file.pathMac,
      pathSealed: file.pathSealed,
      size: file.size,
      mtimeMs: file.mtimeMs,
      ino: file.ino,
      outcomeSealed: file.outcomeSealed,
      indexedAt: file.indexedAt,
      itemCount: plain?.itemCount ?? null,
      bytes: plain?.bytes ?? null,
      format: plain?.format ?? null,
      filterBytes: filter?.length ?? null,
    });
    const id = this.stmts.fileId.get(file.pathMac)!.id;
    this.stmts.deleteTokens.run(id);
    this.stmts.deletePages.run(id);
    for (const t of tokens) this.stmts.insertToken.run(t, id);
    if (filter)
      for (let at = 0, page = 0; at < filter.length; at += FILTER_PAGE_BYTES, page++)
        this.stmts.insertPage.run(id, page, filter.subarray(at, at + FILTER_PAGE_BYTES));
  }

  setOutcomePlain(pathMac: Buffer, outcome: PlainOutcome): void {
    this.stmts.setOutcomePlain.run(outcome.itemCount, outcome.bytes, outcome.format ?? null, pathMac);
  }

  deleteFile(pathMac: Buffer): void {
    const row = this.stmts.fileId.get(pathMac);
    if (!row) return;
    this.stmts.deleteTokens.run(row.id);
    this.stmts.deletePages.run(row.id);
    this.stmts.deleteFile.run(row.id);
  }

  markSeen(pathMac: Buffer): void {
    this.stmts.markSeen.run(pathMac);
  }

  unseen(after: number, limit: number): UnseenFile[] {
    return this.stmts.unseen
      .all(after, limit)
      .map((r) => ({ cursor: r.id, pathMac: r.path_mac, pathSealed: r.path_sealed }));
  }

  filesWithAnyToken(tokens: Buffer[]): Set<string> {
    const out = new Set<string>();
    for (const t of tokens)
      for (const r of this.stmts.filesWithToken.all(t)) out.add(r.path_mac.toString('hex'));
    return out;
  }

  filesMaybeHolding(hashes: Uint8Array[]): Set<string> {
    const out = new Set<string>();
    for (const file of this.stmts.filtered.all()) {
      // A test reads one block: only the pages holding the tokens' blocks are fetched.
      const pages = new Map<number, Buffer | undefined>();
      const maybe = hashes.some((hash) => {
        const [from] = blockRange(hash, file.filter_bytes);
        const page = Math.floor(from / FILTER_PAGE_BYTES);
        if (!pages.has(page)) pages.set(page, this.stmts.page.get(file.id, page));
        const bits = pages.get(page);
        const at = from % FILTER_PAGE_BYTES;
        // A page missing (never written whole) cannot rule the file out.
        return !bits || blockHas(bits.subarray(at, at + FILTER_BLOCK_BYTES), hash);
      });
      if (maybe) out.add(file.path_mac.toString('hex'));
    }
    return out;
  }

  /** BEGIN … COMMIT around `fn`, or ROLLBACK when it fails, as better-sqlite3's transaction() does for a synchronous fn. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  readSnapshot(): () => void {
    // Besides consistency, one read transaction spares each lookup its own (~2.5 µs of ~5 in WAL mode).
    this.db.exec('BEGIN');
    return () => {
      if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
    };
  }

  close(): void {
    this.db.close();
  }
}

/** Bytes of a token filter per stored row: a query fetches only the pages its tokens' blocks are in. */
const FILTER_PAGE_BYTES = 4096;

/**
 * Indexes of the first schema lack the columns of outcomes in clear and of token filters: they are
 * added, empty, and those files' outcomes are read sealed until a run stores them again.
 */
function addColumns(db: Database.Database): void {
  const columns = new Set((db.pragma('table_info(files)') as { name: string }[]).map((c) => c.name));
  for (const [name, type] of [
    ['item_count', 'INTEGER'],
    ['bytes', 'INTEGER'],
    ['format', 'TEXT'],
    ['filter_bytes', 'INTEGER'],
  ])
    if (!columns.has(name)) db.exec(`ALTER TABLE files ADD COLUMN ${name} ${type}`);
}

/** The SQLite index as an IndexStore: the same statements, their answers as settled promises. */
export class SqliteIndexStore implements IndexStore {
  private readonly sync: SqliteIndex;

  constructor(path: string) {
    this.sync = new SqliteIndex(path);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.sync.getMeta(key);
  }
  async setMeta(key: string, value: string): Promise<void> {
    this.sync.setMeta(key, value);
  }
  async getFile(pathMac: Buffer): Promise<FileState | undefined> {
    return this.sync.getFile(pathMac);
  }
  async putFile(file: IndexedFile, tokens: Buffer[], filter?: Uint8Array): Promise<void> {
    this.sync.putFile(file, tokens, filter);
  }
  async setOutcomePlain(pathMac: Buffer, outcome: PlainOutcome): Promise<void> {
    this.sync.setOutcomePlain(pathMac, outcome);
  }
  async deleteFile(pathMac: Buffer): Promise<void> {
    this.sync.deleteFile(pathMac);
  }
  async markSeen(pathMac: Buffer): Promise<void> {
    this.sync.markSeen(pathMac);
  }
  async unseen(after: number, limit: number): Promise<UnseenFile[]> {
    return this.sync.unseen(after, limit);
  }
  async filesWithAnyToken(tokens: Buffer[]): Promise<Set<string>> {
    return this.sync.filesWithAnyToken(tokens);
  }
  async filesMaybeHolding(hashes: Uint8Array[]): Promise<Set<string>> {
    return this.sync.filesMaybeHolding(hashes);
  }
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.sync.transaction(fn);
  }
  async readSnapshot(): Promise<() => Promise<void>> {
    const end = this.sync.readSnapshot();
    return async () => end();
  }
  async close(): Promise<void> {
    this.sync.close();
  }
}

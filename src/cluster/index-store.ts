import type { PoolClient } from 'pg';
import type { FileState, IndexedFile, IndexStore, PlainOutcome, UnseenFile } from '../index/store.js';
import { blockHas, blockRange, FILTER_BLOCK_BYTES } from '../index/token-filter.js';

/**
 * The shared index in the cluster's database: what `dsr index ROOT… --index FILE` keeps in SQLite, for
 * every agent's roots, one row per file keyed by host and path MAC. Like the SQLite index it holds
 * keyed hashes, sealed paths and counts only; the key never enters the database (it reaches agents
 * sealed for them, see IndexJob). Agents' roles reach only their host's rows (see roles.ts).
 *
 * dsr.index_meta   the index's identity (its id and a key check, as in an index file).
 * dsr.index_file   per host and file: fingerprint, sealed path and outcome, and for a file of too many
 *                  tokens their filter (see TokenFilter).
 * dsr.index_token  per host and file, the MAC of each identifier token it holds.
 */
export const INDEX_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS dsr.index_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS dsr.index_file (
  id bigserial UNIQUE,
  host text NOT NULL,
  path_mac bytea NOT NULL,
  path_sealed bytea NOT NULL,
  size bigint NOT NULL,
  mtime_ms double precision NOT NULL,
  ino double precision NOT NULL,
  outcome_sealed bytea NOT NULL,
  indexed_at text NOT NULL,
  item_count integer,
  bytes bigint,
  format text,
  filter bytea,
  PRIMARY KEY (host, path_mac)
);
CREATE TABLE IF NOT EXISTS dsr.index_token (
  host text NOT NULL,
  token bytea NOT NULL,
  path_mac bytea NOT NULL,
  PRIMARY KEY (host, token, path_mac),
  FOREIGN KEY (host, path_mac) REFERENCES dsr.index_file (host, path_mac) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS index_token_file ON dsr.index_token (host, path_mac);
`;

/** Token MACs inserted per statement (as arrays, with unnest). */
const TOKEN_BATCH = 5000;

/**
 * One host's part of the shared index (or with host '', its identity only), on one connection of its own (held until `close`): a run's
 * transactions, its snapshot and its table of files seen are that connection's.
 */
export class PgIndexStore implements IndexStore {
  private seenMade = false;

  constructor(
    private readonly client: PoolClient,
    readonly host: string,
  ) {}

  /**
   * The index's identity (its id, the key check) is the whole index's, kept by the coordinator: a
   * host's store (an agent's role, which may not touch it) reads none and writes none.
   */
  async getMeta(key: string): Promise<string | undefined> {
    if (this.host) return undefined;
    const { rows } = await this.client.query<{ value: string }>(
      'SELECT value FROM dsr.index_meta WHERE key = $1',
      [key],
    );
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    if (this.host) return;
    await this.client.query(
      `INSERT INTO dsr.index_meta (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }

  async getFile(pathMac: Buffer): Promise<FileState | undefined> {
    const { rows } = await this.client.query<{
      size: string;
      mtime_ms: number;
      ino: number;
      item_count: number | null;
      bytes: string | null;
      format: string | null;
      outcome_sealed: Buffer | null;
    }>(
      `SELECT size, mtime_ms, ino, item_count, bytes, format,
         CASE WHEN item_count IS NULL THEN outcome_sealed END AS outcome_sealed
       FROM dsr.index_file WHERE host = $1 AND path_mac = $2`,
      [this.host, pathMac],
    );
    const r = rows[0];
    if (!r) return undefined;
    const base = { size: Number(r.size), mtimeMs: r.mtime_ms, ino: r.ino };
    if (r.item_count === null) return { ...base, outcomeSealed: r.outcome_sealed! };
    const outcomePlain: PlainOutcome = { itemCount: r.item_count, bytes: Number(r.bytes ?? 0) };
    if (r.format !== null) outcomePlain.format = r.format;
    return { ...base, outcomePlain };
  }

  async putFile(file: IndexedFile, tokens: Buffer[], filter?: Uint8Array): Promise<void> {
    const plain = file.outcomePlain;
    await this.client.query(
      `INSERT INTO dsr.index_file (host, path_mac, path_sealed, size, mtime_ms, ino, outcome_sealed,
         indexed_at, item_count, bytes, format, filter)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (host, path_mac) DO UPDATE SET path_sealed = excluded.path_sealed, size = excluded.size,
         mtime_ms = excluded.mtime_ms, ino = excluded.ino, outcome_sealed = excluded.outcome_sealed,
         indexed_at = excluded.indexed_at, item_count = excluded.item_count, bytes = excluded.bytes,
         format = excluded.format, filter = excluded.filter`,
      [
        this.host,
        file.pathMac,
        file.pathSealed,
        file.size,
        file.mtimeMs,
        file.ino,
        file.outcomeSealed,
        file.indexedAt,
        plain?.itemCount ?? null,
        plain?.bytes ?? null,
        plain?.format ?? null,
        filter ? Buffer.from(filter.buffer, filter.byteOffset, filter.byteLength) : null,
      ],
    );
    await this.client.query('DELETE FROM dsr.index_token WHERE host = $1 AND path_mac = $2', [
      this.host,
      file.pathMac,
    ]);
    for (let at = 0; at < tokens.length; at += TOKEN_BATCH)
      await this.client.query(
        `INSERT INTO dsr.index_token (host, token, path_mac)
         SELECT $1, t, $3 FROM unnest($2::bytea[]) AS t ON CONFLICT DO NOTHING`,
        [this.host, tokens.slice(at, at + TOKEN_BATCH), file.pathMac],
      );
  }

  async setOutcomePlain(pathMac: Buffer, outcome: PlainOutcome): Promise<void> {
    await this.client.query(
      `UPDATE dsr.index_file SET item_count = $3, bytes = $4, format = $5
       WHERE host = $1 AND path_mac = $2 AND item_count IS NULL`,
      [this.host, pathMac, outcome.itemCount, outcome.bytes, outcome.format ?? null],
    );
  }

  async deleteFile(pathMac: Buffer): Promise<void> {
    await this.client.query('DELETE FROM dsr.index_file WHERE host = $1 AND path_mac = $2', [
      this.host,
      pathMac,
    ]);
  }

  async markSeen(pathMac: Buffer): Promise<void> {
    if (!this.seenMade) {
      await this.client.query('CREATE TEMP TABLE IF NOT EXISTS index_seen (path_mac bytea PRIMARY KEY)');
      this.seenMade = true;
    }
    await this.client.query('INSERT INTO index_seen (path_mac) VALUES ($1) ON CONFLICT DO NOTHING', [
      pathMac,
    ]);
  }

  async unseen(after: number, limit: number): Promise<UnseenFile[]> {
    const seen = this.seenMade ? 'AND path_mac NOT IN (SELECT path_mac FROM index_seen)' : '';
    const { rows } = await this.client.query<{ id: string; path_mac: Buffer; path_sealed: Buffer }>(
      `SELECT id, path_mac, path_sealed FROM dsr.index_file
       WHERE host = $1 AND id > $2 ${seen} ORDER BY id LIMIT $3`,
      [this.host, after, limit],
    );
    return rows.map((r) => ({ cursor: Number(r.id), pathMac: r.path_mac, pathSealed: r.path_sealed }));
  }

  async filesWithAnyToken(tokens: Buffer[]): Promise<Set<string>> {
    const { rows } = await this.client.query<{ path_mac: Buffer }>(
      'SELECT DISTINCT path_mac FROM dsr.index_token WHERE host = $1 AND token = ANY($2::bytea[])',
      [this.host, tokens],
    );
    return new Set(rows.map((r) => r.path_mac.toString('hex')));
  }

  async filesMaybeHolding(hashes: Uint8Array[]): Promise<Set<string>> {
    const out = new Set<string>();
    const { rows } = await this.client.query<{ path_mac: Buffer; length: number }>(
      'SELECT path_mac, length(filter) AS length FROM dsr.index_file WHERE host = $1 AND filter IS NOT NULL',
      [this.host],
    );
    for (const file of rows) {
      // Only the blocks the tokens fall in are fetched, not the whole filter.
      const starts = hashes.map((hash) => blockRange(hash, file.length)[0]);
      const { rows: blocks } = await this.client.query<{ bits: Buffer }>(
        `SELECT substring(filter FROM s + 1 FOR ${FILTER_BLOCK_BYTES}) AS bits
         FROM dsr.index_file, unnest($3::int[]) WITH ORDINALITY AS b(s, n)
         WHERE host = $1 AND path_mac = $2 ORDER BY n`,
        [this.host, file.path_mac, starts],
      );
      if (blocks.length < hashes.length || hashes.some((hash, i) => blockHas(blocks[i].bits, hash)))
        out.add(file.path_mac.toString('hex'));
    }
    return out;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const result = await fn();
      await this.client.query('COMMIT');
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  async readSnapshot(): Promise<() => Promise<void>> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return async () => {
      await this.client.query('COMMIT').catch(() => {});
    };
  }

  async close(): Promise<void> {
    if (this.seenMade) await this.client.query('DROP TABLE IF EXISTS index_seen').catch(() => {});
    this.client.release();
  }
}

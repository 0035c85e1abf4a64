import { type FileHandle, open, readFile } from 'node:fs/promises';
import { canonicalHash } from './canonical.js';

/**
 * Append-only audit log of erasure runs: JSONL, mode 0600, one record per action, each chained to the
 * previous record by hash, so a removed, reordered or edited line is detected by `dsr audit verify`.
 * Records name targets by masked path and path hash and carry fingerprints (hashes), never raw identifiers.
 */
export interface AuditRecord {
  seq: number;
  time: string;
  runId: string;
  plan: string;
  approver: string | null;
  action: string;
  kind: string;
  target: { path: string; pathSha256: string; itemPath: string[] };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  result: string;
  reason: string | null;
  /** Hash of the previous record (64 zeros for the first). */
  prev: string;
  /** sha256 over the canonical JSON of this record without `hash`. */
  hash: string;
}

export const GENESIS = '0'.repeat(64);

export function recordHash(rec: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _h, ...body } = rec;
  return canonicalHash(body);
}

export class AuditLog {
  private constructor(
    private readonly fh: FileHandle,
    private prev: string,
    private seq: number,
  ) {}

  static async open(path: string): Promise<AuditLog> {
    let prev = GENESIS;
    let seq = 0;
    try {
      const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim());
      const last = lines[lines.length - 1];
      if (last) {
        const rec = JSON.parse(last) as AuditRecord;
        prev = rec.hash;
        seq = rec.seq;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    }
    const fh = await open(path, 'a', 0o600);
    await fh.chmod(0o600);
    return new AuditLog(fh, prev, seq);
  }

  async append(rec: Omit<AuditRecord, 'seq' | 'prev' | 'hash'>): Promise<void> {
    const body = { ...rec, seq: this.seq + 1, prev: this.prev };
    const full: AuditRecord = { ...body, hash: recordHash(body) };
    await this.fh.write(`${JSON.stringify(full)}\n`);
    await this.fh.sync();
    this.prev = full.hash;
    this.seq = full.seq;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

export interface AuditVerdict {
  ok: boolean;
  records: number;
  /** 1-based line of the first broken record and why. */
  broken?: { line: number; reason: string };
}

/** Checks every record's hash and its link to the previous one. */
export async function verifyAuditLog(path: string): Promise<AuditVerdict> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  let seq = 0;
  for (const [i, line] of lines.entries()) {
    const fail = (reason: string): AuditVerdict => ({
      ok: false,
      records: i,
      broken: { line: i + 1, reason },
    });
    let rec: AuditRecord;
    try {
      rec = JSON.parse(line) as AuditRecord;
    } catch {
      return fail('not valid JSON');
    }
    if (typeof rec !== 'object' || rec === null || typeof rec.hash !== 'string')
      return fail('not an audit record');
    if (recordHash(rec) !== rec.hash) return fail('its content does not match its hash (edited)');
    if (rec.prev !== prev)
      return fail('it does not follow the previous record (a record was removed, reordered or inserted)');
    if (rec.seq !== seq + 1) return fail(`sequence number ${rec.seq} where ${seq + 1} was expected`);
    prev = rec.hash;
    seq = rec.seq;
  }
  return { ok: true, records: lines.length };
}

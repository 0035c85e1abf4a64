import { type FileHandle, open, readFile } from 'node:fs/promises';
import { AUDIT_HEAD_PATTERN, type AuditRecord } from '../core/schemas/audit.js';
import type { AuditSigner, AuditVerifier } from './audit-key.js';
import { canonicalHash } from './canonical.js';

/**
 * Append-only audit log of erasure runs: JSONL, mode 0600, one record per action. Each record holds
 * the hash of the previous one (a chain: a record removed, reordered or inserted breaks it) and an
 * Ed25519 signature of its own hash by a key kept apart from the log (so a record rewritten with the
 * chain recomputed is caught: the hash function ships with dsr, the key does not). The records at
 * the end of a log are anchored outside it: each run writes its head (record count and last hash) to
 * the plan's journal and prints it as a head line for the operator to keep elsewhere.
 * Records name targets by masked path and path hash and carry fingerprints (hashes), never raw identifiers.
 */
export type { AuditRecord } from '../core/schemas/audit.js';

export const GENESIS = '0'.repeat(64);

export function recordHash(rec: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _h, sig: _s, ...body } = rec;
  return canonicalHash(body);
}

/** Where a log ended after a run: its record count and last hash. */
export interface AuditHead {
  records: number;
  last: string;
  keyId?: string;
}

const HEAD = 'dsr-audit-head/1';

/** `dsr-audit-head/1 records=54 last=<sha256> key=<key id>`: one line to store apart from the log. */
export function formatHeadLine(head: AuditHead): string {
  return `${HEAD} records=${head.records} last=${head.last}${head.keyId ? ` key=${head.keyId}` : ''}`;
}

export function parseHeadLine(line: string): AuditHead | undefined {
  const m = new RegExp(AUDIT_HEAD_PATTERN).exec(line.trim());
  if (!m) return undefined;
  return { records: Number(m[1]), last: m[2], keyId: m[3] };
}

export class AuditLog {
  private constructor(
    private readonly fh: FileHandle,
    private readonly signer: AuditSigner,
    private prev: string,
    private seq: number,
  ) {}

  static async open(path: string, signer: AuditSigner): Promise<AuditLog> {
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
    return new AuditLog(fh, signer, prev, seq);
  }

  async append(rec: Omit<AuditRecord, 'seq' | 'prev' | 'hash' | 'keyId' | 'sig'>): Promise<void> {
    const body = { ...rec, seq: this.seq + 1, prev: this.prev, keyId: this.signer.keyId };
    const hash = recordHash(body);
    const full: AuditRecord = { ...body, hash, sig: this.signer.sign(hash) };
    await this.fh.write(`${JSON.stringify(full)}\n`);
    await this.fh.sync();
    this.prev = full.hash;
    this.seq = full.seq;
  }

  head(): AuditHead {
    return { records: this.seq, last: this.prev, keyId: this.signer.keyId };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** A head the log must still reach, and where it was kept (for the message). */
export interface AuditAnchor extends AuditHead {
  source: string;
}

export interface AuditVerdict {
  ok: boolean;
  records: number;
  /** 1-based line of the first broken record and why. */
  broken?: { line: number; reason: string };
  /** Anchors the log was checked against. */
  anchors: number;
}

/**
 * Checks every record's hash, its link to the previous one and its signature by `verifier`'s key;
 * then that the log still reaches every anchor (removed final records) with the anchored hash.
 */
export async function verifyAuditLog(
  path: string,
  verifier: AuditVerifier,
  anchors: AuditAnchor[] = [],
): Promise<AuditVerdict> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hashes: string[] = [];
  let prev = GENESIS;
  let seq = 0;
  for (const [i, line] of lines.entries()) {
    const fail = (reason: string): AuditVerdict => ({
      ok: false,
      records: i,
      broken: { line: i + 1, reason },
      anchors: 0,
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
    if (typeof rec.sig !== 'string')
      return fail(
        'unkeyed (older format): it carries no signature, so its integrity cannot be proven (anyone can recompute the hash chain)',
      );
    if (rec.keyId !== verifier.keyId)
      return fail(`signed by another key (${rec.keyId}) than the one given (${verifier.keyId})`);
    if (!verifier.verify(rec.hash, rec.sig))
      return fail('its signature does not verify (forged: rewritten and re-hashed without the key)');
    prev = rec.hash;
    seq = rec.seq;
    hashes.push(rec.hash);
  }
  for (const a of anchors) {
    const fail = (line: number, reason: string): AuditVerdict => ({
      ok: false,
      records: Math.min(line - 1, lines.length),
      broken: { line, reason },
      anchors: 0,
    });
    if (a.records > lines.length)
      return fail(
        lines.length + 1,
        `records were removed from the end: the log has ${lines.length} record(s), ${a.source} says it had ${a.records}`,
      );
    if (a.records > 0 && hashes[a.records - 1] !== a.last)
      return fail(a.records, `it is not the record ${a.source} anchored (replaced)`);
  }
  return { ok: true, records: lines.length, anchors: anchors.length };
}

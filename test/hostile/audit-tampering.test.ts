import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AuditRecord, recordHash } from '../../src/erase/audit.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { planApproved, scanTree } from '../helpers/erase.js';

const CPR = 'CPR 150387-1236\n';

/** A real erasure run: three files of the subject deleted, an audit log of three signed records. */
function erasedRun(): { dir: string; log: string; journal: string; head: string; lines: string[] } {
  const dir = tempTree({ 'tree/a.txt': CPR, 'tree/b.txt': CPR, 'tree/c.txt': CPR });
  const planPath = planApproved(scanTree(dir), ['--include-possible']);
  const r = runCli(['erase', planPath, '--execute']);
  if (r.code !== 0) throw new Error(`erase failed (${r.code}): ${r.stdout}${r.stderr}`);
  const head = /^Audit head: (dsr-audit-head\/1 .*)$/m.exec(r.stdout)?.[1];
  if (!head) throw new Error(`no head line in: ${r.stdout}`);
  const log = join(dir, 'scan.plan.audit.jsonl');
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  return { dir, log, journal: join(dir, 'scan.plan.journal.jsonl'), head, lines };
}

const write = (path: string, lines: string[]) => writeFileSync(path, `${lines.join('\n')}\n`);
const verify = (...args: string[]) => runCli(['audit', 'verify', ...args]);

/** What someone with the log and dsr's source, but not the key, can do: edit and recompute the chain. */
function forge(lines: string[], at: number, edit: (r: AuditRecord) => void): string[] {
  const recs = lines.map((l) => JSON.parse(l) as AuditRecord);
  edit(recs[at]);
  for (let i = at; i < recs.length; i++) {
    if (i > 0) recs[i].prev = recs[i - 1].hash;
    recs[i].hash = recordHash(recs[i]);
  }
  return recs.map((r) => JSON.stringify(r));
}

describe('dsr audit verify against a tampered audit log', () => {
  let run: ReturnType<typeof erasedRun>;
  beforeAll(() => {
    run = erasedRun();
  }, 60_000);

  it('an intact log verifies, signed, and reaches the head its journal anchored', () => {
    expect(run.lines).toHaveLength(3);
    const ok = verify(run.log);
    expect(ok.stdout).toContain('OK, 3 record(s), chain intact, every record signed by key');
    expect(ok.stdout).toContain('reaches its 1 anchor(s)');
    expect(ok.code).toBe(0);
    expect(run.head).toMatch(/^dsr-audit-head\/1 records=3 last=[0-9a-f]{64} key=[0-9a-f]{16}$/);
    expect(verify(run.log, '--head', run.head).code).toBe(0);
  });

  it('the signing key lives apart from the log, mode 0600, with a public half that verifies', () => {
    const key = join(process.env.XDG_CONFIG_HOME!, 'dsr/audit.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(run.log, 'utf8')).not.toContain('PRIVATE KEY');
    expect(verify(run.log, '--audit-key', `${key}.pub`).code).toBe(0);
  });

  it('records removed from the end: caught by the journal anchor and by the head line, exit 4', () => {
    const dir = tempTree();
    const log = join(dir, 'cut.audit.jsonl');
    write(log, run.lines.slice(0, 2));
    // No anchor at all: the cut cannot be seen, and verify says so.
    const bare = verify(log);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('records removed from the end cannot be detected');
    const byJournal = verify(log, '--journal', run.journal);
    expect(byJournal.stdout).toContain('BROKEN at record 3');
    expect(byJournal.stdout).toContain('records were removed from the end: the log has 2 record(s)');
    expect(byJournal.code).toBe(4);
    const byHead = verify(log, '--head', run.head);
    expect(byHead.stdout).toContain('records were removed from the end');
    expect(byHead.code).toBe(4);
    const headFile = join(tempTree(), 'heads.txt');
    writeFileSync(headFile, `${run.head}\n`);
    expect(verify(log, '--head-file', headFile).code).toBe(4);
    // In its own place, beside its plan's journal, the cut log fails with no flag at all.
    const inPlace = erasedRun();
    write(inPlace.log, inPlace.lines.slice(0, 2));
    const beside = verify(inPlace.log);
    expect(beside.stdout).toContain('records were removed from the end');
    expect(beside.code).toBe(4);
  });

  it('an edited record is named, exit 4', () => {
    const log = join(tempTree(), 'edited.audit.jsonl');
    write(log, [run.lines[0], run.lines[1].replace('"result":"done"', '"result":"stale"'), run.lines[2]]);
    const r = verify(log);
    expect(r.stdout).toContain('BROKEN at record 2 (line 2): its content does not match its hash (edited)');
    expect(r.code).toBe(4);
  });

  it('a record rewritten with the chain recomputed (forged without the key) is named, exit 4', () => {
    const log = join(tempTree(), 'forged.audit.jsonl');
    write(
      log,
      forge(run.lines, 1, (r) => {
        r.result = 'stale';
      }),
    );
    const r = verify(log);
    expect(r.stdout).toContain('BROKEN at record 2 (line 2): its signature does not verify (forged');
    expect(r.code).toBe(4);
    // The signature dropped as well: an unsigned record cannot be proven either.
    write(
      log,
      forge(run.lines, 1, (r) => {
        r.result = 'stale';
        delete r.sig;
      }),
    );
    const unsigned = verify(log);
    expect(unsigned.stdout).toContain('BROKEN at record 2 (line 2): unkeyed');
    expect(unsigned.code).toBe(4);
  });

  it('a log signed by another key, and a log of the older unkeyed format, are not proven: exit 4', () => {
    const other = join(tempTree(), 'other.key');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(other, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const wrongKey = verify(run.log, '--audit-key', other);
    expect(wrongKey.stdout).toContain('BROKEN at record 1 (line 1): signed by another key');
    expect(wrongKey.code).toBe(4);
    const old = join(tempTree(), 'old.audit.jsonl');
    // As dsr wrote logs before they were signed: the same chain, no keyId and no sig.
    const recs = run.lines.map((l) => JSON.parse(l) as AuditRecord);
    for (const [i, r] of recs.entries()) {
      delete r.sig;
      delete r.keyId;
      if (i > 0) r.prev = recs[i - 1].hash;
      r.hash = recordHash(r);
    }
    write(
      old,
      recs.map((r) => JSON.stringify(r)),
    );
    const unkeyed = verify(old);
    expect(unkeyed.stdout).toContain('unkeyed (older format)');
    expect(unkeyed.code).toBe(4);
  });

  it('a missing key or a key others can read is a usage error, exit 2', () => {
    const missing = verify(run.log, '--audit-key', join(tempTree(), 'nope.key'));
    expect(missing.stderr).toContain('cannot read the audit key');
    expect(missing.code).toBe(2);
    const dir = tempTree({ 'tree/a.txt': CPR });
    const planPath = planApproved(scanTree(dir), ['--include-possible']);
    const loose = join(dir, 'loose.key');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(loose, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
    const r = runCli(['erase', planPath, '--execute', '--audit-key', loose]);
    expect(r.stderr).toContain('can be read by others');
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'tree/a.txt'))).toBe(true);
    rmSync(loose);
  });
});

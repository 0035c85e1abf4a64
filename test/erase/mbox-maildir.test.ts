import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { approvePlan, buildPlan, writePlan } from '../../src/erase/plan.js';
import { tempTree } from '../helpers/cli.js';
import { fileSha, mboxOf, message, readJson, spawnPaused, writeScan } from '../helpers/erase.js';

const M1 = message('m1@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236');
const M2 = message('m2@firma.dk', 'jens@firma.dk', 'Frokost kl. 12?');
const M3 = message('m3@example.dk', 'soren.ostergard@example.dk', 'Ring på +45 21 43 65 87');
const LATE = message('late@firma.dk', 'anne@firma.dk', 'Delivered during the run');

function mboxItems(
  path: string,
  ranges: { offset: number; length: number; sha256: string }[],
  ids: string[],
) {
  return ids.map((id) => {
    const r = ranges[Number(id.slice(1)) - 1];
    return {
      id,
      path,
      itemPath: [`message <${id}@x>`],
      format: 'eml',
      message: { kind: 'mbox' as const, itemPath: [`message <${id}@x>`], fingerprint: r },
    };
  });
}

async function sealedPlan(dir: string, scanPath: string): Promise<string> {
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(readJson<ScanFile>(scanPath), undefined, {}), 'Test DPO'));
  return planPath;
}

describe('remove-mbox-message', () => {
  it('removes exactly the planned messages under a dotlock, and keeps mail appended during the run', async () => {
    const { data, ranges } = mboxOf([M1, M2, M3]);
    const dir = tempTree({ 'tree/mail/inbox.mbox': data });
    const mbox = join(dir, 'tree/mail/inbox.mbox');
    chmodSync(mbox, 0o600);
    const planPath = await sealedPlan(
      dir,
      writeScan(dir, [join(dir, 'tree')], mboxItems(mbox, ranges, ['m1', 'm3'])),
    );
    const resume = join(dir, 'resume');
    const run = spawnPaused(['erase', planPath, '--execute'], {
      DSR_TEST_PAUSE_AT: 'rewrite:temp-synced',
      DSR_TEST_RESUME_FILE: resume,
    });
    await run.paused;
    expect(existsSync(`${mbox}.lock`)).toBe(true);
    // A delivery agent that ignores the lock appends a message while dsr rewrites the mbox.
    appendFileSync(mbox, Buffer.from(mboxOf([LATE]).data));
    writeFileSync(resume, '');
    const r = await run.done;
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(readFileSync(mbox).toString()).toBe(mboxOf([M2, LATE]).data.toString());
    expect(statSync(mbox).mode & 0o777).toBe(0o600);
    expect(existsSync(`${mbox}.lock`)).toBe(false);
    expect(readdirSync(join(dir, 'tree/mail'))).toEqual(['inbox.mbox']);
  }, 30_000);

  it('skips a locked mbox as locked and a changed message as stale, leaving the bytes as they were', async () => {
    const { data, ranges } = mboxOf([M1, M2, M3]);
    const dir = tempTree({ 'tree/a.mbox': data, 'tree/b.mbox': data });
    const a = join(dir, 'tree/a.mbox');
    const b = join(dir, 'tree/b.mbox');
    const scanPath = writeScan(
      dir,
      [join(dir, 'tree')],
      [
        ...mboxItems(a, ranges, ['m1']),
        ...mboxItems(b, ranges, ['m1', 'm3']).map((i) => ({ ...i, id: `b${i.id}` })),
      ],
    );
    const planPath = await sealedPlan(dir, scanPath);
    writeFileSync(`${a}.lock`, '12345\n');
    // Someone edits message 3 of b.mbox after planning (same length, other bytes).
    const bBytes = readFileSync(b);
    bBytes[ranges[2].offset + ranges[2].length - 5] = 0x58;
    writeFileSync(b, bBytes);
    const aSha = fileSha(a);
    const res = await applyPlan(readJson(planPath), {
      execute: true,
      journalPath: join(dir, 'j'),
      auditLogPath: join(dir, 'au'),
      lockTimeoutMs: 300,
    });
    expect(res.reports.map((r) => [r.action.path.slice(-6), r.action.itemPath[0], r.outcome.result])).toEqual(
      [
        ['a.mbox', 'message <m1@x>', 'locked'],
        ['b.mbox', 'message <m1@x>', 'done'],
        ['b.mbox', 'message <m3@x>', 'stale'],
      ],
    );
    expect(fileSha(a)).toBe(aSha);
    expect(existsSync(`${a}.lock`)).toBe(true);
    expect(readFileSync(b).equals(Buffer.concat([bBytes.subarray(ranges[1].offset)]))).toBe(true);
  });
});

describe('delete-maildir-message', () => {
  it('unlinks the planned message files, one of them renamed since the scan (a flag set)', async () => {
    const dir = tempTree({
      'tree/Maildir/cur/1700000000.M1.host:2,S': M1,
      'tree/Maildir/cur/1700000001.M2.host:2,S': M2,
      'tree/Maildir/cur/1700000002.M3.host:2,': M3,
    });
    mkdirSync(join(dir, 'tree/Maildir/new'));
    const cur = join(dir, 'tree/Maildir/cur');
    const fp = (name: string) => {
      const p = join(cur, name);
      return { size: statSync(p).size, sha256: fileSha(p) };
    };
    const items = ['1700000000.M1.host:2,S', '1700000002.M3.host:2,'].map((name, n) => ({
      id: `md${n}`,
      path: join(cur, name),
      format: 'eml',
      fingerprint: fp(name),
      message: { kind: 'maildir' as const, itemPath: [], fingerprint: {} },
    }));
    const planPath = await sealedPlan(dir, writeScan(dir, [join(dir, 'tree')], items));
    renameSync(join(cur, '1700000002.M3.host:2,'), join(cur, '1700000002.M3.host:2,S'));
    const res = await applyPlan(readJson(planPath), {
      execute: true,
      journalPath: join(dir, 'j'),
      auditLogPath: join(dir, 'au'),
    });
    expect(res.reports.map((r) => [r.action.kind, r.outcome.result])).toEqual([
      ['delete-maildir-message', 'done'],
      ['delete-maildir-message', 'done'],
    ]);
    expect(readdirSync(cur).sort()).toEqual(['1700000001.M2.host:2,S']);
  });
});

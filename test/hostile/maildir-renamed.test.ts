import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { approvePlan, buildPlan, writePlan } from '../../src/erase/plan.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { fileSha, message, readJson, writeScan } from '../helpers/erase.js';

const MINE = message('m1@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236');
const OTHER = message('m2@firma.dk', 'jens@firma.dk', 'Frokost kl. 12?');

/** A Maildir with the subject's message at `planned` (relative to the Maildir) and an approved plan to delete it. */
async function maildirCase(planned: string) {
  const dir = tempTree({
    [`tree/Maildir/${planned}`]: MINE,
    'tree/Maildir/cur/1700000001.M2P2.host:2,S': OTHER,
  });
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, 'tree/Maildir', sub), { recursive: true });
  const md = join(dir, 'tree/Maildir');
  const p = join(md, planned);
  const scanPath = writeScan(
    dir,
    [join(dir, 'tree')],
    [
      {
        path: p,
        format: 'eml',
        fingerprint: { size: statSync(p).size, sha256: fileSha(p) },
        message: { kind: 'maildir', itemPath: [], fingerprint: {} },
      },
    ],
  );
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(readJson<ScanFile>(scanPath), undefined, {}), 'Test DPO'));
  return { md, planPath };
}

const files = (md: string) => ['cur', 'new'].flatMap((s) => readdirSync(join(md, s)).map((n) => `${s}/${n}`));

describe('a Maildir message renamed by a mail client after the scan', () => {
  it.each([
    ['a flag change', 'cur/1700000000.M1P1.host:2,S', 'cur/1700000000.M1P1.host:2,RS'],
    ['a move from new/ to cur/', 'new/1700000000.M1P1.host', 'cur/1700000000.M1P1.host:2,S'],
  ])('is found by the unique part of its name and erased after %s', async (_what, planned, now) => {
    const { md, planPath } = await maildirCase(planned);
    renameSync(join(md, planned), join(md, now));
    const dry = runCli(['erase', planPath]);
    expect(dry.stdout).toMatch(/would\s+delete-maildir-message/);
    expect(dry.code).toBe(0);
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.stdout).toMatch(/done\s+delete-maildir-message/);
    expect(r.stdout).toContain('found renamed by a mail client');
    expect(r.code).toBe(0);
    expect(files(md)).toEqual(['cur/1700000001.M2P2.host:2,S']);
  });

  it('is stale when the renamed file holds other bytes than planned, and nothing is unlinked', async () => {
    const { md, planPath } = await maildirCase('cur/1700000000.M1P1.host:2,S');
    renameSync(join(md, 'cur/1700000000.M1P1.host:2,S'), join(md, 'cur/1700000000.M1P1.host:2,RS'));
    writeFileSync(join(md, 'cur/1700000000.M1P1.host:2,RS'), `${MINE}edited\n`);
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.stdout).toMatch(/stale\s+delete-maildir-message/);
    expect(r.code).toBe(5);
    expect(files(md).sort()).toEqual(['cur/1700000000.M1P1.host:2,RS', 'cur/1700000001.M2P2.host:2,S']);
  });
});

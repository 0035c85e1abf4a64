import {
  chmodSync,
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { approvePlan, buildPlan, type Plan, writePlan } from '../../src/erase/plan.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { fileSha, readJson, scanTree, spawnPaused, writeScan } from '../helpers/erase.js';

const OTHER = 'Jens Hansen, jens@firma.dk, CPR 010190-1234';
const FILES: Record<string, string | Uint8Array> = {
  'tree/a-shared.txt': `Hej Søren Østergård (CPR 150387-1236).\n${OTHER}\n`,
  'tree/b-latin1.txt': iconv.encode(
    `Navn: Søren Østergård\r\nTlf: 21 43 65 87\r\n${OTHER}\r\n`,
    'windows-1252',
  ),
  'tree/c-utf16.txt': Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`Mail soren.ostergard@example.dk; ${OTHER}\n`, 'utf16le'),
  ]),
  'tree/d-list.csv': `name,email,cpr\r\nSøren Østergård,soren.ostergard@example.dk,150387-1236\r\nJens Hansen,jens@firma.dk,010190-1234\r\n`,
  'tree/e-page.html': `<html><body><p>Kontakt <a href="mailto:soren.ostergard@example.dk">Søren Østergård</a></p><ul><li><b>S&oslash;ren</b> <i>&Oslash;sterg&aring;rd</i>, klipper</li></ul><p>${OTHER}</p></body></html>\n`,
  'tree/f-data.json': `{"people":[{"name":"Søren Østergård","phone":"+45 21 43 65 87"},{"name":"Jens Hansen","email":"jens@firma.dk"}]}\n`,
  'tree/soren-ostergard/cv.txt': 'Søren Kjærgaard Østergård, CPR 150387-1236\n',
  'tree/untouched.txt': 'Nothing about anyone.\n',
};

function setup(): { dir: string; scan: ScanFile; scanPath: string } {
  const dir = tempTree(FILES);
  chmodSync(join(dir, 'tree/a-shared.txt'), 0o640);
  const scanPath = scanTree(dir);
  return { dir, scan: readJson<ScanFile>(scanPath), scanPath };
}

async function sealed(dir: string, scan: ScanFile, name = 'plan.json'): Promise<string> {
  const path = join(dir, name);
  await writePlan(path, approvePlan(buildPlan(scan, undefined, {}), 'Test DPO'));
  return path;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    /\.dsr-|_original|\.tmp$/.test(f),
  );
}

describe('dsr erase on plain files', () => {
  it('dry run changes nothing; --execute deletes, redacts in the file’s own encoding, keeps mode, audits, and verifies', async () => {
    const { dir, scan } = setup();
    const planPath = await sealed(dir, scan);
    const before = Object.fromEntries(Object.keys(FILES).map((f) => [f, fileSha(join(dir, f))]));
    const dry = runCli(['erase', planPath]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('DRY RUN');
    expect(dry.stdout).toMatch(/would +delete-file .*cv\.txt/);
    for (const f of Object.keys(FILES)) expect(fileSha(join(dir, f))).toBe(before[f]);

    const r = runCli(['erase', planPath, '--execute']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unlinked');
    expect(r.stdout).toContain('not securely wiped');
    expect(r.stdout).toContain('Backups, snapshots');
    expect(r.stdout).not.toContain('150387-1236');
    expect(r.stdout).not.toContain('soren.ostergard@example.dk');
    const read = (f: string) => readFileSync(join(dir, 'tree', f));
    expect(read('a-shared.txt').toString()).toBe(`Hej [REDACTED-NAME] (CPR [REDACTED-CPR]).\n${OTHER}\n`);
    expect(statSync(join(dir, 'tree/a-shared.txt')).mode & 0o777).toBe(0o640);
    expect(iconv.decode(read('b-latin1.txt'), 'windows-1252')).toBe(
      `Navn: [REDACTED-NAME]\r\nTlf: [REDACTED-PHONE]\r\n${OTHER}\r\n`,
    );
    const utf16 = read('c-utf16.txt');
    expect([...utf16.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(utf16.subarray(2).toString('utf16le')).toBe(`Mail [REDACTED-EMAIL]; ${OTHER}\n`);
    expect(read('d-list.csv').toString()).toBe(
      'name,email,cpr\r\n[REDACTED-NAME],[REDACTED-EMAIL],[REDACTED-CPR]\r\nJens Hansen,jens@firma.dk,010190-1234\r\n',
    );
    expect(read('e-page.html').toString()).toBe(
      `<html><body><p>Kontakt <a href="mailto:[REDACTED-EMAIL]">[REDACTED-NAME]</a></p><ul><li><b>[REDACTED-NAME]</b><i></i>, klipper</li></ul><p>${OTHER}</p></body></html>\n`,
    );
    expect(JSON.parse(read('f-data.json').toString())).toEqual({
      people: [
        { name: '[REDACTED-NAME]', phone: '[REDACTED-PHONE]' },
        { name: 'Jens Hansen', email: 'jens@firma.dk' },
      ],
    });
    expect(existsSync(join(dir, 'tree/soren-ostergard/cv.txt'))).toBe(false);
    expect(fileSha(join(dir, 'tree/untouched.txt'))).toBe(before['tree/untouched.txt']);
    expect(leftovers(dir)).toEqual([]);

    const auditPath = join(dir, 'plan.audit.jsonl');
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    const audit = readFileSync(auditPath, 'utf8');
    expect(audit.trim().split('\n')).toHaveLength(7);
    for (const raw of ['150387-1236', 'soren.ostergard@example.dk', 'Østergård', '21 43 65 87'])
      expect(audit).not.toContain(raw);
    expect(runCli(['audit', 'verify', auditPath]).code).toBe(0);

    // A tampered record is caught and named.
    const lines = audit.trim().split('\n');
    lines[2] = lines[2].replace('"result":"done"', '"result":"stale"');
    writeFileSync(auditPath, `${lines.join('\n')}\n`);
    const bad = runCli(['audit', 'verify', auditPath]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('BROKEN at record 3');

    // Running the plan again counts everything as done.
    const again = runCli(['erase', planPath, '--execute']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('done in an earlier run');
  }, 60_000);

  it('skips a file changed after planning as stale (byte-identical), refuses hard links, paths outside the roots and ..', async () => {
    const { dir, scan } = setup();
    const planPath = await sealed(dir, scan);
    const changed = join(dir, 'tree/a-shared.txt');
    writeFileSync(changed, `${readFileSync(changed, 'utf8')}one more line\n`);
    const changedSha = fileSha(changed);
    linkSync(join(dir, 'tree/d-list.csv'), join(dir, 'list-copy.csv'));
    const listSha = fileSha(join(dir, 'tree/d-list.csv'));
    const plan = readJson<Plan>(planPath);
    const result = await applyPlan(plan, {
      execute: true,
      journalPath: join(dir, 'j.jsonl'),
      auditLogPath: join(dir, 'a.jsonl'),
    });
    const by = Object.fromEntries(
      result.reports.map((r) => [r.action.path.slice(dir.length + 6), r.outcome]),
    );
    expect(by['a-shared.txt']).toMatchObject({ result: 'stale' });
    expect(fileSha(changed)).toBe(changedSha);
    expect(by['d-list.csv']).toMatchObject({
      result: 'refused',
      reason: expect.stringContaining('hard links'),
    });
    expect(fileSha(join(dir, 'tree/d-list.csv'))).toBe(listSha);
    expect(by['b-latin1.txt'].result).toBe('done');

    // Paths that are not plainly inside the roots.
    const outside = tempTree({ 'tree/x.txt': 'CPR 150387-1236\n', 'elsewhere/y.txt': 'CPR 150387-1236\n' });
    const fp = (p: string) => ({ size: statSync(p).size, sha256: fileSha(p) });
    const y = join(outside, 'elsewhere/y.txt');
    const handScan = readJson<ScanFile>(
      writeScan(
        outside,
        [join(outside, 'tree')],
        [
          { path: y, format: 'pdf', fingerprint: fp(y) },
          { path: `${outside}/tree/../elsewhere/y.txt`, format: 'pdf', fingerprint: fp(y) },
        ],
      ),
    );
    const include = { decision: 'include' as const, by: 'r', at: 'now' };
    const review = {
      schema: 'dsr.review/2' as const,
      scanId: handScan.scanId,
      decisions: { item0: include, item1: include },
    };
    const handPlan = approvePlan(buildPlan(handScan, review, {}), 'Test DPO');
    const res2 = await applyPlan(handPlan, {
      execute: true,
      journalPath: join(outside, 'j'),
      auditLogPath: join(outside, 'a'),
    });
    expect(res2.reports.map((r) => [r.outcome.result, r.outcome.reason])).toEqual([
      ['refused', "outside the plan's roots"],
      ['refused', 'the path contains ".." or is not normalised'],
    ]);
    expect(existsSync(y)).toBe(true);
  }, 60_000);

  it('refuses a file swapped for a symlink mid-run and leaves its target alone; --max-actions leaves the rest for later', async () => {
    const { dir, scan } = setup();
    const planPath = await sealed(dir, scan);
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'CPR 150387-1236 of the subject, outside the roots\n');
    const secretSha = fileSha(secret);
    const resume = join(dir, 'resume');
    const run = spawnPaused(['erase', planPath, '--execute', '--max-actions', '3'], {
      DSR_TEST_PAUSE_AT: 'rewrite:dir-synced',
      DSR_TEST_RESUME_FILE: resume,
    });
    await run.paused;
    const victim = join(dir, 'tree/c-utf16.txt');
    unlinkSync(victim);
    symlinkSync(secret, victim);
    writeFileSync(resume, '');
    const r = await run.done;
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/done +redact-text .*a-shared\.txt/);
    expect(r.stdout).toMatch(/refused +redact-text .*c-utf16\.txt\n.*symlink/);
    expect(r.stdout).toMatch(/skipped +redact-text .*d-list\.csv/);
    expect(fileSha(secret)).toBe(secretSha);
    const later = runCli(['erase', planPath, '--execute']);
    expect(later.code).toBe(5);
    expect(later.stdout).toMatch(/done +redact-text .*d-list\.csv/);
    expect(readFileSync(join(dir, 'tree/d-list.csv'), 'utf8')).not.toContain('150387-1236');
  }, 60_000);
});

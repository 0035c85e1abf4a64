/**
 * `dsr plan --approve` refuses a plan whose targets changed since the scan (exit 5, listing them, masked),
 * as `terraform apply` refuses a stale plan, and writes nothing; `dsr erase` keeps its own check.
 * Runs the built CLI.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { scanTree } from '../helpers/erase.js';

const OTHER = 'Jens Hansen, jens@firma.dk, CPR 010190-1234';
const FILES = {
  'tree/shared.txt': `Hej Søren Østergård (CPR 150387-1236).\n${OTHER}\n`,
  'tree/Søren_Østergård/cv.txt': 'Søren Kjærgaard Østergård, CPR 150387-1236\n',
  'tree/list.csv': 'name,cpr\r\nSøren Østergård,150387-1236\r\nJens Hansen,010190-1234\r\n',
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function planned(): { dir: string; scan: string; plan: string } {
  const dir = tempTree(FILES);
  dirs.push(dir);
  const scan = scanTree(dir);
  const plan = join(dir, 'scan.plan.json');
  const r = runCli(['plan', scan]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, scan, plan };
}

describe('dsr plan --approve with targets changed since the scan', () => {
  it('exits 5 listing each stale target (masked), and leaves the plan unapproved and byte-identical', () => {
    const { dir, plan } = planned();
    appendFileSync(join(dir, 'tree/shared.txt'), 'one more line\n');
    unlinkSync(join(dir, 'tree/Søren_Østergård/cv.txt'));
    const before = readFileSync(plan);
    const r = runCli(['plan', plan, '--approve', '--approved-by', 'Anna Berg (DPO)']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('not approved: 2 of 3 target(s) changed since the scan; nothing was written');
    expect(r.stderr).toMatch(/stale +redact-text +\S*\/tree\/shared\.txt\n +changed since the scan/);
    expect(r.stderr).toMatch(/stale +delete-file +\S*\/tree\/S\._Ø\.\/cv\.txt\n +the file no longer exists/);
    expect(r.stderr).not.toMatch(/list\.csv/);
    expect(r.stderr).not.toContain('Østergård');
    expect(r.stdout).toBe('');
    expect(readFileSync(plan).equals(before)).toBe(true);
    expect(JSON.parse(before.toString()).approval).toBeUndefined();
  }, 60_000);

  it('refuses the same when planning and approving a scan in one step: no plan file is made', () => {
    const { dir, scan } = planned();
    appendFileSync(join(dir, 'tree/list.csv'), 'Karen Holm,240592-1014\r\n');
    const out = join(dir, 'approved.json');
    const r = runCli(['plan', scan, '--out', out, '--approve', '--approved-by', 'DPO']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/stale +redact-text +\S*\/tree\/list\.csv/);
    expect(existsSync(out)).toBe(false);
    // With -o -, nothing reaches standard output either.
    const piped = runCli(['plan', scan, '-o', '-', '--approve', '--approved-by', 'DPO']);
    expect(piped.code).toBe(5);
    expect(piped.stdout).toBe('');
  }, 60_000);

  it('approves a plan whose targets are as scanned (exit 0)', () => {
    const { plan } = planned();
    const r = runCli(['plan', plan, '--approve', '--approved-by', 'DPO']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(plan, 'utf8')).approval.by).toBe('DPO');
  }, 60_000);
});

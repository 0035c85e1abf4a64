import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const HOSTILE_NAME = 'a\x1b[31mred\x07\r.txt';
const RAW = [
  '240786-1392', // someone's CPR number as a file name
  '150387-1236',
  'soren.ostergard@example.dk', // a folder named after the subject's e-mail address
  'Østergård', // and one after the subject's name
  'Søren',
  '21 43 65 87',
];

function expectClean(what: string, r: CliResult): void {
  const out = r.stdout + r.stderr;
  const controls = [...out.matchAll(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g)].map((m) => m[0].charCodeAt(0));
  expect({ what, controls }).toEqual({ what, controls: [] });
  expect({ what, raw: RAW.filter((v) => out.includes(v)) }).toEqual({ what, raw: [] });
}

describe('what dsr prints to a terminal: no raw identifier, no raw control character', () => {
  it('scan, plan, export, erase (dry run and --execute)', () => {
    const dir = tempTree({
      [`tree/${HOSTILE_NAME}`]: 'CPR 150387-1236\n',
      'tree/240786-1392.txt': 'Mail: soren.ostergard@example.dk\n',
      'tree/soren.ostergard@example.dk/notes.txt': 'Ring +45 21 43 65 87, CPR 150387-1236\n',
      'tree/Søren_Østergård/cv.txt': 'CPR 150387-1236\n',
    });
    mkdirSync(join(dir, 'out'));
    const subject = writeSubject(dir);
    const scanPath = join(dir, 'out/scan.json');
    const scan = runCli([
      'scan',
      join(dir, 'tree'),
      '--subject',
      subject,
      '--out',
      scanPath,
      '--no-progress',
    ]);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain('a\\x1b[31mred\\x07\\x0d.txt');
    expect(scan.stdout).toContain('2407XX-XXXX.txt');
    expectClean('scan', scan);

    // The plan is approved while every target is as scanned (approval refuses a stale plan) …
    const planPath = join(dir, 'out/plan.json');
    const plan = runCli(['plan', scanPath, '--out', planPath, '--approve', '--approved-by', 'DPO']);
    expect(plan.code).toBe(0);
    expectClean('plan', plan);

    // … then one file changes: export lists it as not exported, erase as stale.
    appendFileSync(join(dir, 'tree/240786-1392.txt'), 'one more line\n');
    const exp = runCli(['export', scanPath, '--out', join(dir, 'out/export.zip')]);
    expect(exp.code).toBe(3);
    expect(exp.stderr).toContain('Not exported: 1');
    expect(exp.stderr).toContain('2407XX-XXXX.txt');
    expectClean('export', exp);

    const dry = runCli(['erase', planPath]);
    expect(dry.stdout).toMatch(/would\s+delete-file\s+\S*s\*\*\*@example\.dk\/notes\.txt/);
    expect(dry.stdout).toContain('S._Ø.');
    expectClean('erase (dry run)', dry);
    const run = runCli(['erase', planPath, '--execute']);
    expect(run.stdout).toMatch(/stale\s+\S+2407XX-XXXX\.txt/);
    expect(run.code).toBe(5);
    expectClean('erase --execute', run);
  }, 120_000);

  it('a usage error that names a hostile path escapes it', () => {
    const dir = tempTree();
    const r = runCli(['audit', 'verify', join(dir, HOSTILE_NAME)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a\\x1b[31mred\\x07\\x0d.txt');
    expectClean('audit verify', r);
  });

  it('dsr index --index in a missing folder is a usage error naming the folder, exit 2', () => {
    const dir = tempTree({ 'tree/a.txt': 'x' });
    const r = runCli(['index', join(dir, 'tree'), '--index', join(dir, 'missing/dir/x.idx')]);
    expect(r.stderr).toContain(`the folder ${join(dir, 'missing/dir')} does not exist`);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  });
});

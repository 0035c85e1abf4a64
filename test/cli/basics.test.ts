import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SUBJECT, tempTree, writeSubject } from '../helpers/cli.js';

describe('dsr scan (basics)', () => {
  it('finds the subject in a text file and writes a 0600 scan file', () => {
    const dir = tempTree({ 'notes/a.txt': 'Hej Søren Østergård, CPR 150387-1236.\n' });
    const subject = writeSubject(dir);
    const out = join(dir, 'scan.json');
    const r = runCli(['scan', join(dir, 'notes'), '--subject', subject, '--out', out]);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const scan = JSON.parse(readFileSync(out, 'utf8'));
    expect(scan.schema).toBe('dsr.scan/1');
    expect(scan.items).toHaveLength(1);
    expect(scan.items[0].evidence).toBe('confirmed');
    expect(scan.findings.map((f: { detector: string }) => f.detector).sort()).toEqual(['cpr', 'name']);
    expect(r.stdout).not.toContain('150387-1236');
    expect(r.stdout).toContain('1503XX-XXXX');
  });

  it('refuses a subject with an impossible CPR date, naming the field (exit 2)', () => {
    const dir = tempTree();
    const subject = writeSubject(dir, { ...SUBJECT, cpr: ['320187-1234'] });
    const r = runCli(['scan', dir, '--subject', subject]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('subject.cpr[0]');
  });
});

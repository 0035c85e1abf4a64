/**
 * `dsr scan` end to end: how the subject is given, refused, matched and masked. Runs the built CLI.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { type CliResult, runCli, SUBJECT, tempTree, writeSubject } from '../helpers/cli.js';

/** Raw identifiers of the subject and of the other fake people below: never on the terminal. */
const RAW = [
  '150387-1236',
  '1503871236',
  'soren.ostergard@example.dk',
  '21 43 65 87',
  '21436587',
  'Søren',
  'Østergård',
  'Kjærgaard',
  '010190-1234',
  's.ostergaard@other.dk',
  'mette.hansen@example.dk',
  '240592-1014',
  '31 22 44 66',
];

function scan(args: string[], opts: Parameters<typeof runCli>[1] = {}): CliResult {
  const r = runCli(['scan', ...args], opts);
  for (const raw of RAW) {
    expect(r.stdout, `stdout shows ${raw}`).not.toContain(raw);
    expect(r.stderr, `stderr shows ${raw}`).not.toContain(raw);
  }
  return r;
}

const readScan = (p: string): ScanFile => JSON.parse(readFileSync(p, 'utf8'));
const strip = (s: ScanFile) =>
  s.findings.map((f) => [f.path, f.detector, f.value, f.subject, f.evidence, f.location.offset]);

const FILES = {
  'kontrakt.txt': 'Ansat: Søren Kjærgaard Østergård\nCPR: 150387-1236\n',
  'kontakt.csv': 'navn;email;telefon\nSøren K. Østergård;soren.ostergard@example.dk;21 43 65 87\n',
  'kunder.txt': 'Kunde: Søren Østergård, CPR 010190-1234, s.ostergaard@other.dk\n',
  'referat.md': 'Deltagere: Mette Hansen og Søren Østergård.\n',
  'andre.txt': 'Mette Hansen, CPR-nr. 240592-1014, mette.hansen@example.dk, tlf. +45 31 22 44 66\n',
};

const dirs: string[] = [];
const tree = (files: Record<string, string>) => {
  const d = tempTree(files);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dsr scan: the subject', () => {
  const dir = tree(FILES);
  const subject = writeSubject(dir);
  // Scan files go outside the tree so that one run does not search the previous run's output.
  const outDir = mkdtempSync(join(tmpdir(), 'dsr-out-'));
  dirs.push(outDir);
  const jsonOut = join(outDir, 'json-subject.scan.json');
  let jsonRun: CliResult;

  it('gives each item its evidence level and exits 0', () => {
    jsonRun = scan([dir, '--subject', subject, '--out', jsonOut]);
    expect(jsonRun.code).toBe(0);
    const s = readScan(jsonOut);
    const byFile = Object.fromEntries(s.items.map((i) => [i.path.slice(dir.length + 1), i.evidence]));
    expect(byFile).toEqual({
      'kontrakt.txt': 'confirmed',
      'kontakt.csv': 'confirmed',
      'kunder.txt': 'namesake',
      'referat.md': 'possible',
    });
    // Without --all no one else's identifiers are recorded.
    expect(s.findings.every((f) => f.subject)).toBe(true);
    expect(jsonRun.stdout).toMatch(/confirmed +2/);
    expect(jsonRun.stdout).toMatch(/possible +1/);
    expect(jsonRun.stdout).toMatch(/namesake +1/);
    expect(jsonRun.stdout).toContain('1503XX-XXXX');
  });

  it('takes the subject from --name/--alias/--email/--phone/--cpr flags alone, equal to the JSON file', () => {
    const out = join(outDir, 'flags-subject.scan.json');
    const r = scan([
      dir,
      '--name',
      SUBJECT.name,
      '--alias',
      SUBJECT.aliases[0],
      '--email',
      SUBJECT.emails[0],
      '--phone',
      SUBJECT.phones[0],
      '--cpr',
      SUBJECT.cpr[0],
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const a = readScan(jsonOut);
    const b = readScan(out);
    expect(b.subject).toEqual(a.subject);
    // The subject file itself lies in the tree: it is skipped in the first run and searched in this one.
    expect(strip(b).filter((f) => !String(f[0]).endsWith('subject.json'))).toEqual(strip(a));
    expect(b.items.map((i) => i.id).filter((id) => a.items.some((x) => x.id === id))).toHaveLength(4);
  });

  it('--all adds everyone else\'s identifiers with subject: false, evidence "none" where the subject is absent', () => {
    const out = join(outDir, 'all.scan.json');
    const r = scan([dir, '--subject', subject, '--all', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    const others = s.findings.filter((f) => f.path.endsWith('andre.txt'));
    expect(others.map((f) => [f.detector, f.value, f.subject, f.evidence]).sort()).toEqual([
      ['cpr', '240592-1014', false, 'none'],
      ['email', 'mette.hansen@example.dk', false, 'none'],
      ['phone', '+4531224466', false, 'none'],
    ]);
    const namesake = s.findings.filter((f) => f.path.endsWith('kunder.txt') && !f.subject);
    expect(namesake.map((f) => [f.detector, f.value, f.evidence]).sort()).toEqual([
      ['cpr', '010190-1234', 'namesake'],
      ['email', 's.ostergaard@other.dk', 'namesake'],
    ]);
    // The subject's own findings are the same as without --all.
    expect(strip({ ...s, findings: s.findings.filter((f) => f.subject) })).toEqual(strip(readScan(jsonOut)));
    expect(r.stdout).toMatch(/cpr \d+ \(\+2 others\)/);
  });

  it('--all lists large registers whole: findings cross from the workers in parts, evidence set per item', () => {
    const rows = (prefix: string) =>
      Array.from({ length: 3000 }, (_, i) => `${i};${prefix}${i}@example.dk;Vej ${i}\n`).join('');
    const d = tree({
      'kunder.csv': `${rows('kunde')}9999;soren.ostergard@example.dk;Søndergade 1\n`,
      'leads.csv': rows('lead'),
    });
    const subj = writeSubject(d);
    const out = join(d, 'scan.json');
    const r = scan([d, '--subject', subj, '--all', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    const of = (name: string) => s.findings.filter((f) => f.path.endsWith(name) && f.detector === 'email');
    const kunder = of('kunder.csv');
    expect(kunder).toHaveLength(3001);
    expect(new Set(kunder.map((f) => f.evidence))).toEqual(new Set(['confirmed']));
    expect(kunder.filter((f) => f.subject).map((f) => f.value)).toEqual(['soren.ostergard@example.dk']);
    const leads = of('leads.csv');
    expect(new Set(leads.map((f) => f.value))).toEqual(
      new Set(Array.from({ length: 3000 }, (_, i) => `lead${i}@example.dk`)),
    );
    expect(new Set(leads.map((f) => f.evidence))).toEqual(new Set(['none']));
    expect(new Set(s.findings.map((f) => f.id)).size).toBe(s.findings.length);
  });

  it('--all of an mbox with more findings than a worker holds: written aside, collected, nothing left', () => {
    // 400 messages of 100 addresses each: ~18 MB of findings for one file, past the 4 MiB a worker holds.
    const messages = Array.from({ length: 400 }, (_, m) => {
      const lines = Array.from({ length: 100 }, (_, i) => `Kontakt: kunde${m}x${i}@example.dk\n`).join('');
      return `From a@example.dk Mon Jan  1 00:00:00 2024\nMessage-ID: <m${m}@example.dk>\nSubject: liste ${m}\n\n${lines}\n`;
    });
    const d = tree({ 'kunder.mbox': messages.join('') });
    const subj = writeSubject(d);
    const out = join(d, 'scan.json');
    const tmp = mkdtempSync(join(tmpdir(), 'dsr-test-tmp-'));
    dirs.push(tmp);
    const r = scan([d, '--subject', subj, '--all', '--out', out], { env: { ...process.env, TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(0);
    const emails = readScan(out).findings.filter((f) => f.detector === 'email');
    expect(emails).toHaveLength(40_000);
    expect(new Set(emails.map((f) => f.value)).size).toBe(40_000);
    expect(emails.filter((f) => f.itemPath[0] === 'message <m399@example.dk>')).toHaveLength(100);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('finds a folder named after the subject as a name finding on the path', () => {
    const d = tree({ 'personale/Søren Østergård/cv-noter.txt': 'Erfaring: klipper siden 2015.\n' });
    const subj = writeSubject(d);
    const out = join(d, 'scan.json');
    const r = scan([join(d, 'personale'), '--subject', subj, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    expect(s.findings).toHaveLength(1);
    expect(s.findings[0]).toMatchObject({
      path: join(d, 'personale/Søren Østergård/cv-noter.txt'),
      detector: 'name',
      subject: true,
      evidence: 'possible',
      location: { field: 'path', offset: 0 },
    });
    // The summary shows the path with the name masked.
    expect(r.stdout).toContain('S._Ø./cv-noter.txt');
  });

  it('masks such a path under --all too', () => {
    const d = tree({ 'personale/Søren Østergård/cv-noter.txt': 'Ring til 21 43 65 87.\n' });
    const subj = writeSubject(d);
    const out = join(d, 'scan.json');
    const r = scan([join(d, 'personale'), '--subject', subj, '--all', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readScan(out).findings.map((f) => f.location.field)).toContain('path');
    expect(r.stdout).toContain('S._Ø./cv-noter.txt');
    expect(r.stdout).not.toContain('Østergård');
  });
});

describe('dsr scan: a bad subject is refused with the field named (exit 2)', () => {
  const dir = tree({ 'a.txt': 'x\n' });
  const cases: [string, object, string][] = [
    ['an impossible CPR date', { ...SUBJECT, cpr: ['320187-1234'] }, 'subject.cpr[0]'],
    ['a CPR number with too few digits', { ...SUBJECT, cpr: ['15038-1236'] }, 'subject.cpr[0]'],
    ['an unparsable phone number', { ...SUBJECT, phones: ['+45 12'] }, 'subject.phones[0]'],
    ['a bad e-mail address', { ...SUBJECT, emails: ['soren.example.dk'] }, 'subject.emails[0]'],
    ['a one-word name', { ...SUBJECT, name: 'Søren' }, 'subject.name'],
    ['an empty profile', {}, 'empty profile'],
    ['an unknown field', { ...SUBJECT, cprs: ['150387-1236'] }, 'subject.cprs'],
  ];
  for (const [what, bad, field] of cases) {
    it(`refuses ${what}`, () => {
      const p = join(dir, `bad-${field.replace(/\W/g, '')}.json`);
      writeSubject(dir, bad);
      const r = runCli(['scan', dir, '--subject', join(dir, 'subject.json'), '--out', p]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(field);
      expect(r.stdout).toBe('');
    });
  }

  it('refuses a bad --cpr flag and a bad --phone flag', () => {
    const a = runCli(['scan', dir, '--name', SUBJECT.name, '--cpr', '311387-1234']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('subject.cpr[0]');
    const b = runCli(['scan', dir, '--name', SUBJECT.name, '--phone', 'ring mig']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('subject.phones[0]');
  });

  it('refuses a scan without any subject, a missing subject file and invalid JSON', () => {
    const none = runCli(['scan', dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no subject given');
    const missing = runCli(['scan', dir, '--subject', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--subject');
    const broken = tempTree({ 'broken.json': '{"name": ' });
    dirs.push(broken);
    const invalid = runCli(['scan', dir, '--subject', join(broken, 'broken.json')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('not valid JSON');
  });

  it('--max-findings lists that many per item under --all, reports the rest as a limit (exit 3)', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i};kunde${i}@example.dk`).join('\n');
    const dir = tempTree({ 'kunder.csv': `${rows}\n` });
    writeSubject(dir);
    const out = join(dir, 'scan.json');
    const r = scan([
      dir,
      '--subject',
      join(dir, 'subject.json'),
      '--all',
      '--max-findings',
      '12',
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.findings).toHaveLength(12);
    expect(s.errors.map((e: { kind: string }) => e.kind)).toEqual(['limit']);
    expect(runCli(['scan', dir, '--subject', join(dir, 'subject.json'), '--max-findings', '0']).code).toBe(2);
  });
});

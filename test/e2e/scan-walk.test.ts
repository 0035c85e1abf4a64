/**
 * `dsr scan` end to end on temp trees: what the walk visits, skips and reports. Runs the built CLI.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const RAW = [
  '150387-1236',
  '1503871236',
  'soren.ostergard@example.dk',
  '21 43 65 87',
  '21436587',
  'Søren',
  'Østergård',
  'Kjærgaard',
];

/** Every run of a valid scan: no raw identifier on the terminal, only masked forms. */
function scan(args: string[], opts: Parameters<typeof runCli>[1] = {}): CliResult {
  const r = runCli(['scan', ...args], opts);
  for (const raw of RAW) {
    expect(r.stdout, `stdout shows ${raw}`).not.toContain(raw);
    expect(r.stderr, `stderr shows ${raw}`).not.toContain(raw);
  }
  return r;
}

interface ScanJson {
  stats: { files: number; skipped: number; errors: number };
  findings: {
    id: string;
    path: string;
    detector: string;
    value: string;
    subject: boolean;
    evidence: string;
    location: { field?: string; offset?: number };
  }[];
  items: { id: string; path: string; evidence: string }[];
  errors: { path: string; kind: string; message: string }[];
  scanned?: string[];
  skippedFiles: { path: string; reason: string }[];
  options: { all: boolean; excludes: string[] };
}

const readScan = (p: string): ScanJson => JSON.parse(readFileSync(p, 'utf8'));
const CPR_LINE = 'Medarbejder Søren Kjærgaard Østergård, CPR 150387-1236.\n';
const cleanups: string[] = [];
const tree = (files: Record<string, string | Uint8Array>) => {
  const dir = tempTree(files);
  cleanups.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

describe('dsr scan: the walk', () => {
  it('does not follow symlinks: a loop and a link to a file are listed as skipped', () => {
    const dir = tree({ 'a/sub/real.txt': CPR_LINE });
    symlinkSync('..', join(dir, 'a/sub/loop'));
    symlinkSync('real.txt', join(dir, 'a/sub/link.txt'));
    const subject = writeSubject(dir);
    const out = join(dir, 'scan.json');
    const r = scan([join(dir, 'a'), '--subject', subject, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    expect(s.scanned).toEqual([join(dir, 'a/sub/real.txt')]);
    expect(s.skippedFiles).toEqual(
      expect.arrayContaining([
        { path: join(dir, 'a/sub/loop'), reason: 'symlink' },
        { path: join(dir, 'a/sub/link.txt'), reason: 'symlink' },
      ]),
    );
    expect(s.items.map((i) => i.path)).toEqual([join(dir, 'a/sub/real.txt')]);
    expect(s.errors).toEqual([]);
  });

  it('records an unreadable file and an unreadable folder as permission errors and goes on (exit 3)', () => {
    const dir = tree({
      'ok.txt': CPR_LINE,
      'secret.txt': CPR_LINE,
      'locked/inner.txt': CPR_LINE,
      'zz-after/later.txt': CPR_LINE,
    });
    const subject = writeSubject(dir);
    const outDir = mkdtempSync(join(tmpdir(), 'dsr-out-'));
    cleanups.push(outDir);
    // As root, mode 000 does not stop reads: run the CLI as `nobody` so the test is real.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(dir, 0o755);
      chmodSync(outDir, 0o777);
    }
    chmodSync(join(dir, 'secret.txt'), 0o000);
    chmodSync(join(dir, 'locked'), 0o000);
    const out = join(outDir, 'scan.json');
    try {
      const r = scan([dir, '--subject', subject, '--out', out], {
        prefix: asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined,
      });
      expect(r.stderr).toBe('');
      expect(r.code, r.stderr).toBe(3);
    } finally {
      chmodSync(join(dir, 'secret.txt'), 0o644);
      chmodSync(join(dir, 'locked'), 0o755);
    }
    const s = readScan(out);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(s.errors.map((e) => [e.path, e.kind])).toEqual([
      [join(dir, 'locked'), 'permission'],
      [join(dir, 'secret.txt'), 'permission'],
    ]);
    expect(s.stats.errors).toBe(2);
    // The walk went on past both: the readable files were searched and found.
    expect(s.items.map((i) => i.path).sort()).toEqual([join(dir, 'ok.txt'), join(dir, 'zz-after/later.txt')]);
  });

  it('counts a binary file as skipped, not as an error', () => {
    const bin = new Uint8Array(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 251 === 0 ? 0 : (i * 31) % 256;
    const dir = tree({ 'blob.bin': bin, noext: bin, 'notes.txt': CPR_LINE });
    const subject = writeSubject(dir);
    const out = join(dir, 'out.json');
    const r = scan([dir, '--subject', subject, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    expect(s.errors).toEqual([]);
    expect(s.stats.skipped).toBe(3); // two binaries + the subject file itself
    expect(s.skippedFiles).toEqual(
      expect.arrayContaining([
        { path: join(dir, 'blob.bin'), reason: 'binary' },
        { path: join(dir, 'noext'), reason: 'binary' },
        { path: subject, reason: 'subject file' },
      ]),
    );
    expect(r.stdout).toMatch(/Skipped: 3 \(.*2 binary/);
  });

  it('--exclude takes a bare name (any depth) and a glob; hidden files are searched', () => {
    const dir = tree({
      'keep/a.txt': CPR_LINE,
      'keep/.hidden.txt': CPR_LINE,
      '.config/notes.txt': CPR_LINE,
      'keep/node_modules/pkg/readme.txt': CPR_LINE,
      'node_modules/x.txt': CPR_LINE,
      'logs/app.log': CPR_LINE,
      'keep/deep/trace.log': CPR_LINE,
    });
    const outDir = mkdtempSync(join(tmpdir(), 'dsr-out-'));
    cleanups.push(outDir);
    const subj = writeSubject(outDir);
    const out = join(outDir, 'scan.json');
    const r = scan([
      dir,
      '--subject',
      subj,
      '--out',
      out,
      '--exclude',
      'node_modules',
      '--exclude',
      '**/*.log',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = readScan(out);
    expect([...(s.scanned ?? [])].sort()).toEqual(
      [join(dir, '.config/notes.txt'), join(dir, 'keep/.hidden.txt'), join(dir, 'keep/a.txt')].sort(),
    );
    expect(s.items).toHaveLength(3);
    expect(s.options.excludes).toEqual(['node_modules', '**/*.log']);
  });

  it('finds a file whose name contains a line break (fast-glob cannot match such names)', () => {
    const dir = tree({ 'in/odd\nname.txt': CPR_LINE, 'in/plain.txt': 'intet\n' });
    const outDir = mkdtempSync(join(tmpdir(), 'dsr-out-'));
    cleanups.push(outDir);
    const out = join(outDir, 'scan.json');
    const r = scan([dir, '--subject', writeSubject(outDir), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.scanned).toContain(join(dir, 'in/odd\nname.txt'));
    expect(s.items.map((i: { path: string }) => i.path)).toEqual([join(dir, 'in/odd\nname.txt')]);
  });

  it('"scanned" lists every file visited; --no-file-list leaves it out', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`d${i % 3}/f${i}.txt`] = i === 5 ? CPR_LINE : `linje ${i}\n`;
    const dir = tree(files);
    const subjDir = mkdtempSync(join(tmpdir(), 'dsr-subj-'));
    cleanups.push(subjDir);
    const subject = writeSubject(subjDir);
    const out = join(subjDir, 'with.json');
    expect(scan([dir, '--subject', subject, '--out', out]).code).toBe(0);
    const s = readScan(out);
    expect([...(s.scanned ?? [])].sort()).toEqual(
      Object.keys(files)
        .map((f) => join(dir, f))
        .sort(),
    );
    expect(s.stats.files).toBe(12);

    const out2 = join(subjDir, 'without.json');
    expect(scan([dir, '--subject', subject, '--out', out2, '--no-file-list']).code).toBe(0);
    const s2 = readScan(out2);
    expect('scanned' in s2).toBe(false);
    expect(s2.stats.files).toBe(12);
    expect(s2.items).toHaveLength(1);
  });

  it('without --out writes dsr-scan-YYYYMMDD-HHMMSS.json in the current folder and prints where', () => {
    const dir = tree({ 'a.txt': CPR_LINE });
    const cwd = mkdtempSync(join(tmpdir(), 'dsr-cwd-'));
    cleanups.push(cwd);
    const subject = writeSubject(cwd);
    const r = scan([dir, '--subject', subject], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const made = readdirSync(cwd).filter((f) => f !== 'subject.json');
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(/^dsr-scan-\d{8}-\d{6}\.json$/);
    const path = join(cwd, made[0]);
    expect(r.stdout).toContain(`Scan file: ${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readScan(path).items).toHaveLength(1);
  });

  it('gives the same item ids in two scans of the same tree', () => {
    const dir = tree({
      'x/a.txt': CPR_LINE,
      'x/b.csv': 'navn;email\nSøren Østergård;soren.ostergard@example.dk\n',
    });
    const subject = writeSubject(dir);
    const out1 = join(dir, 'one.json');
    const out2 = join(dir, 'two.json');
    expect(scan([join(dir, 'x'), '--subject', subject, '--out', out1]).code).toBe(0);
    expect(scan([join(dir, 'x'), '--subject', subject, '--out', out2]).code).toBe(0);
    const a = readScan(out1);
    const b = readScan(out2);
    expect(a.items).toHaveLength(2);
    expect(b.items.map((i) => i.id)).toEqual(a.items.map((i) => i.id));
    expect(b.findings.map((f) => f.id)).toEqual(a.findings.map((f) => f.id));
    expect(new Set(a.items.map((i) => i.id)).size).toBe(2);
  });

  it('refuses a missing root before scanning anything: named on stderr, exit 2, no scan file', () => {
    const dir = tree({});
    const subject = writeSubject(dir);
    const out = join(dir, 'scan.json');
    const r = scan([join(dir, 'missing'), '--subject', subject, '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'missing')}: does not exist`);
    expect(existsSync(out)).toBe(false);
  });
});

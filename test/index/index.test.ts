import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { filterBytesFor, filterBytesForTokens } from '../../src/index/token-filter.js';
import { MAX_TOKENS } from '../../src/index/tokens.js';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const files: Record<string, string> = {
  'hr/contract.txt': 'Ansættelseskontrakt for Søren Kjærgaard Østergård, CPR-nr. 150387-1236.\n',
  'hr/others.csv': 'navn;cpr\nKaren Holm;010190-1234\nJens Nielsen;020285-2345\n',
  'mail/notes.md': '# Noter\nRing til Soeren Oestergaard på 21 43 65 87 om projektet.\n',
  'web/profile.html': '<p>Kontakt: <a href="mailto:Soren.Ostergard@example.dk">skriv</a></p>',
  'data/export.json': '{"navn":"S\\u00f8ren \\u00d8sterg\\u00e5rd","tlf":"+4521436587"}\n',
  'misc/namesake.txt': 'Søren Østergård, cpr 010190-1234, er ikke vores Søren.\n',
  'misc/unrelated.log': '2026-01-01 user karen@example.dk logged in from 10.0.0.1\n',
  'Søren_Østergård/cv.txt': 'Curriculum vitae\n',
};

function scanFile(p: string): ScanFile {
  return JSON.parse(readFileSync(p, 'utf8')) as ScanFile;
}

/** Findings as a comparable list: everything but ids, in a stable order. */
function comparable(scan: ScanFile): string[] {
  return scan.findings.map(({ id: _id, ...rest }) => JSON.stringify(rest)).sort();
}

function setup() {
  const dir = tempTree({});
  const root = join(dir, 'tree');
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const subject = writeSubject(dir);
  return { dir, root, subject, index: join(dir, 'idx.db') };
}

describe('dsr index and dsr scan --index', () => {
  it('answers a subject scan from the index with exactly the findings of a full scan', () => {
    const { dir, root, subject, index } = setup();
    const built = runCli(['index', root, '--index', index]);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/8 files: 8 read, 0 unchanged/);
    expect(statSync(index).mode & 0o777).toBe(0o600);
    expect(statSync(`${index}.key`).mode & 0o777).toBe(0o600);

    const full = runCli(['scan', root, '--subject', subject, '-o', join(dir, 'full.json')]);
    const fast = runCli(['scan', root, '--subject', subject, '--index', index, '-o', join(dir, 'fast.json')]);
    expect(full.code).toBe(0);
    expect(fast.code).toBe(0);
    const a = scanFile(join(dir, 'full.json'));
    const b = scanFile(join(dir, 'fast.json'));
    expect(a.findings.length).toBeGreaterThanOrEqual(8);
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.items.map((i) => `${i.id}:${i.evidence}`).sort()).toEqual(
      a.items.map((i) => `${i.id}:${i.evidence}`).sort(),
    );
    expect(b.stats).toEqual(a.stats);
    // Only the files that can hold the subject were read again.
    expect(b.index).toEqual({ candidates: 6, changed: 0, added: 0, unchanged: 2 });
  });

  it('re-reads only what changed and drops what disappeared', () => {
    const { root, index } = setup();
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    const again = runCli(['index', root, '--index', index]);
    expect(again.stdout).toMatch(/8 files: 0 read, 8 unchanged, 0 removed/);
    writeFileSync(join(root, 'misc/unrelated.log'), 'now mentions soren.ostergard@example.dk\n');
    rmSync(join(root, 'hr/others.csv'));
    const third = runCli(['index', root, '--index', index]);
    expect(third.stdout).toMatch(/7 files: 1 read, 6 unchanged, 1 removed/);
  });

  it('drops only what disappeared under the roots of the run: another root indexed in the same file stays', () => {
    const { dir, root, index } = setup();
    const other = join(dir, 'other');
    mkdirSync(other);
    for (let i = 0; i < 1200; i++) writeFileSync(join(other, `f-${i}.txt`), `linje ${i}\n`);
    expect(runCli(['index', root, other, '--index', index]).stdout).toMatch(/1208 files: 1208 read/);
    // The tree alone: the other root's files are not walked, and not removed either.
    expect(runCli(['index', root, '--index', index]).stdout).toMatch(
      /8 files: 0 read, 8 unchanged, 0 removed/,
    );
    // More files gone than one page of the removal (1,000).
    rmSync(other, { recursive: true });
    rmSync(join(root, 'hr/others.csv'));
    expect(runCli(['index', root, other, '--index', index]).stdout).toMatch(
      /7 files: 0 read, 7 unchanged, 1201 removed/,
    );
    expect(runCli(['index', root, '--index', index]).stdout).toMatch(
      /7 files: 0 read, 7 unchanged, 0 removed/,
    );
  });

  it('stores an item with too many tokens to list as a filter of them: re-read only for a subject it may hold', () => {
    const { dir, root, subject, index } = setup();
    // An export with more distinct addresses than an item's token list holds, the subject's among them.
    const rows = Array.from({ length: MAX_TOKENS + 1000 }, (_, i) => `${i};kunde${i}@example.dk`);
    rows.splice(123_456, 0, '999;soren.ostergard@example.dk');
    writeFileSync(join(root, 'data/kunder.csv'), `${rows.join('\n')}\n`);
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    const db = new Database(index, { readonly: true });
    const perFile = db
      .prepare('SELECT COUNT(t.token) AS n FROM files f LEFT JOIN tokens t ON t.file_id = f.id GROUP BY f.id')
      .all() as { n: number }[];
    const filtered = db.prepare('SELECT COUNT(*) FROM files WHERE filter_bytes IS NOT NULL').pluck().get();
    db.close();
    // No file holds anywhere near MAX_TOKENS token rows: the export holds a filter.
    expect(Math.max(...perFile.map((r) => r.n))).toBeLessThan(100);
    expect(filtered).toBe(1);
    runCli(['scan', root, '--subject', subject, '-o', join(dir, 'full.json')]);
    runCli(['scan', root, '--subject', subject, '--index', index, '-o', join(dir, 'fast.json')]);
    const full = scanFile(join(dir, 'full.json'));
    const fast = scanFile(join(dir, 'fast.json'));
    expect(full.findings.some((f) => f.path.endsWith('kunder.csv') && f.subject)).toBe(true);
    expect(comparable(fast)).toEqual(comparable(full));
    expect(fast.index?.candidates).toBe(7);
    // Someone the export does not hold: it is not read again for them.
    mkdirSync(join(dir, 'other'));
    const other = writeSubject(join(dir, 'other'), {
      name: 'Karen Holm',
      emails: ['karen.holm@example.org'],
      phones: ['+4531313131'],
      cpr: ['0101901234'],
    });
    const otherFast = runCli([
      'scan',
      root,
      '--subject',
      other,
      '--index',
      index,
      '-o',
      join(dir, 'other.json'),
    ]);
    expect(otherFast.code).toBe(0);
    runCli(['scan', root, '--subject', other, '-o', join(dir, 'other-full.json')]);
    const answered = scanFile(join(dir, 'other.json'));
    expect(comparable(answered)).toEqual(comparable(scanFile(join(dir, 'other-full.json'))));
    expect(answered.findings.some((f) => f.path.endsWith('kunder.csv'))).toBe(false);
    expect(answered.index?.candidates).toBeLessThan(fast.index!.candidates);
  });

  it('sizes a compressed item’s filter by its tokens, not by its bytes', () => {
    const { root, index } = setup();
    // Compressed, the export is a tenth of its text: a filter sized by the file was a quarter as large.
    const rows = Array.from({ length: MAX_TOKENS + 1000 }, (_, i) => `${i};kunde${i}@example.dk`);
    const gz = gzipSync(`${rows.join('\n')}\n`);
    writeFileSync(join(root, 'data/kunder.csv.gz'), gz);
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    const db = new Database(index, { readonly: true });
    const sizes = db.prepare('SELECT filter_bytes FROM files WHERE filter_bytes IS NOT NULL').pluck().all();
    db.close();
    expect(sizes).toEqual([filterBytesForTokens(MAX_TOKENS + 1000)]);
    expect(sizes[0]).toBeGreaterThan(filterBytesFor(gz.length));
  });

  it('finds a file changed after indexing, and a new one, exactly as a full scan does', () => {
    const { dir, root, subject, index } = setup();
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    writeFileSync(join(root, 'misc/unrelated.log'), 'now mentions soren.ostergard@example.dk\n');
    writeFileSync(join(root, 'misc/new.txt'), 'CPR 1503871236\n');
    runCli(['scan', root, '--subject', subject, '-o', join(dir, 'full.json')]);
    runCli(['scan', root, '--subject', subject, '--index', index, '-o', join(dir, 'fast.json')]);
    const a = scanFile(join(dir, 'full.json'));
    const b = scanFile(join(dir, 'fast.json'));
    expect(comparable(b).join('\n')).toEqual(comparable(a).join('\n'));
    expect(b.index?.changed).toBe(1);
    expect(b.index?.added).toBe(1);
    expect(a.findings.some((f) => f.path.endsWith('new.txt') && f.detector === 'cpr')).toBe(true);
  });

  /** A full scan and an indexed query of the same tree, as parsed scan files. */
  function fullAndIndexed({ dir, root, subject, index }: ReturnType<typeof setup>) {
    const full = runCli(['scan', root, '--subject', subject, '-o', join(dir, 'full.json')]);
    const fast = runCli(['scan', root, '--subject', subject, '--index', index, '-o', join(dir, 'fast.json')]);
    expect(fast.code).toBe(full.code);
    return { full: scanFile(join(dir, 'full.json')), fast: scanFile(join(dir, 'fast.json')) };
  }

  /** What a scan file says about the files it did not find the subject in: counts, skips, errors. */
  function accounts(scan: ScanFile) {
    const sorted = (xs: unknown[] = []) => xs.map((x) => JSON.stringify(x)).sort();
    return { stats: scan.stats, skipped: sorted(scan.skippedFiles), errors: sorted(scan.errors) };
  }

  it('keeps clean outcomes in clear and sealed those with errors or skips; a query accounts for both as a full scan does', () => {
    const env = setup();
    mkdirSync(join(env.root, 'bin'));
    writeFileSync(
      join(env.root, 'bin/tool.exe'),
      Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]),
    );
    writeFileSync(
      join(env.root, 'misc/broken.zip'),
      Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 7)]),
    );
    // The broken zip is an error entry: the run is partial (exit 3).
    expect(runCli(['index', env.root, '--index', env.index]).code).toBe(3);
    const db = new Database(env.index, { readonly: true });
    const rows = db.prepare('SELECT item_count, bytes, format FROM files').all() as {
      item_count: number | null;
      bytes: number | null;
      format: string | null;
    }[];
    db.close();
    const { full, fast } = fullAndIndexed(env);
    const troubled =
      accounts(full).skipped.length + new Set(full.errors.map((e) => (e as { path: string }).path)).size;
    expect(troubled).toBeGreaterThanOrEqual(2);
    expect(rows.filter((r) => r.item_count === null)).toHaveLength(troubled);
    expect(rows.filter((r) => r.item_count !== null && r.bytes! > 0 && r.format)).toHaveLength(
      rows.length - troubled,
    );
    expect(accounts(fast)).toEqual(accounts(full));
    expect(comparable(fast)).toEqual(comparable(full));
  });

  it('opens an index of the first schema (outcomes sealed only), answers the same and marks it current', () => {
    const env = setup();
    expect(runCli(['index', env.root, '--index', env.index]).code).toBe(0);
    const db = new Database(env.index);
    for (const column of ['item_count', 'bytes', 'format'])
      db.exec(`ALTER TABLE files DROP COLUMN ${column}`);
    db.prepare("UPDATE meta SET value = 'dsr.index/1' WHERE key = 'schema'").run();
    db.close();
    const { full, fast } = fullAndIndexed(env);
    expect(comparable(fast)).toEqual(comparable(full));
    expect(accounts(fast)).toEqual(accounts(full));
    expect(fast.index?.unchanged).toBe(2);
    const after = new Database(env.index, { readonly: true });
    expect(after.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('dsr.index/2');
    expect(after.prepare('SELECT COUNT(*) FROM files WHERE item_count IS NULL').pluck().get()).toBe(8);
    after.close();
    // A re-index reads nothing unchanged, but stores their clean outcomes in clear: a query then
    // unseals none of them, and answers alike.
    expect(runCli(['index', env.root, '--index', env.index]).stdout).toMatch(/8 files: 0 read, 8 unchanged/);
    const filled = new Database(env.index, { readonly: true });
    const rows = filled.prepare('SELECT item_count, bytes FROM files').all() as {
      item_count: number | null;
      bytes: number | null;
    }[];
    filled.close();
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.item_count !== null && r.bytes !== null)).toBe(true);
    expect(accounts(fullAndIndexed(env).fast)).toEqual(accounts(full));
  });

  it('holds no raw identifier, context or path, in token lists or token filters', () => {
    const { root, index } = setup();
    // An export of too many tokens to list: stored as a token filter.
    const rows = Array.from({ length: MAX_TOKENS + 1000 }, (_, i) => `${i};kunde${i}@example.dk`);
    rows.splice(4321, 0, '999;Søren Østergård;soren.ostergard@example.dk;21436587');
    writeFileSync(join(root, 'data/kunder.csv'), `${rows.join('\n')}\n`);
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    const db = new Database(index, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM filter_pages').pluck().get()).toBeGreaterThan(0);
    db.close();
    const bytes = Buffer.concat([index, `${index}-wal`].filter(existsSync).map((p) => readFileSync(p)));
    const needles = [
      'Søren',
      'Soeren',
      'Østergård',
      'Oestergaard',
      'Ostergard',
      'ostergard',
      'Kjærgaard',
      'Karen',
      'Nielsen',
      '150387',
      '1503871236',
      '010190',
      '21436587',
      '21 43 65 87',
      '4521436587',
      'example.dk',
      'karen@',
      'contract.txt',
      'namesake',
      'Curriculum',
      'Ansættelseskontrakt',
      'projektet',
      'kunde1234',
      'kunder.csv',
    ];
    for (const needle of needles) {
      for (const enc of ['utf8', 'utf16le', 'latin1'] as const) {
        expect(bytes.includes(Buffer.from(needle, enc)), `${needle} (${enc}) in the index`).toBe(false);
      }
    }
  });

  it('refuses a wrong key and a foreign file clearly (exit 2)', () => {
    const { dir, root, subject, index } = setup();
    expect(runCli(['index', root, '--index', index]).code).toBe(0);
    const other = join(dir, 'other.db');
    expect(runCli(['index', join(root, 'hr'), '--index', other]).code).toBe(0);
    const wrong = runCli(['scan', root, '--subject', subject, '--index', index, '--key', `${other}.key`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('does not belong to the index');
    const foreign = join(dir, 'foreign.db');
    writeFileSync(foreign, 'SQLite format 3\u0000 but not really');
    writeFileSync(`${foreign}.key`, readFileSync(`${index}.key`));
    const bad = runCli(['scan', root, '--subject', subject, '--index', foreign]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a dsr index');
    const all = runCli(['scan', root, '--all', '--index', index]);
    expect(all.code).toBe(2);
  });

  /** Starts `dsr index` over 1,008 files and kills it once `ready(index)` holds; returns the setup. */
  async function killedIndexRun(ready: (index: string) => boolean) {
    const env = setup();
    for (let i = 0; i < 1000; i++)
      writeFileSync(join(env.root, `misc/bulk-${i}.txt`), `linje ${i} Karen Holm ${'x'.repeat(2000)}\n`);
    const child = spawn(process.execPath, [CLI, 'index', env.root, '--index', env.index], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    const deadline = Date.now() + 30_000;
    while (!ready(env.index) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    return env;
  }

  function expectUsableAfterKill({ dir, root, subject, index }: ReturnType<typeof setup>) {
    const rerun = runCli(['index', root, '--index', index]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/1008 files: \d+ read, \d+ unchanged/);
    runCli(['scan', root, '--subject', subject, '-o', join(dir, 'full.json')]);
    runCli(['scan', root, '--subject', subject, '--index', index, '-o', join(dir, 'fast.json')]);
    expect(comparable(scanFile(join(dir, 'fast.json')))).toEqual(
      comparable(scanFile(join(dir, 'full.json'))),
    );
  }

  it('survives being killed mid-run: the index stays usable and the next run completes', async () => {
    // Files are being written into the index once its write-ahead log has content.
    const env = await killedIndexRun(
      (index) => existsSync(`${index}-wal`) && statSync(`${index}-wal`).size > 0,
    );
    expectUsableAfterKill(env);
  });

  it('finishes a creation cut short before its key was written (empty index and key files)', () => {
    const env = setup();
    writeFileSync(env.index, '', { mode: 0o600 });
    writeFileSync(`${env.index}.key`, '', { mode: 0o600 });
    const run = runCli(['index', env.root, '--index', env.index]);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(`${env.index}.key`).size).toBeGreaterThan(0);
    expect(statSync(`${env.index}.key`).mode & 0o777).toBe(0o600);
    const out = join(env.dir, 'query.json');
    const query = runCli(['scan', env.root, '--subject', env.subject, '--index', env.index, '--out', out]);
    expect(query.code, query.stderr).toBe(0);
  });

  it('survives being killed while the index is created: the next run finishes it', async () => {
    const env = await killedIndexRun((index) => existsSync(index));
    expectUsableAfterKill(env);
    expect(statSync(env.index).mode & 0o777).toBe(0o600);
  });
});

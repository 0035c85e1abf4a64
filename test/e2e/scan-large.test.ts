/**
 * `dsr scan` end to end on big input: a 50 MB single-line file, and Ctrl-C in the middle of a scan.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, writeSubject } from '../helpers/cli.js';

const MiB = 1024 * 1024;
/** Generous: these tests move hundreds of MB, and a shared CI machine can be slow. */
const BIG_TIMEOUT = 180_000;
const work = mkdtempSync(join(tmpdir(), 'dsr-large-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Filler without digits, '@' or capitalised names: nothing in it can match a detector. */
function filler(size: number): Buffer {
  const buf = Buffer.alloc(size);
  const text = Buffer.from('lorem ipsum dolor sit amet consectetur adipiscing elit ');
  for (let i = 0; i < size; i += text.length) text.copy(buf, i, 0, Math.min(text.length, size - i));
  return buf;
}

/** The files under `dir` that process `pid` has open (Linux: /proc/PID/fd). */
function openFiles(pid: number, dir: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target.startsWith(`${dir}/`) ? [target] : [];
      } catch {
        return []; // closed meanwhile
      }
    });
  } catch {
    return [];
  }
}

interface Finding {
  detector: string;
  value: string;
  location: { offset: number; line: number; column: number; field: string };
}

describe('dsr scan: big input', () => {
  it(
    'finds identifiers at the start, across the 1 MiB chunk boundary and at the end of a 50 MB line',
    () => {
      const dir = join(work, 'big');
      mkdirSync(dir);
      const size = 50 * MiB;
      const buf = filler(size);
      const cprAt = 0;
      const emailAt = MiB - 5; // straddles the first chunk boundary
      const phoneAt = size - '+45 21 43 65 87'.length;
      buf.write('150387-1236 ', cprAt, 'latin1');
      buf.write(' soren.ostergard@example.dk ', emailAt - 1, 'latin1');
      buf.write(' +45 21 43 65 87', phoneAt - 1, 'latin1');
      writeFileSync(join(dir, 'one-line.txt'), buf);
      const subject = writeSubject(work);
      const out = join(work, 'big.scan.json');
      const r = runCli(['scan', dir, '--subject', subject, '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(out, 'utf8'));
      expect(s.stats.bytes).toBe(size);
      const found = (s.findings as Finding[]).map((f) => [
        f.detector,
        f.value,
        f.location.offset,
        f.location.line,
        f.location.column,
      ]);
      expect(found).toEqual([
        ['cpr', '150387-1236', cprAt, 1, cprAt + 1],
        ['email', 'soren.ostergard@example.dk', emailAt, 1, emailAt + 1],
        ['phone', '+4521436587', phoneAt, 1, phoneAt + 1],
      ]);
      expect(s.items).toHaveLength(1);
      expect(s.items[0].fingerprint.size).toBe(size);

      // On a terminal (a pseudo-TTY from util-linux `script`) the progress line shows counts, never values.
      const quoted = [
        process.execPath,
        CLI,
        'scan',
        dir,
        '--subject',
        subject,
        '--out',
        join(work, 'tty.scan.json'),
      ]
        .map((a) => `'${a}'`)
        .join(' ');
      const tty = spawnSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
      expect(tty.status, tty.stderr).toBe(0);
      const screen = tty.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      expect(screen).toMatch(/1\/1 files · 50 MB\/50 MB · 100% · [\d.]+ [KM]?B\/s · 3 findings · 0 errors/);
      expect(tty.stdout).not.toContain('150387-1236');
      expect(tty.stdout).not.toContain('soren.ostergard@example.dk');
      rmSync(dir, { recursive: true });
    },
    BIG_TIMEOUT,
  );

  it(
    'shares the raw pass of a huge text file among the workers: clean, with a hit deep inside, binary',
    () => {
      const dir = join(work, 'huge');
      mkdirSync(dir);
      const size = 70 * MiB;
      writeFileSync(join(dir, 'clean.log'), filler(size));
      const hit = filler(size);
      // Across the boundary of two 16 MiB ranges, 48 MiB into the file.
      const nameAt = 48 * MiB - 6;
      hit.write(' Søren Østergård ', nameAt - 1, 'utf8');
      writeFileSync(join(dir, 'hit.log'), hit);
      const binary = filler(size);
      binary.fill(0, 0, 4096);
      writeFileSync(join(dir, 'blob.dat'), binary);
      const subject = writeSubject(work);
      const out = join(work, 'huge.scan.json');
      const r = runCli(['scan', dir, '--subject', subject, '--out', out, '-j', '2']);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(out, 'utf8'));
      expect(s.stats).toMatchObject({ files: 3, items: 3, bytes: 3 * size, skipped: 1, errors: 0 });
      expect(
        s.skippedFiles.map((f: { path: string; reason: string }) => [f.path.split('/').pop(), f.reason]),
      ).toEqual([['blob.dat', 'binary']]);
      expect(s.scanned.map((p: string) => p.split('/').pop()).sort()).toEqual([
        'blob.dat',
        'clean.log',
        'hit.log',
      ]);
      const found = (s.findings as Finding[]).map((f) => [f.detector, f.location.offset, f.location.line]);
      expect(found).toEqual([['name', nameAt, 1]]);
      expect(
        s.items.map((i: { path: string; evidence: string }) => [i.path.split('/').pop(), i.evidence]),
      ).toEqual([['hit.log', 'possible']]);
      rmSync(dir, { recursive: true });
    },
    BIG_TIMEOUT,
  );

  it(
    'never shows a name or CPR number from a path on the terminal (progress and summary)',
    () => {
      const dir = join(work, 'named');
      mkdirSync(join(dir, 'Søren Østergård'), { recursive: true });
      writeFileSync(join(dir, 'Søren Østergård', '150387-1236.txt'), filler(20 * MiB));
      const subject = writeSubject(work);
      const cmd = [
        process.execPath,
        CLI,
        'scan',
        dir,
        '--subject',
        subject,
        '--out',
        join(work, 'named.scan.json'),
      ];
      const tty = spawnSync('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(tty.status, tty.stdout).toBe(0);
      const screen = tty.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      for (const raw of ['Søren', 'Østergård', '150387-1236', '150387 1236'])
        expect(screen).not.toContain(raw);
      // Shown masked in the summary, and (while reading it) in the progress view.
      expect(screen).toContain('S._Ø./1503XX-XXXX.txt');
      expect(screen.split('S._Ø.').length - 1).toBeGreaterThanOrEqual(2);
      rmSync(dir, { recursive: true });
    },
    BIG_TIMEOUT,
  );

  it(
    'on Ctrl-C stops, still writes the scan file (interrupted, mode 0600) and exits 3',
    async () => {
      const dir = join(work, 'many');
      mkdirSync(dir);
      const files = 24;
      const body = filler(8 * MiB);
      body.write(' CPR 150387-1236 ', 1000, 'latin1');
      for (let i = 0; i < files; i++)
        writeFileSync(join(dir, `part-${String(i).padStart(2, '0')}.txt`), body);
      const subject = writeSubject(work);
      const out = join(work, 'interrupted.scan.json');
      // A private temp folder, to see that the scan leaves no working files behind.
      const childTmp = mkdtempSync(join(work, 'tmp-'));
      const child = spawn(
        process.execPath,
        [CLI, 'scan', dir, '--subject', subject, '--out', out, '--concurrency', '1'],
        { env: { ...process.env, TMPDIR: childTmp }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      // One worker reads the files in turn: once a second one is open, the first has been scanned.
      const seenOpen = new Set<string>();
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && seenOpen.size < 2) {
        for (const f of openFiles(child.pid ?? 0, dir)) seenOpen.add(f);
        await new Promise((res) => setTimeout(res, 10));
      }
      await new Promise((res) => setTimeout(res, 300));
      child.kill('SIGINT');
      const code = await exited;
      expect(stderr).toContain('stopping');
      expect(code).toBe(3);
      expect(existsSync(out)).toBe(true);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const s = JSON.parse(readFileSync(out, 'utf8'));
      expect(s.interrupted).toBe(true);
      const seen = JSON.stringify({ stats: s.stats, errors: s.errors.slice(0, 3), stderr });
      expect(s.stats.files, seen).toBeGreaterThan(0);
      expect(s.stats.files).toBeLessThan(files);
      expect(s.scanned).toHaveLength(s.stats.files);
      expect(s.items.length).toBe(s.stats.files);
      expect(stdout).toContain('interrupted');
      expect(stdout).not.toContain('150387-1236');
      // The working files in the temp folder are cleaned up.
      expect(readdirSync(childTmp)).toEqual([]);
    },
    BIG_TIMEOUT,
  );
});

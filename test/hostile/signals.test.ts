import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * Ctrl-C (once, or twice quickly), SIGTERM, SIGHUP and the item time limit, at several moments of
 * every command that writes: afterwards nothing temporary is left in the run's TMPDIR, in the output
 * folder or beside a rewritten file, and a folder left by a `kill -9` is removed by the next run.
 */

type Signal = 'SIGINT' | 'SIGINT x2' | 'SIGTERM' | 'SIGHUP';
const SIGNALS: Signal[] = ['SIGINT', 'SIGINT x2', 'SIGTERM', 'SIGHUP'];

let base: string;
let tree: string;
let subject: string;
let scanFile: string;

/** A tree big enough to be mid-work: a gzip'ed SQL dump (inflated into a temp file) and many small files with the subject. */
function buildTree(dir: string): void {
  const rows = Array.from(
    { length: 600_000 },
    (_, i) => `INSERT INTO kunder VALUES (${i}, 'kunde${i}@example.dk', '${String(10_000_000 + i * 7)}');`,
  );
  rows[300_000] = "INSERT INTO kunder VALUES (0, 'soren.ostergard@example.dk', '150387-1236');";
  writeFileSync(join(dir, 'dump.sql.gz'), gzipSync(rows.join('\n'), { level: 1 }));
  mkdirSync(join(dir, 'notes'));
  for (let i = 0; i < 300; i++)
    writeFileSync(
      join(dir, 'notes', `note${i}.txt`),
      `Note ${i}\nSøren Kjærgaard Østergård, CPR 150387-1236, ring 21 43 65 87.\n${'Lorem ipsum dolor. '.repeat(200)}\n`,
    );
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'dsr-signals-'));
  tree = join(base, 'tree');
  mkdirSync(tree);
  buildTree(tree);
  subject = writeSubject(tempTree());
  scanFile = join(base, 'scan.json');
  const r = runCli(['scan', tree, '--subject', subject, '--out', scanFile, '--no-progress']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  tmp: string;
}

/** Starts the CLI with a TMPDIR of its own, signals it `afterMs` into its run, and waits for it to end. */
async function interrupt(args: string[], signal: Signal | undefined, afterMs: number): Promise<Run> {
  const tmp = mkdtempSync(join(base, 'tmp-'));
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: 'ignore',
  });
  const ended = new Promise<Run>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig, tmp })),
  );
  // dsr's run folder lives from when its signal handlers are in place until its `exit` event. A
  // signal after that meets a process tearing down, whose handlers Node has already let go: it
  // would test Node, not dsr. So a signal is only sent while the folder is there.
  const live = () => readdirSync(tmp).some((n) => n.startsWith('dsr-run-'));
  const send = (sig: NodeJS.Signals) => {
    if (live()) child.kill(sig);
  };
  if (signal) {
    // The moments count from when dsr has its handlers in place (it then makes its run folder).
    for (let i = 0; i < 1200 && !live(); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, afterMs));
    if (signal === 'SIGINT x2') {
      send('SIGINT');
      await new Promise((r) => setTimeout(r, 50));
      send('SIGINT');
    } else send(signal);
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const run = await ended;
  clearTimeout(killer);
  // Ended by dsr itself (an exit code), never by the signal's default action or the safety kill.
  expect(run.signal).toBeNull();
  return run;
}

/** Names under `dir` (recursively) that are temporary: hidden files, temp and spool suffixes, locks. */
function temporaries(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => {
    const name = p.split('/').pop()!;
    return (
      name.startsWith('.') ||
      /\.(tmp|spool|lock|part)$|_exiftool_tmp$|\.dsr-[0-9a-f]{8}/.test(name) ||
      /^dsr-/.test(name)
    );
  });
}

async function each(
  command: string,
  args: (out: string) => string[],
  moments: number[],
  check?: (out: string) => void,
): Promise<void> {
  const runs: (() => Promise<void>)[] = [];
  for (const signal of SIGNALS)
    for (const ms of moments)
      runs.push(async () => {
        const out = mkdtempSync(join(base, `${command}-out-`));
        const run = await interrupt(args(out), signal, ms);
        expect(readdirSync(run.tmp), `${command} ${signal} after ${ms} ms: TMPDIR`).toEqual([]);
        expect(temporaries(out), `${command} ${signal} after ${ms} ms: output folder`).toEqual([]);
        check?.(out);
      });
  // Two at a time: the machine has two cores, and each run must reach the moment it is signalled at.
  for (let i = 0; i < runs.length; i += 2) await Promise.all(runs.slice(i, i + 2).map((run) => run()));
}

/** An output file present after an interruption is whole (written atomically). */
function wholeJson(path: string): void {
  if (existsSync(path)) expect(() => JSON.parse(readFileSync(path, 'utf8'))).not.toThrow();
}

describe('signals leave nothing behind', () => {
  it('scan', async () => {
    await each(
      'scan',
      (out) => [
        'scan',
        tree,
        '--subject',
        subject,
        '--out',
        join(out, 'scan.json'),
        '--all',
        '--no-progress',
      ],
      [300, 1000],
      (out) => wholeJson(join(out, 'scan.json')),
    );
  }, 180_000);

  it('index', async () => {
    await each('index', (out) => ['index', tree, '--index', join(out, 'idx'), '--no-progress'], [300, 1000]);
  }, 180_000);

  it('report, export and plan', async () => {
    await each(
      'report',
      (out) => ['report', scanFile, '--format', 'html', '--out', join(out, 'report.html')],
      [0, 200],
    );
    await each('export', (out) => ['export', scanFile, '--out', join(out, 'export.zip')], [0, 300]);
    await each(
      'plan',
      (out) => ['plan', scanFile, '--out', join(out, 'plan.json')],
      [0, 200],
      (out) => wholeJson(join(out, 'plan.json')),
    );
  }, 180_000);

  it('erase: no temp file or lock beside a rewritten file or the plan', async () => {
    // A tree of its own, rewritten by the runs one after another (each goes on where the last stopped).
    const own = join(base, 'erase-tree');
    cpSync(tree, own, { recursive: true });
    const scan = join(base, 'erase-scan.json');
    expect(runCli(['scan', own, '--subject', subject, '--out', scan, '--no-progress']).code).toBe(0);
    const planDir = mkdtempSync(join(base, 'plan-'));
    const plan = join(planDir, 'plan.json');
    expect(runCli(['plan', scan, '--out', plan, '--approve', '--approved-by', 'DPO']).code).toBe(0);
    for (const signal of SIGNALS)
      for (const ms of [300, 1000]) {
        const run = await interrupt(['erase', plan, '--execute'], signal, ms);
        expect(readdirSync(run.tmp), `erase ${signal} after ${ms} ms: TMPDIR`).toEqual([]);
        expect(temporaries(own), `erase ${signal} after ${ms} ms: beside rewritten files`).toEqual([]);
        expect(temporaries(planDir), `erase ${signal} after ${ms} ms: beside the plan`).toEqual([]);
      }
  }, 240_000);

  it('the item time limit: the temp file of an item stopped at --timeout goes with it', async () => {
    const out = mkdtempSync(join(base, 'timeout-out-'));
    const run = await interrupt(
      ['scan', tree, '--subject', subject, '--out', join(out, 'scan.json'), '--timeout', '1', '-j', '1'],
      undefined,
      0,
    );
    expect(run.code).not.toBeNull();
    expect(readdirSync(run.tmp)).toEqual([]);
    expect(temporaries(out)).toEqual([]);
  }, 120_000);

  it('a run killed with SIGKILL leaves its folder; the next run removes it', async () => {
    const tmp = mkdtempSync(join(base, 'tmp-'));
    const out = mkdtempSync(join(base, 'kill-out-'));
    const child = spawn(
      process.execPath,
      [CLI, 'scan', tree, '--subject', subject, '--out', join(out, 'scan.json'), '--all'],
      { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' },
    );
    const ended = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 600 && !readdirSync(tmp).some((n) => n.startsWith('dsr-run-')); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await ended;
    const left = readdirSync(tmp);
    expect(left).toEqual([expect.stringMatching(/^dsr-run-\d+-/)]);
    // Any later command of the same user clears it (a live run's folder is kept: see the concurrent run below).
    const other = spawn(
      process.execPath,
      [CLI, 'scan', tree, '--subject', subject, '--out', join(out, 'b.json')],
      {
        env: { ...process.env, TMPDIR: tmp },
        stdio: 'ignore',
      },
    );
    const otherEnded = new Promise((resolve) => other.on('exit', resolve));
    const r = runCli(['plan', scanFile, '--out', join(out, 'plan.json')], {
      env: { ...process.env, TMPDIR: tmp },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(tmp)).not.toContain(left[0]);
    await otherEnded;
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});

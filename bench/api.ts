/**
 * What every bench part shares: where corpora live, how a child process is timed and its peak memory
 * measured, and how a result line is printed. A part (`bench/<area>.ts`) builds its own corpus and
 * reports rows through these helpers, so all figures in one run are comparable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/bench/api.js -> <project> */
export const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const DSR = join(PROJECT, 'dist/cli/main.js');
/** Generated corpora and scan files (gitignored); reused between runs. */
export const BENCH_DIR = join(PROJECT, '.bench');

export interface BenchContext {
  /** Approximate corpus size asked for with `--size MB`. */
  sizeMb: number;
  benchDir: string;
  /** ripgrep on PATH, or undefined. */
  rg?: string;
  log(line: string): void;
}

export interface BenchPart {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface Measured {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the child in KiB (GNU time's %M, else VmHWM polled from /proc). */
  peakRssKb?: number;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const RSS_MARK = 'DSR_BENCH_MAXRSS_KB=';

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : undefined;
}

function hasGnuTime(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['-f', `${RSS_MARK}%M`, 'true'], { encoding: 'utf8' });
  return r.status === 0 && r.stderr.includes(RSS_MARK);
}

/** Runs a command to completion, measuring wall time and the child's peak RSS. */
export async function measure(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<Measured> {
  const viaTime = hasGnuTime();
  const [file, argv] = viaTime ? [GNU_TIME, ['-f', `${RSS_MARK}%M`, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    // Keep only the tail: rg may print many lines, the parts read a summary or counts at the end.
    stdout = (stdout + d).slice(-1_000_000);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-100_000);
  });
  let polled = 0;
  const poll = viaTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polled = Math.max(polled, Number(m[1]));
        } catch {
          // the process has ended
        }
      }, 50);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  if (poll) clearInterval(poll);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakRssKb: number | undefined = polled || undefined;
  if (viaTime) {
    const i = stderr.lastIndexOf(RSS_MARK);
    if (i !== -1) {
      peakRssKb = Number.parseInt(stderr.slice(i + RSS_MARK.length), 10);
      stderr = stderr.slice(0, i);
    }
  }
  return { code, wallMs, peakRssKb, stdout, stderr };
}

export interface Throughput {
  label: string;
  files: number;
  bytes: number;
  m: Measured;
}

export function mbPerSec(t: Throughput): number {
  return t.bytes / 1024 / 1024 / (t.m.wallMs / 1000);
}

/** One aligned result line: label, wall time, MB/s, files/s, peak RSS. */
export function formatRow(t: Throughput): string {
  const secs = t.m.wallMs / 1000;
  const rss = t.m.peakRssKb ? `${Math.round(t.m.peakRssKb / 1024)} MB` : 'n/a';
  return `${t.label.padEnd(28)} ${secs.toFixed(2).padStart(7)} s ${mbPerSec(t).toFixed(1).padStart(7)} MB/s ${(t.files / secs).toFixed(0).padStart(7)} files/s   peak RSS ${rss}`;
}

/** The findings of two scan files, compared on what a reviewer sees (ids, times and order aside). */
export function sameFindings(a: string, b: string): boolean {
  const facts = (path: string) =>
    (JSON.parse(readFileSync(path, 'utf8')).findings as Record<string, unknown>[])
      .map((f) =>
        JSON.stringify([f.path, f.itemPath, f.detector, f.value, f.location, f.context, f.evidence]),
      )
      .sort();
  return JSON.stringify(facts(a)) === JSON.stringify(facts(b));
}

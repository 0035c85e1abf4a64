/**
 * Bench part `cluster`: four `dsr agent` processes on this machine, each with a quarter of a text
 * corpus as its root, answering one `dsr scan --db` against a private PostgreSQL, beside one local
 * `dsr scan` of the same four roots: the throughput ratio (coordination must cost little), the
 * coordinator's peak RSS, and a check that both found the same. Under a shared machine's load a single
 * pair of runs swings widely, so the two are interleaved over several rounds (alternating which goes
 * first) and the median ratio is reported beside the load average; the agents start before timing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasPostgres, startPostgres } from '../test/helpers/postgres.js';
import {
  type BenchPart,
  DSR,
  formatRow,
  type Measured,
  measure,
  sameFindings,
  type Throughput,
} from './api.js';
import { BENCH_SUBJECT, CORPUS_VERSION, type CorpusManifest, generateTextCorpus } from './text-corpus.js';

const AGENTS = 4;

function quarter(
  benchDir: string,
  sizeMb: number,
  i: number,
  log: (l: string) => void,
): CorpusManifest & { dir: string } {
  const per = Math.max(1, Math.round(sizeMb / AGENTS));
  const dir = join(benchDir, `cluster-${per}mb-${i}`);
  const manifestPath = `${dir}.manifest.json`;
  if (existsSync(manifestPath) && existsSync(dir)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as CorpusManifest;
    if (m.version === CORPUS_VERSION) return { ...m, dir };
  }
  log(`corpus: generating ~${per} MB in ${dir} …`);
  const m = generateTextCorpus(dir, per);
  writeFileSync(manifestPath, JSON.stringify(m, null, 2));
  return { ...m, dir };
}

interface BenchAgent {
  proc: ChildProcess;
  /** Everything it wrote to stderr so far (one line per job: "job ID: done in N ms"). */
  stderr(): string;
}

function startAgent(url: string, name: string, root: string, keyDir: string): Promise<BenchAgent> {
  const proc = spawn(
    process.execPath,
    [DSR, 'agent', '--db', url, '--name', name, '--key', join(keyDir, `${name}.key`), '-j', '1', root],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += String(d);
      if (err.includes('waiting for jobs')) resolve({ proc, stderr: () => err });
    });
    proc.on('exit', (code) => reject(new Error(`agent ${name} exited (${code}): ${err}`)));
  });
}

/** The longest job the agents report in `text` (their stderr since the run began), in ms. */
function longestJobMs(texts: string[]): number {
  let longest = 0;
  for (const t of texts)
    for (const m of t.matchAll(/: done in (\d+) ms/g)) longest = Math.max(longest, Number(m[1]));
  return longest;
}

function uptime(): string {
  return spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Rounds of (local scan, cluster scan), in alternating order: both see the same load. */
const ROUNDS = Number(process.env.DSR_BENCH_ROUNDS ?? 3);

const cluster: BenchPart = {
  name: 'cluster',
  description: `${AGENTS} agents on this machine through PostgreSQL vs one local scan of the same roots`,
  async run({ sizeMb, benchDir, log }) {
    if (!hasPostgres()) {
      log('PostgreSQL (Debian postgresql) not installed: no cluster figures');
      return;
    }
    const parts = Array.from({ length: AGENTS }, (_, i) => quarter(benchDir, sizeMb, i, log));
    const roots = parts.map((p) => p.dir);
    const files = parts.reduce((n, p) => n + p.files, 0);
    const bytes = parts.reduce((n, p) => n + p.bytes, 0);
    const outDir = join(benchDir, 'out');
    mkdirSync(outDir, { recursive: true });
    const subject = join(outDir, 'cluster-subject.json');
    writeFileSync(subject, JSON.stringify(BENCH_SUBJECT));
    const localOut = join(outDir, 'cluster-local.scan.json');
    const clusterOut = join(outDir, 'cluster-agents.scan.json');
    log(`load: ${uptime()}`);
    const pg = await startPostgres();
    const agents: BenchAgent[] = [];
    try {
      const startAt = Date.now();
      // Side by side, as hosts start: each one's start-up (node, connecting, pg-boss, its queue).
      agents.push(
        ...(await Promise.all(roots.map((root, i) => startAgent(pg.url, `bench-${i + 1}`, root, pg.dir)))),
      );
      log(
        `${AGENTS} agents started and registered in ${((Date.now() - startAt) / 1000).toFixed(2)} s (not counted below)`,
      );
      const local = async () => {
        const m = await measure(process.execPath, [
          DSR,
          'scan',
          ...roots,
          '--subject',
          subject,
          '--out',
          localOut,
          '--force',
          '--no-progress',
        ]);
        if (m.code !== 0) throw new Error(`local scan failed (${m.code}): ${m.stderr.slice(-2000)}`);
        return m;
      };
      const viaAgents = async () => {
        const before = agents.map((a) => a.stderr().length);
        const m = await measure(process.execPath, [
          DSR,
          'scan',
          '--db',
          pg.url,
          '--subject',
          subject,
          '--out',
          clusterOut,
          '--force',
        ]);
        if (m.code !== 0) throw new Error(`scan --db failed (${m.code}): ${m.stderr.slice(-2000)}`);
        return { m, longestJobMs: longestJobMs(agents.map((a, i) => a.stderr().slice(before[i]))) };
      };
      const ratios: number[] = [];
      const overheads: number[] = [];
      const starts: number[] = [];
      let peakRssKb = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        let l: Measured;
        let c: Awaited<ReturnType<typeof viaAgents>>;
        if (round % 2) {
          l = await local();
          c = await viaAgents();
        } else {
          c = await viaAgents();
          l = await local();
        }
        const rows: Throughput[] = [
          { label: `#${round} dsr scan (local, 4 roots)`, files, bytes, m: l },
          { label: `#${round} dsr scan --db (${AGENTS} agents)`, files, bytes, m: c.m },
        ];
        for (const r of rows) log(formatRow(r));
        // The CLI's own start under the same load: a part of every run, local or not.
        const start = await measure(process.execPath, [DSR, '--version']);
        const ratio = l.wallMs / c.m.wallMs;
        // What the cluster run spent beyond its longest job: start, queueing, wake-ups, sealing, merge.
        const overhead = c.m.wallMs - c.longestJobMs;
        ratios.push(ratio);
        overheads.push(overhead);
        starts.push(start.wallMs);
        peakRssKb = Math.max(peakRssKb, c.m.peakRssKb ?? 0);
        log(
          `   ratio ${ratio.toFixed(2)}x; longest agent job ${(c.longestJobMs / 1000).toFixed(2)} s, coordination ${(overhead / 1000).toFixed(2)} s (dsr --version alone ${(start.wallMs / 1000).toFixed(2)} s); ${uptime()}`,
        );
      }
      log('');
      log(
        `cluster: median ${median(ratios).toFixed(2)}x the local scan's throughput over ${ROUNDS} interleaved rounds ` +
          `(${ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 0.8); median coordination ${(median(overheads) / 1000).toFixed(2)} s (dsr --version alone: ${(median(starts) / 1000).toFixed(2)} s); ` +
          `coordinator peak RSS ${peakRssKb ? `${Math.round(peakRssKb / 1024)} MB` : 'n/a'}; ` +
          `findings ${sameFindings(localOut, clusterOut) ? 'identical' : 'DIFFERENT'}`,
      );
    } finally {
      for (const a of agents) a.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      await pg.stop();
    }
  },
};

export default cluster;

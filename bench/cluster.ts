/**
 * Bench part `cluster`: four `dsr agent` processes on this machine, each with a quarter of a text
 * corpus as its root, answering one `dsr scan --db` against a private PostgreSQL, beside one local
 * `dsr scan` of the same four roots: the throughput ratio (coordination must cost little), the
 * coordinator's peak RSS, and a check that both found the same.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasPostgres, startPostgres } from '../test/helpers/postgres.js';
import { type BenchPart, DSR, formatRow, mbPerSec, measure, sameFindings, type Throughput } from './api.js';
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

function startAgent(url: string, name: string, root: string, keyDir: string): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    [DSR, 'agent', '--db', url, '--name', name, '--key', join(keyDir, `${name}.key`), '-j', '1', root],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += String(d);
      if (err.includes('waiting for jobs')) resolve(proc);
    });
    proc.on('exit', (code) => reject(new Error(`agent ${name} exited (${code}): ${err}`)));
  });
}

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
    const local = await measure(process.execPath, [
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
    if (local.code !== 0) throw new Error(`local scan failed (${local.code}): ${local.stderr.slice(-2000)}`);
    const pg = await startPostgres();
    const agents: ChildProcess[] = [];
    try {
      for (const [i, root] of roots.entries())
        agents.push(await startAgent(pg.url, `bench-${i + 1}`, root, pg.dir));
      const clusterOut = join(outDir, 'cluster-agents.scan.json');
      const coordinator = await measure(process.execPath, [
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
      if (coordinator.code !== 0)
        throw new Error(`scan --db failed (${coordinator.code}): ${coordinator.stderr.slice(-2000)}`);
      const rows: Throughput[] = [
        { label: 'dsr scan (local, 4 roots)', files, bytes, m: local },
        { label: `dsr scan --db (${AGENTS} agents, -j 1)`, files, bytes, m: coordinator },
      ];
      for (const r of rows) log(formatRow(r));
      log('');
      log(
        `cluster: ${(mbPerSec(rows[1]) / mbPerSec(rows[0])).toFixed(2)}x the local scan's throughput (target >= 0.8); ` +
          `coordinator peak RSS ${coordinator.peakRssKb ? `${Math.round(coordinator.peakRssKb / 1024)} MB` : 'n/a'}; ` +
          `findings ${sameFindings(localOut, clusterOut) ? 'identical' : 'DIFFERENT'}`,
      );
    } finally {
      for (const a of agents) a.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      await pg.stop();
    }
  },
};

export default cluster;

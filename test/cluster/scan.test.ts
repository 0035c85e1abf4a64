import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { CLI, runCli, writeSubject } from '../helpers/cli.js';
import {
  type Agent,
  findingKey,
  HOST_TREE_VALUES,
  hostTree,
  itemKey,
  startAgent,
} from '../helpers/cluster.js';
import { readJson } from '../helpers/erase.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let pg: Postgres;
let work: string;
let subject: string;
const agents: Agent[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-'));
  subject = writeSubject(work);
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await pg?.stop();
});

function localScan(roots: string[], out: string): ScanFile {
  const r = runCli(['scan', ...roots, '--subject', subject, '--out', out, '-j', '1']);
  if (r.code !== 0 && r.code !== 3) throw new Error(`local scan failed (${r.code}): ${r.stderr}`);
  return readJson<ScanFile>(out);
}

/** `dsr scan --db` in the background (the test may kill agents meanwhile). */
function clusterScan(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'scan', '--db', pg.url, '--subject', subject, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectSameFindings(cluster: ScanFile, local: ScanFile): void {
  expect(local.findings.length).toBeGreaterThan(0);
  expect(cluster.findings.map(findingKey).sort()).toEqual(local.findings.map(findingKey).sort());
  expect(cluster.items.map(itemKey).sort()).toEqual(local.items.map(itemKey).sort());
  expect(new Set(cluster.findings.map((f) => f.id)).size).toBe(cluster.findings.length);
}

describe('dsr scan --db through agents', () => {
  const roots: Record<string, string> = {};

  it('four agents find exactly what a local scan of the same roots finds, each finding marked with its host', async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta'];
    for (const [n, name] of names.entries()) roots[name] = hostTree(name, { folders: 3, documents: n === 0 });
    for (const name of names) agents.push(startAgent(pg.url, name, [roots[name]], { keyDir: work }));
    for (const a of agents) await a.waitFor('waiting for jobs');
    const out = join(work, 'cluster.json');
    const r = await clusterScan(['--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const cluster = readJson<ScanFile>(out);
    const local = localScan(Object.values(roots), join(work, 'local.json'));
    expectSameFindings(cluster, local);
    for (const f of cluster.findings) expect(f.path.startsWith(roots[f.host!])).toBe(true);
    for (const e of cluster.errors) expect(e.host).toBeDefined();
    expect(cluster.hosts?.map((h) => [h.name, h.roots, h.answered])).toEqual(
      names.map((n) => [n, [roots[n]], true]),
    );
    expect(cluster.stats.files).toBe(local.stats.files);
    // The agents split their roots: more jobs than roots ran.
    const jobs = agents.map((a) => (a.stderr().match(/: done in/g) ?? []).length);
    expect(jobs.reduce((a, b) => a + b, 0)).toBeGreaterThan(names.length);
    // review, report and plan read it unchanged.
    expect(runCli(['report', out, '--format', 'json', '--out', join(work, 'report.json')]).code).toBe(0);
  });

  it('an agent keeps a root of few files in one job (it splits only roots above --split-above)', async () => {
    const root = hostTree('golf', { folders: 3 });
    const g = startAgent(pg.url, 'golf', [root], { keyDir: work, splitAbove: 'default' });
    agents.push(g);
    await g.waitFor('waiting for jobs');
    const out = join(work, 'golf.json');
    const r = await clusterScan(['--out', out, '--agent', 'golf']);
    expect(r.code, r.stderr).toBe(0);
    expectSameFindings(readJson<ScanFile>(out), localScan([root], join(work, 'golf-local.json')));
    await g.waitFor(/: done in/);
    expect((g.stderr().match(/: done in/g) ?? []).length).toBe(1);
    expect(g.stderr()).not.toMatch(/folders queued/);
  });

  it('the database holds no identifier, context, file name or path of the scan (pg_dump)', () => {
    const dump = pg.dump();
    const values = [...HOST_TREE_VALUES, 'alpha-notes', ...Object.values(roots), work];
    expect(dump).toContain('dsr-agent-alpha');
    for (const v of values) expect(dump.includes(v), v).toBe(false);
  });

  it('an agent killed (kill -9) in the middle of a job loses and duplicates nothing once it restarts', async () => {
    const root = hostTree('echo', { folders: 8 });
    const first = startAgent(pg.url, 'echo', [root], {
      keyDir: work,
      env: { DSR_TEST_AGENT_PAUSE_AT_JOB: '3' },
    });
    agents.push(first);
    await first.waitFor('waiting for jobs');
    const out = join(work, 'killed.json');
    const scan = clusterScan(['--out', out, '--agent', 'echo']);
    await first.waitFor('dsr-test-paused job 3');
    await first.kill();
    const second = startAgent(pg.url, 'echo', [root], { keyDir: work });
    agents.push(second);
    const r = await scan;
    expect(r.code, r.stderr).toBe(0);
    const cluster = readJson<ScanFile>(out);
    const local = localScan([root], join(work, 'killed-local.json'));
    expectSameFindings(cluster, local);
    expect(second.stderr()).toMatch(/: done in/);
  });

  it('an agent that does not answer within --wait is named in the summary and the scan file, exit 3', async () => {
    const root = hostTree('foxtrot');
    const f = startAgent(pg.url, 'foxtrot', [root], { keyDir: work });
    await f.waitFor('waiting for jobs');
    await f.stop();
    const out = join(work, 'silent.json');
    const r = await clusterScan(['--out', out, '--agent', 'foxtrot', '--agent', 'alpha', '--wait', '3']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/not answering within 3 s: foxtrot/);
    const scan = readJson<ScanFile>(out);
    expect(scan.hosts?.find((h) => h.name === 'foxtrot')?.answered).toBe(false);
    expect(scan.hosts?.find((h) => h.name === 'alpha')?.answered).toBe(true);
    expect(scan.errors.some((e) => e.host === 'foxtrot' && e.kind === 'timeout')).toBe(true);
    expect(scan.findings.some((x) => x.host === 'alpha')).toBe(true);
  });

  it('refuses roots with --db, and an unknown agent, exit 2', () => {
    expect(runCli(['scan', '--db', pg.url, '--subject', subject, work]).code).toBe(2);
    const r = runCli([
      'scan',
      '--db',
      pg.url,
      '--subject',
      subject,
      '--agent',
      'nobody',
      '-o',
      join(work, 'x.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no agent named nobody/);
  });
});

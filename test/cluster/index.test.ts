import { appendFileSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { loadKey } from '../../src/index/keys.js';
import { runCli, writeSubject } from '../helpers/cli.js';
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

let server: Postgres;
let work: string;
let subject: string;
let keyFile: string;
const agents: Agent[] = [];
const clients: pg.Client[] = [];
const roots: Record<string, string> = {};
const urls: Record<string, string> = {};
const NAMES = ['ia', 'ib', 'ic'];
const WHOLE_SECOND = 1_700_000_000;

beforeAll(async () => {
  server = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-index-'));
  subject = writeSubject(work);
  keyFile = join(work, 'shared-index.key');
  // Each agent with its own restricted role, as in production (dsr agent-role).
  for (const name of NAMES) {
    const r = runCli(['agent-role', '--db', server.url, '--name', name]);
    expect(r.code, r.stderr).toBe(0);
    urls[name] = r.stdout.trim();
    roots[name] = hostTree(name, { folders: 3 });
    // A whole second, which utimes can set again exactly (see the test of unchanged files).
    utimesSync(join(roots[name], 'hr/others/peter.txt'), WHOLE_SECOND, WHOLE_SECOND);
    agents.push(startAgent(urls[name], name, [roots[name]], { keyDir: work }));
  }
  for (const a of agents) await a.waitFor('waiting for jobs');
}, 180_000);

afterAll(async () => {
  for (const a of agents) await a.kill();
  for (const c of clients) await c.end().catch(() => {});
  await server?.stop();
});

function scan(name: string, extra: string[]): ScanFile {
  const out = join(work, `${name}.json`);
  const r = runCli(['scan', '--db', server.url, '--subject', subject, '--out', out, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return readJson<ScanFile>(out);
}

function expectSameFindings(indexed: ScanFile, full: ScanFile): void {
  expect(full.findings.length).toBeGreaterThan(0);
  expect(indexed.findings.map(findingKey).sort()).toEqual(full.findings.map(findingKey).sort());
  expect(indexed.findings.map((f) => f.host).sort()).toEqual(full.findings.map((f) => f.host).sort());
  expect(indexed.items.map(itemKey).sort()).toEqual(full.items.map(itemKey).sort());
  expect(indexed.stats.files).toBe(full.stats.files);
}

describe('the shared index in PostgreSQL (dsr index --db, dsr scan --db --index)', () => {
  it('scan --db --index finds exactly what scan --db finds on three agents’ roots', () => {
    const built = runCli(['index', '--db', server.url, '--key', keyFile]);
    expect(built.code, built.stdout + built.stderr).toBe(0);
    expect(built.stdout).toMatch(/agents: 3 answered \(ia, ib, ic\)/);
    expect(built.stdout).toMatch(/(\d+) files: \1 read, 0 unchanged/);
    const indexed = scan('indexed', ['--index', '--key', keyFile]);
    const full = scan('full', []);
    expectSameFindings(indexed, full);
    // A second run reads nothing again.
    const again = runCli(['index', '--db', server.url, '--key', keyFile]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/(\d+) files: 0 read, \1 unchanged/);
  }, 240_000);

  it('a file changed after indexing, and one added, are still found', () => {
    appendFileSync(join(roots.ib, 'shared/empty-notes.txt'), 'Ring til Søren Østergård, CPR 150387-1236.\n');
    writeFileSync(
      join(roots.ic, 'new-after-index.txt'),
      'Søren Kjærgaard Østergård, soren.ostergard@example.dk\n',
    );
    const indexed = scan('indexed-changed', ['--index', '--key', keyFile]);
    const full = scan('full-changed', []);
    expectSameFindings(indexed, full);
    expect(indexed.findings.some((f) => f.host === 'ib' && f.path.endsWith('empty-notes.txt'))).toBe(true);
    expect(indexed.findings.some((f) => f.host === 'ic' && f.path.endsWith('new-after-index.txt'))).toBe(
      true,
    );
  }, 240_000);

  it('answers an unchanged file from the index without reading it (same size, mtime and inode)', () => {
    // Peter's CPR becomes the subject's in place, the fingerprint kept: only a read would see it.
    const file = join(roots.ia, 'hr/others/peter.txt');
    const { ino } = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('010203-1234', '150387-1236'));
    utimesSync(file, WHOLE_SECOND, WHOLE_SECOND);
    expect(statSync(file)).toMatchObject({ ino, mtimeMs: WHOLE_SECOND * 1000 });
    const at = (s: ScanFile) => s.findings.filter((f) => f.path === file);
    expect(at(scan('full-peter', [])).length).toBeGreaterThan(0);
    expect(at(scan('indexed-peter', ['--index', '--key', keyFile]))).toEqual([]);
  }, 240_000);

  it('the database holds no identifier, path or index key (pg_dump)', async () => {
    const dump = server.dump();
    expect(dump).toContain('index_token');
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { key: string };
    const derived = await loadKey(keyFile);
    const values = [
      ...HOST_TREE_VALUES,
      'empty-notes',
      'ia-notes',
      ...Object.values(roots),
      work,
      key.key,
      Buffer.from(key.key, 'base64').toString('hex'),
      derived.macKey.toString('base64'),
      derived.macKey.toString('hex'),
      derived.encKey.toString('base64'),
      derived.encKey.toString('hex'),
    ];
    for (const v of values) expect(dump.includes(v), v).toBe(false);
  });

  it("an agent's role reads and writes only its own host's index rows", async () => {
    const owner = new pg.Client({ connectionString: server.url });
    await owner.connect();
    clients.push(owner);
    const a = new pg.Client({ connectionString: urls.ia });
    await a.connect();
    clients.push(a);
    const count = async (c: pg.Client, sql: string) => Number((await c.query(sql)).rows[0].n);
    for (const table of ['dsr.index_file', 'dsr.index_token']) {
      expect(await count(owner, `SELECT count(*) AS n FROM ${table} WHERE host <> 'ia'`)).toBeGreaterThan(0);
      expect(await count(a, `SELECT count(*) AS n FROM ${table} WHERE host <> 'ia'`)).toBe(0);
      expect(await count(a, `SELECT count(*) AS n FROM ${table} WHERE host = 'ia'`)).toBeGreaterThan(0);
      expect((await a.query(`DELETE FROM ${table} WHERE host = 'ib'`)).rowCount).toBe(0);
    }
    expect((await a.query("UPDATE dsr.index_file SET size = 0 WHERE host = 'ib'")).rowCount).toBe(0);
    await expect(
      a.query(
        `INSERT INTO dsr.index_file (host, path_mac, path_sealed, size, mtime_ms, ino, outcome_sealed, indexed_at)
         VALUES ('ib', '\\x00', '\\x00', 0, 0, 0, '\\x00', 'now')`,
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(a.query('SELECT value FROM dsr.index_meta')).rejects.toThrow(/permission denied/);
  });

  it('refuses a key the shared index was not built with, and --index FILE with --db (exit 2)', async () => {
    const other = join(work, 'other.key');
    expect(runCli(['index', '--index', join(work, 'x.idx'), '--key', other, work]).code).toBe(0);
    const wrong = runCli([
      'scan',
      '--db',
      server.url,
      '--subject',
      subject,
      '--index',
      '--key',
      other,
      '-o',
      join(work, 'w.json'),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/does not belong to the shared index/);
    const file = runCli([
      'scan',
      '--db',
      server.url,
      '--subject',
      subject,
      '--index',
      join(work, 'x.idx'),
      '-o',
      join(work, 'f.json'),
    ]);
    expect(file.code).toBe(2);
    const roots = runCli(['index', '--db', server.url, '--key', keyFile, work]);
    expect(roots.code).toBe(2);
    expect(roots.stderr).toMatch(/takes no roots/);
    const noIndex = runCli(['index', work]);
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toMatch(/--index FILE is missing/);
  });
});

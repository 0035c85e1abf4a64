import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNKS_IN_FLIGHT } from '../../src/cluster/export.js';
import type { ExportManifest } from '../../src/core/schemas/export.js';
import type { ScanFile } from '../../src/core/types.js';
import { CLI, runCli, writeSubject } from '../helpers/cli.js';
import { type Agent, HOST_TREE_VALUES, hostTree, startAgent } from '../helpers/cluster.js';
import { readJson } from '../helpers/erase.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let pg: Postgres;
let work: string;
let subject: string;
const agents: Agent[] = [];
const roots: Record<string, string> = {};
const HOSTS = ['north', 'south', 'west'];
/** A copy bigger than the pieces an agent may have waiting in the database at once. */
const BIG_BYTES = CHUNK_BYTES * (CHUNKS_IN_FLIGHT + 2) + 12345;

beforeAll(async () => {
  pg = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-export-'));
  subject = writeSubject(work);
  for (const h of HOSTS) roots[h] = hostTree(h);
  const filler = 'A line about the weather, the budget and the canteen menu.\n';
  writeFileSync(
    join(roots.north, 'big-log.txt'),
    `Søren Kjærgaard Østergård, CPR 150387-1236\n${filler.repeat(Math.ceil(BIG_BYTES / filler.length))}`,
  );
  for (const h of HOSTS) agents.push(startAgent(pg.url, h, [roots[h]], { keyDir: work }));
  for (const a of agents) await a.waitFor('waiting for jobs');
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await pg?.stop();
});

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function clusterScan(out: string, extra: string[] = []): ScanFile {
  const r = cli(['scan', '--db', pg.url, '--subject', subject, '--out', out, '--force', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return readJson<ScanFile>(out);
}

function unzip(path: string): { files: Record<string, Uint8Array>; manifest: ExportManifest } {
  const files = unzipSync(readFileSync(path));
  return {
    files,
    manifest: JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')) as ExportManifest,
  };
}

/** What each copy is, whatever its number in the zip: its content hash, kind of copy and masking. */
function entries(m: ExportManifest): string[] {
  return m.items.map((i) => `${i.sha256} ${i.copy} ${JSON.stringify(i.masked)} ${i.sourceSha256}`).sort();
}

describe('dsr export --db through the agents that hold the items', () => {
  let scanPath: string;
  beforeAll(() => {
    scanPath = join(work, 'scan.json');
    clusterScan(scanPath);
  });

  it("holds the same copies as local exports of each host's root, with host in the manifest", () => {
    const zip = join(work, 'export.zip');
    const r = cli(['export', scanPath, '--db', pg.url, '--out', zip, '--include-possible']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statSync(zip).mode & 0o077).toBe(0);
    const { files, manifest } = unzip(zip);
    expect(manifest.notExported).toEqual([]);
    expect(new Set(manifest.items.map((i) => i.host))).toEqual(new Set(HOSTS));
    for (const i of manifest.items) expect(files[i.file]?.length, i.file).toBe(i.size);
    const big = manifest.items.find((i) => i.original.path.endsWith('big-log.txt'));
    expect(big?.size).toBeGreaterThan(BIG_BYTES);
    expect(big?.host).toBe('north');
    // Some copies are masked (others' identifiers), as a local export masks them.
    expect(manifest.items.some((i) => i.copy === 'masked')).toBe(true);

    const local: string[] = [];
    for (const h of HOSTS) {
      const scan = join(work, `local-${h}.json`);
      expect(runCli(['scan', roots[h], '--subject', subject, '--out', scan]).code).toBe(0);
      const out = join(work, `local-${h}.zip`);
      const e = runCli(['export', scan, '--out', out, '--include-possible']);
      expect(e.code, e.stderr).toBe(0);
      local.push(...entries(unzip(out).manifest));
    }
    expect(entries(manifest)).toEqual(local.sort());
  }, 180_000);

  it('--unredacted passes through with its warning and manifest flag: raw copies', () => {
    const zip = join(work, 'raw.zip');
    const r = cli(['export', scanPath, '--db', pg.url, '--out', zip, '--include-possible', '--unredacted']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--unredacted/);
    const { manifest } = unzip(zip);
    expect(manifest.unredacted).toBe(true);
    expect(manifest.items.length).toBeGreaterThan(0);
    expect(manifest.items.every((i) => i.copy === 'raw' && i.sha256 === i.sourceSha256)).toBe(true);
  });

  it('an item changed after the scan is left out, with the reason and its host; exit 3', () => {
    const own = join(work, 'changed-scan.json');
    clusterScan(own);
    const changed = join(roots.south, 'south-notes.txt');
    appendFileSync(changed, 'Added after the scan.\n');
    const zip = join(work, 'changed.zip');
    const r = cli(['export', own, '--db', pg.url, '--out', zip]);
    expect(r.code, r.stderr).toBe(3);
    const { manifest } = unzip(zip);
    const left = manifest.notExported.find((n) => n.original.path === changed);
    expect(left).toMatchObject({ reason: 'changed', host: 'south' });
    expect(left?.message).toMatch(/size/);
    expect(manifest.items.some((i) => i.original.path === changed)).toBe(false);
    expect(manifest.items.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/south:/);
  });

  it("an item path outside the agent's roots is refused by the agent, never read", () => {
    const scan = readJson<ScanFile>(scanPath);
    // The scan file says north holds a file that is in fact under south's root.
    const victim = scan.items.find((i) => i.host === 'north' && i.path.endsWith('north-notes.txt'))!;
    const outside = join(roots.south, 'hr/others/peter.txt');
    const moved = <T extends { path: string; host?: string }>(p: T): T =>
      p.host === 'north' && p.path === victim.path ? { ...p, path: outside } : p;
    const forged: ScanFile = { ...scan, items: scan.items.map(moved), findings: scan.findings.map(moved) };
    const forgedPath = join(work, 'forged.json');
    writeFileSync(forgedPath, JSON.stringify(forged));
    const zip = join(work, 'forged.zip');
    const r = cli(['export', forgedPath, '--db', pg.url, '--out', zip]);
    expect(r.code, r.stderr).toBe(3);
    const { manifest } = unzip(zip);
    const refused = manifest.notExported.find((n) => n.original.path === outside);
    expect(refused).toMatchObject({ reason: 'refused', host: 'north' });
    expect(refused?.message).toMatch(/outside the roots/);
  });

  it('a scan file with hosts, without --db: a usage error saying to add --db', () => {
    const r = runCli(['export', scanPath, '--out', join(work, 'nodb.zip')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--db/);
  });

  it('an agent that does not answer within --wait: its items are not exported, exit 3', async () => {
    const gone = startAgent(pg.url, 'gone', [hostTree('gone')], { keyDir: work });
    await gone.waitFor('waiting for jobs');
    const scan = join(work, 'gone.json');
    clusterScan(scan, ['--agent', 'gone']);
    await gone.kill();
    const zip = join(work, 'gone.zip');
    const r = cli(['export', scan, '--db', pg.url, '--out', zip, '--wait', '1']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/gone/);
    const { manifest } = unzip(zip);
    expect(manifest.items).toEqual([]);
    expect(manifest.notExported.length).toBeGreaterThan(0);
    expect(manifest.notExported.every((n) => n.reason === 'unanswered' && n.host === 'gone')).toBe(true);
  });

  it('the database holds no identifier, content, file name or path after the exports (pg_dump)', () => {
    const dump = pg.dump();
    const values = [...HOST_TREE_VALUES, 'north-notes', 'canteen menu', ...Object.values(roots), work];
    expect(dump).toContain('export_chunk');
    for (const v of values) expect(dump.includes(v), v).toBe(false);
  });
});

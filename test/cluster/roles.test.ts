import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Request } from '../../src/cluster/coordinator.js';
import { type ClusterDb, connectCluster } from '../../src/cluster/db.js';
import type { ScanFile } from '../../src/core/types.js';
import { runCli, writeSubject } from '../helpers/cli.js';
import { type Agent, hostTree, startAgent } from '../helpers/cluster.js';
import { readJson } from '../helpers/erase.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let server: Postgres;
let work: string;
const agents: Agent[] = [];
const clients: pg.Client[] = [];
let owner: ClusterDb | undefined;

beforeAll(async () => {
  server = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-roles-'));
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  for (const c of clients) await c.end().catch(() => {});
  await owner?.close();
  await server?.stop();
});

function agentRole(name: string): string {
  const r = runCli(['agent-role', '--db', server.url, '--name', name]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function connectAs(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}

describe('each agent connects with its own database role (dsr agent-role)', () => {
  const urls: Record<string, string> = {};

  it('an agent works a request with the role and URL dsr agent-role printed', async () => {
    for (const name of ['ra', 'rb']) {
      urls[name] = agentRole(name);
      expect(new URL(urls[name]).username).toBe(`dsr-agent-${name}`);
      const a = startAgent(urls[name], name, [hostTree(name)], { keyDir: work });
      agents.push(a);
      await a.waitFor('waiting for jobs');
    }
    const out = join(work, 'scan.json');
    const r = runCli(['scan', '--db', server.url, '--subject', writeSubject(work), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const scan = readJson<ScanFile>(out);
    expect(new Set(scan.findings.map((f) => f.host))).toEqual(new Set(['ra', 'rb']));
  });

  it("agent A's role can neither read nor write agent B's jobs, queue, results or registration", async () => {
    await agents.pop()!.stop();
    owner = await connectCluster(server.url);
    const request = await Request.open(owner, 'scan');
    const jobId = await request.send('rb', { kind: 'scan', request: request.id });
    await owner.pool.query("UPDATE dsr.job SET result = '\\x00', done_at = now() WHERE id = $1", [jobId]);
    const a = await connectAs(urls.ra);
    const b = await connectAs(urls.rb);
    const count = async (c: pg.Client, sql: string) => Number((await c.query(sql)).rows[0].n);
    // B sees its own.
    // (the scan's jobs are in the queue too, completed: B sees them all.)
    expect(
      await count(b, "SELECT count(*) AS n FROM pgboss.job WHERE name = 'dsr-agent-rb'"),
    ).toBeGreaterThan(1);
    expect(await count(b, "SELECT count(*) AS n FROM dsr.job WHERE host = 'rb'")).toBe(1);
    // A sees nothing of B's …
    expect(await count(a, "SELECT count(*) AS n FROM pgboss.job WHERE name = 'dsr-agent-rb'")).toBe(0);
    expect(await count(a, "SELECT count(*) AS n FROM dsr.job WHERE host = 'rb'")).toBe(0);
    expect(await count(a, "SELECT count(*) AS n FROM pgboss.queue WHERE name = 'dsr-agent-rb'")).toBe(0);
    expect(await count(a, "SELECT count(*) AS n FROM dsr.agent WHERE name = 'rb'")).toBe(0);
    // … changes none of it …
    expect(
      (await a.query("UPDATE dsr.job SET result = NULL, done_at = NULL WHERE host = 'rb'")).rowCount,
    ).toBe(0);
    expect(
      (await a.query("UPDATE pgboss.job SET state = 'completed' WHERE name = 'dsr-agent-rb'")).rowCount,
    ).toBe(0);
    expect((await a.query("DELETE FROM pgboss.job WHERE name = 'dsr-agent-rb'")).rowCount).toBe(0);
    expect((await a.query("UPDATE dsr.agent SET public_key = 'forged' WHERE name = 'rb'")).rowCount).toBe(0);
    // … cannot put jobs or results in B's name, nor register as B …
    await expect(
      a.query("INSERT INTO pgboss.job (name, data) VALUES ('dsr-agent-rb', '{}')"),
    ).rejects.toThrow(/row-level security/);
    await expect(
      a.query("INSERT INTO dsr.job (id, request_id, host) VALUES (gen_random_uuid(), $1, 'rb')", [
        request.id,
      ]),
    ).rejects.toThrow(/row-level security/);
    await expect(
      a.query("INSERT INTO dsr.agent (name, public_key, roots) VALUES ('rc', 'k', 1)"),
    ).rejects.toThrow(/row-level security/);
    // … and reads no request's key.
    await expect(a.query('SELECT public_key FROM dsr.request')).rejects.toThrow(/permission denied/);
    const still = await owner.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM dsr.job WHERE host = 'rb' AND done_at IS NOT NULL AND result IS NOT NULL",
    );
    expect(Number(still.rows[0].n)).toBe(1);
    // An export piece of B's: A can neither see it, take it, nor send one in B's name.
    await owner.pool.query(
      "INSERT INTO dsr.export_chunk (job_id, host, attempt, item, seq, data) VALUES ($1, 'rb', gen_random_uuid(), 0, 0, '\\x00')",
      [jobId],
    );
    expect(await count(b, "SELECT count(*) AS n FROM dsr.export_chunk WHERE host = 'rb'")).toBe(1);
    expect(await count(a, "SELECT count(*) AS n FROM dsr.export_chunk WHERE host = 'rb'")).toBe(0);
    expect((await a.query('DELETE FROM dsr.export_chunk')).rowCount).toBe(0);
    await expect(
      a.query(
        "INSERT INTO dsr.export_chunk (job_id, host, attempt, item, seq, data) VALUES ($1, 'rb', gen_random_uuid(), 0, 1, '\\x00')",
        [jobId],
      ),
    ).rejects.toThrow(/row-level security/);
    await request.close();
  });

  it('an agent with its own role sends the copies of dsr export --db', () => {
    const scanPath = join(work, 'ra.json');
    const s = runCli([
      'scan',
      '--db',
      server.url,
      '--agent',
      'ra',
      '--subject',
      join(work, 'subject.json'),
      '--out',
      scanPath,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const zip = join(work, 'ra.zip');
    const r = runCli(['export', scanPath, '--db', server.url, '--out', zip]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* item\(s\) copied/);
  });
});

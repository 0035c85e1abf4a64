import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { type Agent, startAgent } from '../helpers/cluster.js';
import { readJson } from '../helpers/erase.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let pg: Postgres;
let work: string;
let subject: string;
const agents: Agent[] = [];

beforeAll(async () => {
  pg = await startPostgres({ tls: true });
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-many-'));
  subject = writeSubject(work);
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await pg?.stop();
});

describe('many agents, over TLS', () => {
  it('twenty agents on one machine, each connected with sslmode=verify-full, finish one request', async () => {
    const url = `${pg.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(pg.caFile!)}`;
    const names = Array.from({ length: 20 }, (_, i) => `host-${String(i + 1).padStart(2, '0')}`);
    for (const name of names) {
      const root = tempTree({ [`${name}.txt`]: `Søren Kjærgaard Østergård, CPR 150387-1236 (${name}).\n` });
      agents.push(startAgent(url, name, [root], { keyDir: work }));
    }
    for (const a of agents) await a.waitFor('waiting for jobs', 120_000);
    // Every agent's connection is encrypted (psql's own, on the Unix socket, aside).
    const conns = pg.sql(
      "SELECT s.ssl, count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'dsr' AND a.pid <> pg_backend_pid() GROUP BY s.ssl",
    );
    expect(conns).toMatch(/^t\|\d+$/m);
    expect(conns).not.toMatch(/^f\|/m);
    const out = join(work, 'scan.json');
    const r = spawnSync(process.execPath, [CLI, 'scan', '--db', url, '--subject', subject, '--out', out], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const scan = readJson<ScanFile>(out);
    const silent = scan.hosts?.filter((h) => !h.answered).map((h) => h.name) ?? [];
    const logs = agents.filter((a) => silent.includes(a.name)).map((a) => a.stderr());
    expect(r.status, `${r.stdout}${r.stderr}${logs.join('\n')}`).toBe(0);
    expect(scan.hosts?.map((h) => h.name)).toEqual(names);
    expect(scan.hosts?.every((h) => h.answered)).toBe(true);
    expect(new Set(scan.items.map((i) => i.host))).toEqual(new Set(names));
    expect(scan.items.every((i) => i.evidence === 'confirmed')).toBe(true);
  }, 400_000);

  it('refuses a server whose certificate the given CA did not sign (verify-full), exit 2', () => {
    const otherCa = join(work, 'other-ca.pem');
    const g = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=other',
      '-keyout',
      join(work, 'other.key'),
      '-out',
      otherCa,
    ]);
    expect(g.status).toBe(0);
    const url = `${pg.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa)}`;
    const r = runCli(['scan', '--db', url, '--subject', subject, '-o', join(work, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot use the database postgres:\/\/dsr@127\.0\.0\.1:\d+\/dsr/);
    expect(r.stderr).toMatch(/certificate/i);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseOnAgent } from '../../src/cluster/erase.js';
import { newKeyPair, sealJson } from '../../src/cluster/seal.js';
import type { ScanFile } from '../../src/core/types.js';
import type { Plan } from '../../src/erase/plan.js';
import { CLI, runCli, writeSubject } from '../helpers/cli.js';
import { type Agent, hostTree, startAgent } from '../helpers/cluster.js';
import { fileSha, readJson } from '../helpers/erase.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let pg: Postgres;
let work: string;
let subject: string;
const agents: Agent[] = [];
const roots: Record<string, string> = {};
const HOSTS = ['north', 'south', 'west'];

beforeAll(async () => {
  pg = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-erase-'));
  subject = writeSubject(work);
  for (const h of HOSTS) roots[h] = hostTree(h);
  for (const h of HOSTS) agents.push(startAgent(pg.url, h, [roots[h]], { keyDir: work }));
  for (const a of agents) await a.waitFor('waiting for jobs');
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await pg?.stop();
});

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function clusterScan(out: string): ScanFile {
  const r = spawnSync(
    process.execPath,
    [CLI, 'scan', '--db', pg.url, '--subject', subject, '--out', out, '--force'],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return readJson<ScanFile>(out);
}

describe('dsr erase --execute --db across three hosts', () => {
  it("leaves none of the subject's data on any host and changes no file outside the plan; one audit log", () => {
    const scanPath = join(work, 'scan.json');
    const scan = clusterScan(scanPath);
    expect(new Set(scan.items.map((i) => i.host))).toEqual(new Set(HOSTS));
    const planPath = join(work, 'plan.json');
    const p = runCli([
      'plan',
      scanPath,
      '--out',
      planPath,
      '--approve',
      '--approved-by',
      'Test DPO',
      '--include-possible',
    ]);
    expect(p.code, p.stderr).toBe(0);
    const plan = readJson<Plan>(planPath);
    expect(new Set(plan.actions.map((a) => a.host))).toEqual(new Set(HOSTS));
    const planned = new Set(plan.actions.map((a) => a.path));
    const before = new Map(
      Object.values(roots)
        .flatMap(files)
        .filter((f) => !planned.has(f))
        .map((f) => [f, fileSha(f)]),
    );
    expect(before.size).toBeGreaterThan(3);

    const r = runCli(['erase', planPath, '--execute', '--db', pg.url], {
      env: { ...process.env, DSR_AUDIT_KEY: join(work, 'audit.key') },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of HOSTS) expect(r.stdout).toContain(`${h}:`);

    const after = clusterScan(join(work, 'rescan.json'));
    expect(after.findings.filter((f) => f.subject)).toEqual([]);
    for (const [f, sha] of before) expect(fileSha(f), f).toBe(sha);

    const audit = readFileSync(join(work, 'plan.audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.length).toBe(plan.actions.length);
    expect(new Set(audit.map((a) => a.host))).toEqual(new Set(HOSTS));
    expect(audit.every((a) => a.plan === plan.sha256 && a.result === 'done')).toBe(true);
    const v = runCli([
      'audit',
      'verify',
      join(work, 'plan.audit.jsonl'),
      '--audit-key',
      join(work, 'audit.key.pub'),
    ]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(statSync(join(work, 'plan.audit.jsonl')).mode & 0o077).toBe(0);
  });

  it('an unapproved plan is refused before any agent is asked, exit 2', () => {
    const scanPath = join(work, 'scan2.json');
    clusterScan(scanPath);
    const planPath = join(work, 'unapproved.json');
    expect(runCli(['plan', scanPath, '--out', planPath]).code).toBe(0);
    const r = runCli(['erase', planPath, '--execute', '--db', pg.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not approved/);
  });

  it('an agent checks the seals itself: a plan edited after approval, or never approved, is refused whole', async () => {
    const root = hostTree('solo');
    const victim = join(root, 'shared/empty-notes.txt');
    const sha = fileSha(victim);
    const keys = newKeyPair();
    const plan = readJson<Plan>(join(work, 'plan.json'));
    const forged: Plan = {
      ...plan,
      actions: [{ ...plan.actions[0], host: 'solo', path: victim, fingerprint: { sha256: sha } }],
    };
    const unapproved: Plan = { ...plan, approval: undefined };
    for (const [p, reason] of [
      [forged, /edited after it was made/],
      [unapproved, /not approved/],
    ] as const) {
      const job = {
        id: 'job-1',
        data: {
          kind: 'erase' as const,
          request: 'r',
          reply: keys.publicKey,
          execute: true,
          plan: sealJson(p, keys.publicKey, 'job-1'),
        },
      };
      const result = await eraseOnAgent(
        job,
        { name: 'solo', roots: [root], keys, stateDir: work },
        new AbortController().signal,
      );
      expect(result.refused).toMatch(reason);
      expect(result.actions).toEqual([]);
    }
    expect(fileSha(victim)).toBe(sha);
  });
});

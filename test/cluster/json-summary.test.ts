/**
 * `--json` for the commands of a cluster (docs/cluster.md): `agent-role`, `agent`, `scan --db` and
 * `erase --db` print one JSON line on stdout and nothing else, with the fields a script needs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/erase/plan.js';
import { CLI, runCli, writeSubject } from '../helpers/cli.js';
import { hostTree } from '../helpers/cluster.js';
import { onlySummary } from '../helpers/json-summary.js';
import { type Postgres, startPostgres } from '../helpers/postgres.js';

let pg: Postgres;
let work: string;
let agent: ReturnType<typeof spawn>;
let agentOut = '';
let agentErr = '';

beforeAll(async () => {
  pg = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'dsr-cluster-json-'));
  agent = spawn(
    process.execPath,
    [
      CLI,
      'agent',
      '--db',
      pg.url,
      '--name',
      'north',
      '--key',
      join(work, 'north.key'),
      '--json',
      hostTree('north'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  agent.stdout!.on('data', (d) => {
    agentOut += String(d);
  });
  agent.stderr!.on('data', (d) => {
    agentErr += String(d);
  });
  const until = Date.now() + 60_000;
  while (!agentErr.includes('waiting for jobs')) {
    if (Date.now() > until || agent.exitCode !== null)
      throw new Error(`the agent did not start:\n${agentErr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  if (agent?.exitCode === null) agent.kill('SIGKILL');
  await pg?.stop();
});

describe('--json through agents', () => {
  it('scan --db and erase --db: counts, the agents that answered, each action with its host', () => {
    const scanPath = join(work, 'scan.json');
    const scan = runCli([
      'scan',
      '--db',
      pg.url,
      '--subject',
      writeSubject(work),
      '--out',
      scanPath,
      '--json',
    ]);
    expect(scan.code, scan.stderr).toBe(0);
    const s = onlySummary(scan.stdout);
    expect(s).toMatchObject({
      command: 'scan',
      exitCode: 0,
      out: scanPath,
      agents: { answered: ['north'], silent: [] },
      findings: { subject: { cpr: 1 } },
    });
    expect(s.items.confirmed).toBeGreaterThan(0);
    expect(scan.stdout).not.toContain('150387-1236');

    const planPath = join(work, 'plan.json');
    const p = runCli(['plan', scanPath, '--out', planPath, '--approve', '--approved-by', 'DPO']);
    expect(p.code, p.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(planPath, 'utf8')) as Plan;
    const env = { ...process.env, DSR_AUDIT_KEY: join(work, 'audit.key') };
    const dry = runCli(['erase', planPath, '--db', pg.url, '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const d = onlySummary(dry.stdout);
    expect(d).toMatchObject({
      command: 'erase',
      sha256: plan.sha256,
      execute: false,
      results: { would: plan.actions.length },
      refused: [],
      silent: [],
      auditLog: null,
    });
    expect(d.actions.map((a: { id: string }) => a.id).sort()).toEqual(plan.actions.map((a) => a.id).sort());
    for (const a of d.actions) expect(a).toMatchObject({ host: 'north', result: 'would' });
    // hr/Søren_Østergård/contract.txt: the folder named after the subject is masked.
    expect(dry.stdout).toContain('S._Ø.');
    expect(dry.stdout).not.toContain('Østergård');

    const run = runCli(['erase', planPath, '--db', pg.url, '--execute', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const e = onlySummary(run.stdout);
    expect(e).toMatchObject({ execute: true, results: { done: plan.actions.length } });
    expect(e.auditHead).toMatch(/^dsr-audit-head\/1 records=\d+ last=[0-9a-f]{64}/);
  });

  it('agent-role: the URL is in the summary, alone on stdout', () => {
    const r = runCli(['agent-role', '--db', pg.url, '--name', 'south', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = onlySummary(r.stdout);
    expect(s).toMatchObject({ command: 'agent-role', exitCode: 0, agent: 'south', role: 'dsr-agent-south' });
    expect(new URL(s.url).username).toBe('dsr-agent-south');
  });

  it('agent: when it stops, its name, roots and key', async () => {
    const exited = new Promise((r) => agent.on('exit', r));
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(onlySummary(agentOut)).toEqual({
      command: 'agent',
      exitCode: 0,
      agent: 'north',
      roots: 1,
      key: join(work, 'north.key'),
    });
  });
});

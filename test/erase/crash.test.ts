import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { verifyAuditLog } from '../../src/erase/audit.js';
import { defaultAuditKeyPath, loadVerifier } from '../../src/erase/audit-key.js';
import { approvePlan, buildPlan, loadPlan, writePlan } from '../../src/erase/plan.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';
import { fileSha, mboxOf, message, readJson, runUntilCrash, sha256, writeScan } from '../helpers/erase.js';

/** Runs the plan in a child process with DSR_TEST_CRASH_AT set but no hook given to applyPlan. */
function runWithCrashVariableOnly(planPath: string, step: string): Promise<string> {
  const script = `
    const { applyPlan } = await import(${JSON.stringify(join(PROJECT, 'dist/src/erase/apply.js'))});
    const { loadPlan } = await import(${JSON.stringify(join(PROJECT, 'dist/src/erase/plan.js'))});
    const plan = await loadPlan(process.argv[1]);
    const r = await applyPlan(plan, { execute: true, journalPath: process.argv[1] + '.journal', auditLogPath: process.argv[1] + '.audit', lockPath: process.argv[1] + '.lock' });
    process.stdout.write(r.reports.map((x) => x.outcome.result).join(','));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, planPath], {
      env: { ...process.env, DSR_TEST_CRASH_AT: step },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    child.on('close', (code, signal) => resolve(signal ?? `exit ${code}: ${out}`));
  });
}

async function rerun(planPath: string) {
  return applyPlan(await loadPlan(planPath), {
    execute: true,
    journalPath: `${planPath}.journal`,
    auditLogPath: `${planPath}.audit`,
    lockPath: `${planPath}.lock`,
  });
}

const TEXT = 'Hej Søren Østergård, CPR 150387-1236.\nJens Hansen, jens@firma.dk\n';
const REDACTED = 'Hej [REDACTED-NAME], CPR [REDACTED-CPR].\nJens Hansen, jens@firma.dk\n';

async function textCase(): Promise<{ dir: string; file: string; planPath: string }> {
  const dir = tempTree({ 'tree/a.txt': TEXT });
  const file = join(dir, 'tree/a.txt');
  const scan = readJson<ScanFile>(
    writeScan(
      dir,
      [join(dir, 'tree')],
      [
        {
          id: 'item0',
          path: file,
          format: 'text',
          others: { email: 1 },
          fingerprint: { size: Buffer.byteLength(TEXT), sha256: sha256(TEXT) },
        },
      ],
      [{ path: file, itemId: 'item0', location: { field: 'body', offset: 25, line: 1, column: 26 } }],
    ),
  );
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(scan, undefined, {}), 'Test DPO'));
  return { dir, file, planPath };
}

const M1 = message('m1@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236');
const M2 = message('m2@firma.dk', 'jens@firma.dk', 'Frokost?');

async function mboxCase(): Promise<{ dir: string; file: string; planPath: string }> {
  const { data, ranges } = mboxOf([M2, M1]);
  const dir = tempTree({ 'tree/inbox': data });
  const file = join(dir, 'tree/inbox');
  const scan = readJson<ScanFile>(
    writeScan(
      dir,
      [join(dir, 'tree')],
      [
        {
          path: file,
          itemPath: ['message <m1@example.dk>'],
          format: 'eml',
          message: { kind: 'mbox', itemPath: ['message <m1@example.dk>'], fingerprint: ranges[1] },
        },
      ],
    ),
  );
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(scan, undefined, {}), 'Test DPO'));
  return { dir, file, planPath };
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('.dsr-') || f.endsWith('.lock'));
}

const REWRITE_STEPS = [
  'action:intent-written',
  'rewrite:temp-written',
  'rewrite:temp-synced',
  'rewrite:renamed',
  'rewrite:dir-synced',
  'action:result-written',
];

describe('kill -9 during an erasure leaves the old or the new content, and a rerun completes', () => {
  it.each(REWRITE_STEPS)(
    'text redaction killed at %s',
    async (step) => {
      const { dir, file, planPath } = await textCase();
      expect(await runUntilCrash(planPath, step)).toBe('SIGKILL');
      expect([TEXT, REDACTED]).toContain(readFileSync(file, 'utf8'));
      const res = await rerun(planPath);
      expect(res.reports.map((r) => r.outcome.result)).toEqual(['done']);
      expect(readFileSync(file, 'utf8')).toBe(REDACTED);
      expect(leftovers(join(dir, 'tree'))).toEqual([]);
      expect(existsSync(`${planPath}.lock`)).toBe(false);
      const verifier = await loadVerifier(defaultAuditKeyPath());
      expect((await verifyAuditLog(`${planPath}.audit`, verifier)).ok).toBe(true);
    },
    20_000,
  );

  // The mbox is written back in place (it keeps its inode, so a delivery agent waiting for its
  // fcntl lock appends to the live file): killed half-way, it holds a mix that the rerun completes.
  const MBOX_STEPS = [
    'mbox:locked',
    'action:intent-written',
    'rewrite:temp-written',
    'rewrite:temp-synced',
    'mbox:writeback-journalled',
    'mbox:writeback-half',
    'mbox:written-back',
    'mbox:truncated',
    'action:result-written',
  ];
  const MIXED = ['mbox:writeback-half', 'mbox:written-back'];

  it.each(MBOX_STEPS)(
    'mbox rewrite killed at %s',
    async (step) => {
      const { dir, file, planPath } = await mboxCase();
      const old = readFileSync(file).toString();
      const removed = mboxOf([M2]).data.toString();
      expect(await runUntilCrash(planPath, step)).toBe('SIGKILL');
      if (!MIXED.includes(step)) expect([old, removed]).toContain(readFileSync(file).toString());
      const res = await rerun(planPath);
      expect(res.reports.map((r) => r.outcome.result)).toEqual(['done']);
      expect(readFileSync(file).toString()).toBe(removed);
      expect(leftovers(join(dir, 'tree'))).toEqual([]);
    },
    20_000,
  );

  it.each(MIXED)(
    'mbox killed at %s, then mail delivered: the rerun keeps the new mail',
    async (step) => {
      const { dir, file, planPath } = await mboxCase();
      expect(await runUntilCrash(planPath, step)).toBe('SIGKILL');
      // The kernel dropped the fcntl lock with the process: a delivery agent appends at once.
      const late = message('late@firma.dk', 'anne@firma.dk', 'Delivered after the crash');
      appendFileSync(file, mboxOf([late]).data);
      const res = await rerun(planPath);
      expect(res.reports.map((r) => r.outcome.result)).toEqual(['done']);
      expect(readFileSync(file).toString()).toBe(mboxOf([M2, late]).data.toString());
      expect(leftovers(join(dir, 'tree'))).toEqual([]);
    },
    20_000,
  );

  it('the erase code never reads the crash variable itself: only the hook the CLI hands it stops it', async () => {
    const { file, planPath } = await textCase();
    expect(await runWithCrashVariableOnly(planPath, 'rewrite:temp-written')).toBe('exit 0: done');
    expect(readFileSync(file, 'utf8')).toBe(REDACTED);
  });

  it('the CLI refuses a crash or pause step the erasure does not have', () => {
    const r = runCli(['--version'], { env: { ...process.env, DSR_TEST_CRASH_AT: 'rewrite:no-such-step' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no such erase step');
  });

  it('a deletion killed after the unlink counts as done on the rerun (CLI)', async () => {
    const dir = tempTree({ 'tree/own.pdf': '%PDF-1.4 CPR 150387-1236' });
    const file = join(dir, 'tree/own.pdf');
    const scan = readJson<ScanFile>(
      writeScan(
        dir,
        [join(dir, 'tree')],
        [{ path: file, format: 'pdf', fingerprint: { size: 24, sha256: fileSha(file) } }],
      ),
    );
    const planPath = join(dir, 'plan.json');
    const include = { decision: 'include' as const, by: 'r', at: 'now' };
    const review = { schema: 'dsr.review/2' as const, scanId: scan.scanId, decisions: { item0: include } };
    await writePlan(planPath, approvePlan(buildPlan(scan, review, {}), 'Test DPO'));
    const killed = runCli(['erase', planPath, '--execute'], {
      env: { ...process.env, DSR_TEST_CRASH_AT: 'delete:unlinked' },
    });
    expect(killed.code).toBe(-1);
    expect(existsSync(file)).toBe(false);
    const again = runCli(['erase', planPath, '--execute']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unlinked by an earlier, interrupted run');
    expect(runCli(['audit', 'verify', join(dir, 'plan.audit.jsonl')]).code).toBe(0);
  }, 30_000);
});

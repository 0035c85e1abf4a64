import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Finding, ItemRecord, ScanFile } from '../../src/core/types.js';
import { CLI, PROJECT, runCli, SUBJECT, writeSubject } from './cli.js';

export { SUBJECT };

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha(path: string): string {
  return sha256(readFileSync(path));
}

/** Runs the built `dsr scan` on a tree and returns the scan file path. */
export function scanTree(dir: string, roots: string[] = [join(dir, 'tree')]): string {
  const subject = writeSubject(dir);
  const out = join(dir, 'scan.json');
  const r = runCli(['scan', ...roots, '--subject', subject, '--out', out, '-j', '1']);
  if (r.code !== 0 && r.code !== 3) throw new Error(`scan failed (${r.code}): ${r.stderr}`);
  return out;
}

/** `dsr plan scan.json --approve --approved-by …`; returns the plan path. */
export function planApproved(scanPath: string, extra: string[] = []): string {
  const out = scanPath.replace(/\.json$/, '.plan.json');
  const r = runCli(['plan', scanPath, '--out', out, '--approve', '--approved-by', 'Test DPO', ...extra]);
  if (r.code !== 0) throw new Error(`plan failed (${r.code}): ${r.stderr}`);
  return out;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A scan file written by hand, for item kinds whose extractor is not there yet (mbox, Maildir, IMAP). */
export function writeScan(
  dir: string,
  roots: string[],
  items: Partial<ItemRecord>[],
  findings: Partial<Finding>[] = [],
): string {
  const scan: ScanFile = {
    schema: 'dsr.scan/1',
    scanId: 'hand-built-scan',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    roots,
    subject: SUBJECT,
    stats: { files: 0, items: items.length, bytes: 0, skipped: 0, errors: 0 },
    findings: findings.map((f, n) => ({
      id: `f${n}`,
      path: '',
      itemPath: [],
      itemId: 'item0',
      detector: 'cpr',
      subject: true,
      value: '150387-1236',
      confidence: 0.9,
      evidence: 'confirmed',
      location: { field: 'body' },
      context: '',
      ...f,
    })),
    items: items.map((i, n) => ({
      id: `item${n}`,
      path: '',
      itemPath: [],
      evidence: 'confirmed',
      detectors: ['email'],
      fingerprint: {},
      ...i,
    })),
    errors: [],
  };
  const path = join(dir, 'scan.json');
  writeFileSync(path, JSON.stringify(scan));
  return path;
}

/** Starts the CLI in the background (for the pause hook); resolves once it printed `dsr-test-paused`. */
export function spawnPaused(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcess;
  paused: Promise<void>;
  done: Promise<{ code: number; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let onPause: () => void = () => {};
  const paused = new Promise<void>((r) => {
    onPause = r;
  });
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.includes('dsr-test-paused')) onPause();
  });
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { child, paused, done };
}

/** An mbox with the given messages (each a full message incl. its `From ` line); returns each one's byte range. */
export function mboxOf(messages: string[]): {
  data: Buffer;
  ranges: { offset: number; length: number; sha256: string }[];
} {
  const parts = messages.map((m) => Buffer.from(m.endsWith('\n\n') ? m : `${m.replace(/\n*$/, '')}\n\n`));
  let offset = 0;
  const ranges = parts.map((p) => {
    const r = { offset, length: p.length, sha256: sha256(p) };
    offset += p.length;
    return r;
  });
  return { data: Buffer.concat(parts), ranges };
}

export function message(id: string, from: string, body: string): string {
  return `From ${from} Mon Jan  5 10:00:00 2026\nFrom: ${from}\nTo: hr@firma.dk\nMessage-ID: <${id}>\nSubject: note\n\n${body}\n`;
}

/** Runs the plan in a child process that SIGKILLs itself at `step` (DSR_TEST_CRASH_AT, read by cli/test-hooks.ts). */
export function runUntilCrash(planPath: string, step: string): Promise<string> {
  const script = `
    const { applyPlan } = await import(${JSON.stringify(join(PROJECT, 'dist/src/erase/apply.js'))});
    const { loadPlan } = await import(${JSON.stringify(join(PROJECT, 'dist/src/erase/plan.js'))});
    const { testStepHook } = await import(${JSON.stringify(join(PROJECT, 'dist/cli/test-hooks.js'))});
    const plan = await loadPlan(process.argv[1]);
    await applyPlan(plan, { execute: true, journalPath: process.argv[1] + '.journal', auditLogPath: process.argv[1] + '.audit', lockPath: process.argv[1] + '.lock', hook: testStepHook });
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, planPath], {
      env: { ...process.env, DSR_TEST_CRASH_AT: step },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code, signal) => resolve(signal ?? `exit ${code}: ${stderr}`));
  });
}

/** Whether LibreOffice is installed here (CI does not install it: the check runs where it is). */
export const SOFFICE = spawnSync('soffice', ['--version'], { encoding: 'utf8' }).status === 0;

/** Each of `files` under `root` converts to a PDF of some size in LibreOffice (a private profile in `dir`). */
export function expectOpensInLibreOffice(dir: string, root: string, files: string[]): void {
  const out = join(dir, 'pdf');
  for (const f of files) {
    const r = spawnSync(
      'soffice',
      [
        `-env:UserInstallation=file://${join(dir, 'lo')}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        out,
        join(root, f),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(out, f.replace(/\.\w+$/, '.pdf'))).size).toBeGreaterThan(1000);
  }
}

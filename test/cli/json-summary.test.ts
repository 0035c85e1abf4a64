import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/erase/plan.js';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { onlySummary } from '../helpers/json-summary.js';
import { privateTmux } from '../helpers/tmux.js';

const RAW = ['150387-1236', 'soren.ostergard@example.dk', 'Søren', 'Østergård'];
const noIdentifier = (text: string) => {
  for (const raw of RAW) expect(text).not.toContain(raw);
};

let dir: string;
let subject: string;
let scanPath: string;
const env = () => ({ ...process.env, DSR_AUDIT_KEY: join(dir, 'audit.key') });

beforeAll(() => {
  dir = tempTree(
    {
      'share/Søren_Østergård.txt': 'Søren Kjærgaard Østergård, CPR 150387-1236\n',
      'share/notes/b.txt': 'Mail soren.ostergard@example.dk about CPR 150387-1236 today.\n',
      'share/notes/other.txt': 'Peter Jensen, CPR 010203-1234.\n',
    },
    'dsr-json-',
  );
  subject = writeSubject(dir);
  scanPath = join(dir, 'scan.json');
});

describe('--json summaries of the built CLI', () => {
  it('scan: where the scan file went, counts by evidence, detector and error kind', () => {
    const r = runCli(['scan', join(dir, 'share'), '--subject', subject, '--out', scanPath, '--json']);
    expect(r.code).toBe(0);
    const s = onlySummary(r.stdout);
    expect(s).toMatchObject({
      command: 'scan',
      exitCode: 0,
      out: scanPath,
      interrupted: false,
      stats: { files: 3, errors: 0 },
      items: { confirmed: 2, possible: 0, namesake: 0 },
      findings: { subject: { cpr: 2, email: 1 } },
      errors: {},
    });
    noIdentifier(r.stdout);
  });

  it('index: the index and what was read', () => {
    const r = runCli(['index', join(dir, 'share'), '--index', join(dir, 'idx.db'), '--json']);
    expect(r.code).toBe(0);
    expect(onlySummary(r.stdout)).toMatchObject({
      command: 'index',
      index: join(dir, 'idx.db'),
      files: 3,
      read: 3,
      errors: 0,
      interrupted: false,
    });
  });

  it('report and export: what was written, and how much', () => {
    const rep = runCli(['report', scanPath, '--lang', 'da', '-o', join(dir, 'r.csv'), '--json']);
    expect(rep.code).toBe(0);
    expect(onlySummary(rep.stdout)).toMatchObject({
      command: 'report',
      out: join(dir, 'r.csv'),
      format: 'csv',
      lang: 'da',
      draft: true,
      reported: 2,
      needsReview: { possible: 0, namesake: 0 },
    });
    const zip = join(dir, 'export.zip');
    const exp = runCli(['export', scanPath, '--out', zip, '--json']);
    expect(exp.code, exp.stderr).toBe(0);
    expect(onlySummary(exp.stdout)).toMatchObject({ command: 'export', copied: 2, notExported: 0 });
    expect(existsSync(zip)).toBe(true);
  });

  it('plan, erase (dry run, then --execute) and audit verify: hashes, results per action, the audit head', () => {
    const planPath = join(dir, 'plan.json');
    const made = onlySummary(runCli(['plan', scanPath, '--out', planPath, '--json']).stdout);
    const plan = JSON.parse(readFileSync(planPath, 'utf8')) as Plan;
    expect(made).toMatchObject({
      command: 'plan',
      exitCode: 0,
      out: planPath,
      approved: false,
      actions: 2,
      manual: 0,
      kinds: { 'delete-file': 1, 'redact-text': 1 },
      sha256: plan.sha256,
    });
    const approved = runCli(['plan', planPath, '--approve', '--approved-by', 'DPO', '--json']);
    expect(onlySummary(approved.stdout)).toMatchObject({ approved: true, sha256: plan.sha256 });

    const dry = runCli(['erase', planPath, '--json'], { env: env() });
    expect(dry.code).toBe(0);
    const d = onlySummary(dry.stdout);
    expect(d).toMatchObject({
      command: 'erase',
      exitCode: 0,
      plan: planPath,
      sha256: plan.sha256,
      execute: false,
      approved: true,
      results: { would: 2 },
      auditLog: null,
      auditHead: null,
    });
    const byKind = Object.fromEntries(d.actions.map((a: { kind: string }) => [a.kind, a]));
    const deleted = plan.actions.find((a) => a.kind === 'delete-file')!;
    expect(byKind['delete-file']).toEqual({
      id: deleted.id,
      kind: 'delete-file',
      result: 'would',
      reason: 'would unlink the file',
      // The file is named after the subject: masked as the human lines mask it.
      path: join(dir, 'share/S._Ø..txt'),
      nested: 0,
    });
    expect(byKind['redact-text']).toMatchObject({ result: 'would', path: join(dir, 'share/notes/b.txt') });
    expect(byKind['redact-text'].reason).toContain('would redact 2 span(s)');
    noIdentifier(dry.stdout);

    const run = runCli(['erase', planPath, '--execute', '--json'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const e = onlySummary(run.stdout);
    expect(e).toMatchObject({
      execute: true,
      results: { done: 2 },
      auditLog: join(dir, 'plan.audit.jsonl'),
      auditKey: join(dir, 'audit.key'),
      auditKeyCreated: true,
    });
    expect(e.auditHead).toMatch(/^dsr-audit-head\/1 records=2 last=[0-9a-f]{64} key=[0-9a-f]{16}$/);
    expect(e.actions.map((a: { result: string }) => a.result)).toEqual(['done', 'done']);
    noIdentifier(run.stdout);

    const ok = runCli(['audit', 'verify', e.auditLog, '--head', e.auditHead, '--json'], { env: env() });
    expect(ok.code).toBe(0);
    expect(onlySummary(ok.stdout)).toMatchObject({
      command: 'audit',
      ok: true,
      records: 2,
      anchors: 2,
    });
  });

  it('completion: the script stays alone on stdout, the summary goes to stderr', () => {
    const r = runCli(['completion', 'fish', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -c dsr');
    expect(onlySummary(r.stderr)).toEqual({ command: 'completion', exitCode: 0, shell: 'fish' });
  });

  it('a usage error: the command, exit 2 and what was wrong', () => {
    const r = runCli(['erase', join(dir, 'missing.plan.json'), '--json']);
    expect(r.code).toBe(2);
    const s = onlySummary(r.stdout);
    expect(s).toMatchObject({ command: 'erase', exitCode: 2 });
    expect(s.error).toContain('missing.plan.json');
  });
});

const { tmux, waitForScreen, start, keys, kill: killTmux } = privateTmux('json');

afterAll(() => {
  killTmux();
});

describe('dsr review --json', () => {
  it('draws the screen on stderr and leaves the summary alone on stdout: decisions and where written', async () => {
    // A tree of its own: the erase test above removed the subject's data from the first.
    const here = tempTree({
      'share/a.txt': 'Søren Kjærgaard Østergård, CPR 150387-1236\n',
      'share/b.txt': 'Mail soren.ostergard@example.dk today.\n',
      'share/c.txt': 'Meeting with Søren Østergård.\n',
    });
    const reviewed = join(here, 'reviewed.json');
    const r = runCli(['scan', join(here, 'share'), '--subject', writeSubject(here), '--out', reviewed]);
    expect(r.code).toBe(0);
    const out = join(here, 'review-summary.json');
    start(
      `${process.execPath} ${CLI} review ${reviewed} --reviewer officer --json > ${out}; echo "EXIT=$?"; sleep 30`,
    );
    await waitForScreen('? help');
    await keys(...['i', 'e', 's']);
    await waitForScreen('saved 2 decisions');
    tmux('send-keys', '-t', 'review', 'q');
    await waitForScreen('EXIT=0');
    const s = onlySummary(readFileSync(out, 'utf8'));
    expect(s).toEqual({
      command: 'review',
      exitCode: 0,
      scan: reviewed,
      decisionsFile: join(here, 'reviewed.review.json'),
      saved: join(here, 'reviewed.review.json'),
      decisions: { include: 1, exclude: 1, namesake: 0, keep: 0 },
      undecided: 1,
      plan: null,
    });
  });
});

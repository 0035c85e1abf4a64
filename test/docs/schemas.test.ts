import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_SCHEMAS, schemaFileText } from '../../src/core/schemas/index.js';
import type { ScanFile } from '../../src/core/types.js';
import { CLI, PROJECT, runCli, tempTree } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const SCHEMA_DIR = join(PROJECT, 'docs/schemas');
const committed = (name: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8'));
const readJson = <T = unknown>(path: string): T => JSON.parse(readFileSync(path, 'utf8'));

describe('docs/schemas', () => {
  it('holds exactly what the code defines (run `npm run schemas` after changing a schema)', () => {
    const expected = Object.keys(DOCUMENT_SCHEMAS).map((name) => `${name}.schema.json`);
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(expected.sort());
    for (const [name, schema] of Object.entries(DOCUMENT_SCHEMAS)) {
      const file = join(SCHEMA_DIR, `${name}.schema.json`);
      expect(readFileSync(file, 'utf8'), `${file} differs from the code: run npm run schemas`).toBe(
        schemaFileText(schema),
      );
    }
  });

  it('are valid JSON Schemas (draft-07, ajv strict mode)', () => {
    const ajv = new Ajv({ strict: true });
    for (const name of Object.keys(DOCUMENT_SCHEMAS))
      expect(() => ajv.compile(committed(name)), name).not.toThrow();
  });
});

const { tmux, waitForScreen, start, keys, kill: killTmux } = privateTmux('schemas');

/** Decides the first two items in `dsr review` as a person would (include, keep with the default reason) and saves. */
async function reviewWithKeys(scanPath: string): Promise<void> {
  start(`${process.execPath} ${CLI} review ${scanPath} --reviewer officer; sleep 30`);
  await waitForScreen('? help');
  await keys(...['i', 'r', 'Enter', 's']);
  await waitForScreen('saved');
  tmux('send-keys', '-t', 'review', 'q');
}

describe('what the built CLI writes from the demo fixtures fits the committed schemas', () => {
  const work = tempTree();
  const share = join(work, 'share');
  const scanPath = join(work, 'request.json');
  const planPath = join(work, 'request.plan.json');
  let headLine = '';
  const ajv = new Ajv({ strict: true });
  const expectFits = (name: string, value: unknown) => {
    const validate = ajv.compile(committed(name));
    expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };

  beforeAll(async () => {
    cpSync(join(PROJECT, 'fixtures/demo'), share, { recursive: true });
    const run = (args: string[]) => {
      const r = runCli(args, { env: { ...process.env, DSR_AUDIT_KEY: join(work, 'audit.key') } });
      expect(r.code, `dsr ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    run(['scan', share, '--subject', join(share, 'subject.json'), '-o', scanPath]);
    await reviewWithKeys(scanPath);
    run([
      'report',
      scanPath,
      '-f',
      'json',
      '--lang',
      'en',
      '--controller',
      join(PROJECT, 'fixtures/controller.example.json'),
    ]);
    run(['export', scanPath, '-o', join(work, 'export.zip')]);
    run(['plan', scanPath]);
    run(['plan', planPath, '--approve', '--approved-by', 'Anna Berg (DPO)']);
    const erase = run(['erase', planPath, '--execute']);
    headLine = /^Audit head: (.*)$/m.exec(erase.stdout)?.[1] ?? '';
  }, 180_000);

  afterAll(() => {
    killTmux();
    rmSync(work, { recursive: true, force: true });
  });

  it('the scan file (dsr.scan/1)', () => {
    const scan = readJson<ScanFile>(scanPath);
    expect(scan.items.length).toBeGreaterThan(5);
    expectFits('scan', scan);
  });

  it('the review decisions written by dsr review (dsr.review/2)', () => {
    const review = readJson<{ decisions: Record<string, { decision: string }> }>(
      join(work, 'request.review.json'),
    );
    expect(Object.values(review.decisions).map((d) => d.decision)).toEqual(['include', 'keep']);
    expectFits('review', review);
  });

  it('the report JSON with a controller profile (dsr.report/1), and the profile itself', () => {
    const report = readJson<{ controller: unknown; items: unknown[] }>(join(work, 'request.report.json'));
    expect(report.controller).not.toBeNull();
    expect(report.items.length).toBeGreaterThan(5);
    expectFits('report', report);
    expectFits('controller', readJson(join(PROJECT, 'fixtures/controller.example.json')));
  });

  it("the export zip's manifest (dsr.export/1)", () => {
    const zip = unzipSync(readFileSync(join(work, 'export.zip')));
    const manifest = JSON.parse(new TextDecoder().decode(zip['manifest.json']));
    expect(manifest.items.length).toBeGreaterThan(5);
    expectFits('export-manifest', manifest);
  });

  it('the approved plan (dsr.plan/1)', () => {
    const plan = readJson<{ approval?: unknown; actions: unknown[] }>(planPath);
    expect(plan.approval).toBeDefined();
    expect(plan.actions.length).toBeGreaterThan(3);
    expectFits('plan', plan);
  });

  it('every audit log record, and the head line dsr erase printed', () => {
    const lines = readFileSync(join(work, 'request.plan.audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expectFits('audit-record', JSON.parse(line));
    expect(headLine).toMatch(/^dsr-audit-head\/1 /);
    expectFits('audit-head', headLine);
  });
});

describe('the loaders refuse a file that does not fit its schema, naming the field (exit 2)', () => {
  const dir = tempTree({ 'share/contract.txt': 'Kontrakt for Søren Østergård, CPR 150387-1236.\n' });
  const scanPath = join(dir, 'scan.json');
  let scan: ScanFile;
  beforeAll(() => {
    const r = runCli([
      'scan',
      join(dir, 'share'),
      '--cpr',
      '150387-1236',
      '--name',
      'Søren Østergård',
      '-o',
      scanPath,
    ]);
    expect(r.code, r.stderr).toBe(0);
    scan = readJson<ScanFile>(scanPath);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a scan file whose finding has no detector', () => {
    const broken = join(dir, 'broken.json');
    const { detector: _, ...finding } = scan.findings[0];
    writeFileSync(broken, JSON.stringify({ ...scan, findings: [finding, ...scan.findings.slice(1)] }));
    const r = runCli(['report', broken, '-o', join(dir, 'broken.report.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid scan file: findings[0].detector is missing');
    expect(r.stderr).toContain('scan again');
  });

  it('review decisions with a decision dsr does not know, or without who decided', () => {
    const id = scan.items[0].id;
    const review = join(dir, 'scan.review.json');
    writeFileSync(
      review,
      JSON.stringify({
        schema: 'dsr.review/2',
        scanId: scan.scanId,
        decisions: { [id]: { decision: 'maybe', by: 'x', at: '2026-01-01T00:00:00Z' } },
      }),
    );
    let r = runCli(['plan', scanPath, '-o', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`decisions.${id}.decision must be one of: include, exclude, namesake, keep`);

    writeFileSync(
      review,
      JSON.stringify({
        schema: 'dsr.review/2',
        scanId: scan.scanId,
        decisions: { [id]: { decision: 'include' } },
      }),
    );
    r = runCli(['report', scanPath, '-o', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`decisions.${id}.by is missing`);
    rmSync(review);
  });

  it('a plan whose manual action has no reason, or whose IMAP action has a UID that is not a number', () => {
    const planPath = join(dir, 'scan.plan.json');
    expect(runCli(['plan', scanPath]).code).toBe(0);
    const plan = readJson<{ actions: Record<string, unknown>[] }>(planPath);
    const edit = (action: Record<string, unknown>) => {
      writeFileSync(planPath, JSON.stringify({ ...plan, actions: [action] }));
      return runCli(['erase', planPath]);
    };
    const { spans: _, ...base } = plan.actions[0];
    let r = edit({ ...base, kind: 'manual' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('actions[0].reason is missing');
    r = edit({
      ...base,
      kind: 'expunge-imap-message',
      mailbox: 'INBOX',
      uidValidity: '7',
      uid: '42',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('actions[0].uid must be a whole number');
  });
});

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { approvePlan, buildPlan, type Plan, planHash } from '../../src/erase/plan.js';
import { validatePlan } from '../../src/erase/validate.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';
import { planApproved, readJson, scanTree, writeScan } from '../helpers/erase.js';

const TREE = {
  'tree/notes/shared.txt':
    'Hej Søren Østergård, CPR 150387-1236.\nJens Hansen: jens@firma.dk, cpr 010190-1234\n',
  'tree/notes/only.txt': 'Kontakt: soren.ostergard@example.dk, +45 21 43 65 87\n',
  'tree/hr/soren-ostergard.txt': 'CV of Søren Kjærgaard Østergård, soren.ostergard@example.dk\n',
  'tree/notes/possible.txt': 'Mødet med Søren Kjærgaard Østergård gik fint.\n',
  'tree/notes/unrelated.txt': 'Nothing personal here.\n',
};

describe('dsr plan', () => {
  const dir = tempTree(TREE);
  const scanPath = scanTree(dir);
  const scan = readJson<ScanFile>(scanPath);

  it('plans one action per unit: redact shared and subject-only text, delete a file dedicated to the subject', () => {
    const out = join(dir, 'p1.json');
    const r = runCli(['plan', scanPath, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('not approved');
    const plan = readJson<Plan>(out);
    expect(plan.schema).toBe('dsr.plan/1');
    expect(plan.scanId).toBe(scan.scanId);
    expect(plan.roots).toEqual([join(dir, 'tree')]);
    expect(plan.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash(plan)).toBe(plan.sha256);
    const kinds = Object.fromEntries(
      plan.actions.map((a) => [a.path.slice(dir.length + 6), [a.kind, a.rule]]),
    );
    expect(kinds).toEqual({
      'hr/soren-ostergard.txt': ['delete-file', 'file-dedicated-to-subject'],
      'notes/only.txt': ['redact-text', 'subject-data-in-text'],
      'notes/shared.txt': ['redact-text', 'shared-file-redact'],
    });
    for (const a of plan.actions) {
      const item = scan.items.find((i) => i.path === a.path)!;
      expect(a.fingerprint.sha256).toBe(item.fingerprint.sha256);
      expect(a.fingerprint.size).toBe(item.fingerprint.size);
    }
    const shared = plan.actions.find((a) => a.path.endsWith('shared.txt'))!;
    expect(shared.kind === 'redact-text' && shared.spans.map((s) => [s.detector, s.masked])).toEqual([
      ['name', 'S. Ø.'],
      ['cpr', '1503XX-XXXX'],
    ]);
    expect(shared.others).toEqual({ cpr: 1, email: 1 });
  });

  it('does not redact a file whose subject findings were not all listed (--max-findings): manual', () => {
    const many = tempTree({
      'tree/log.txt': Array.from({ length: 30 }, (_, i) => `${i} login soren.ostergard@example.dk\n`).join(
        '',
      ),
    });
    const subject = join(many, 'subject.json');
    writeFileSync(
      subject,
      JSON.stringify({ name: 'Søren Kjærgaard Østergård', emails: ['soren.ostergard@example.dk'] }),
    );
    const scanned = join(many, 'scan.json');
    const r = runCli([
      'scan',
      join(many, 'tree'),
      '--subject',
      subject,
      '--max-findings',
      '10',
      '--out',
      scanned,
    ]);
    expect(r.code).toBe(3);
    const plan = buildPlan(readJson<ScanFile>(scanned), undefined);
    expect(plan.actions.map((a) => [a.kind, a.rule])).toEqual([['manual', 'findings-not-listed']]);
    // With every finding listed, the same file is redacted (the scan file is replaced: --force).
    runCli(['scan', join(many, 'tree'), '--subject', subject, '--out', scanned, '--force']);
    expect(buildPlan(readJson<ScanFile>(scanned), undefined).actions.map((a) => a.kind)).toEqual([
      'redact-text',
    ]);
  });

  it('adds possible items only with --include-possible or a reviewer include, and drops excluded ones', () => {
    const possible = scan.items.find((i) => i.path.endsWith('possible.txt'))!;
    expect(possible.evidence).toBe('possible');
    const withFlag = buildPlan(scan, undefined, { includePossible: true });
    expect(withFlag.actions.map((a) => a.path)).toContain(possible.path);
    expect(buildPlan(scan, undefined, {}).actions.map((a) => a.path)).not.toContain(possible.path);
    const only = scan.items.find((i) => i.path.endsWith('only.txt'))!;
    writeFileSync(
      join(dir, 'scan.review.json'),
      JSON.stringify({
        schema: 'dsr.review/1',
        scanId: scan.scanId,
        decisions: {
          [possible.id]: { decision: 'include', by: 'rev', at: '2026-01-01T00:00:00Z' },
          [only.id]: { decision: 'exclude', by: 'rev', at: '2026-01-01T00:00:00Z' },
        },
      }),
    );
    const out = join(dir, 'p3.json');
    expect(runCli(['plan', scanPath, '--out', out]).code).toBe(0);
    const paths = readJson<Plan>(out)
      .actions.map((a) => a.path.slice(dir.length + 6))
      .sort();
    expect(paths).toEqual(['hr/soren-ostergard.txt', 'notes/possible.txt', 'notes/shared.txt']);
  }, 20_000);

  it('refuses a plan edited after approval, an unknown field, a newer schema and an unapproved --execute (exit 2)', () => {
    const sub = tempTree({ 'tree/a.txt': 'CPR 150387-1236\n' });
    const planPath = planApproved(scanTree(sub));
    const good = readFileSync(planPath, 'utf8');
    type Editable = { schema: string; actions: Record<string, unknown>[]; approval: Record<string, unknown> };
    const edits: [(p: Editable) => void, string][] = [
      [(p) => (p.actions[0].path = '/etc/passwd'), 'edited after it was made'],
      [(p) => (p.approval.by = 'Mallory'), 'approval seal is broken'],
      [(p) => (p.actions[0].force = true), 'unknown field "force"'],
      [(p) => (p.schema = 'dsr.plan/2'), 'newer than this dsr'],
    ];
    for (const [edit, message] of edits) {
      const p = JSON.parse(good);
      edit(p);
      expect(validatePlan(p)).toContain(message);
    }
    const p = JSON.parse(good);
    p.actions[0].fingerprint.sha256 = '0'.repeat(64);
    writeFileSync(planPath, JSON.stringify(p));
    const edited = runCli(['erase', planPath, '--execute']);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toContain('edited after it was made');
    const unapproved = JSON.parse(good);
    delete unapproved.approval;
    writeFileSync(planPath, JSON.stringify(unapproved));
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not approved');
    expect(readFileSync(join(sub, 'tree/a.txt'), 'utf8')).toBe('CPR 150387-1236\n');
  }, 30_000);
});

describe('buildPlan (message and container rules)', () => {
  const roots = ['/r'];
  const dir = tempTree();
  const scan = readJson<ScanFile>(
    writeScan(dir, roots, [
      {
        id: 'm1',
        path: '/r/mail.mbox',
        itemPath: ['message <a@x>'],
        format: 'eml',
        message: {
          kind: 'mbox',
          itemPath: ['message <a@x>'],
          fingerprint: { offset: 0, length: 10, sha256: 'a'.repeat(64) },
        },
      },
      {
        id: 'm1att',
        path: '/r/mail.mbox',
        itemPath: ['message <a@x>', 'attachment cv.pdf'],
        format: 'pdf',
        message: {
          kind: 'mbox',
          itemPath: ['message <a@x>'],
          fingerprint: { offset: 0, length: 10, sha256: 'a'.repeat(64) },
        },
      },
      {
        id: 'm2',
        path: '/r/mail.mbox',
        itemPath: ['message <b@x>'],
        others: { email: 2, cpr: 1 },
        message: {
          kind: 'mbox',
          itemPath: ['message <b@x>'],
          fingerprint: { offset: 10, length: 10, sha256: 'b'.repeat(64) },
        },
      },
      { id: 'z1', path: '/r/a.zip', itemPath: ['b.txt'], format: 'text' },
      {
        id: 'p1',
        path: '/r/scan.pdf',
        format: 'pdf',
        others: { cpr: 1 },
        fingerprint: { size: 1, sha256: 'c'.repeat(64) },
      },
      { id: 'p2', path: '/r/own.pdf', format: 'pdf', fingerprint: { size: 1, sha256: 'd'.repeat(64) } },
      {
        id: 'i1',
        path: 'imap://alice@127.0.0.1:1143/INBOX;UIDVALIDITY=77/;UID=5',
        message: { kind: 'imap', itemPath: [], fingerprint: { uidValidity: '77', uid: 5 } },
      },
    ]),
  );

  it('removes a message (and its attachment) as one action; others in a message make it manual; containers are manual', () => {
    const plan = buildPlan(scan, undefined, {});
    const byPath = plan.actions.map((a) => [a.path, a.itemPath.join('|'), a.kind, a.items.join(',')]);
    expect(byPath).toEqual([
      ['/r/a.zip', '', 'manual', 'z1'],
      ['/r/mail.mbox', 'message <a@x>', 'remove-mbox-message', 'm1,m1att'],
      ['/r/mail.mbox', 'message <b@x>', 'manual', 'm2'],
      ['/r/own.pdf', '', 'manual', 'p2'],
      ['/r/scan.pdf', '', 'manual', 'p1'],
      ['imap://alice@127.0.0.1:1143/INBOX;UIDVALIDITY=77/;UID=5', '', 'expunge-imap-message', 'i1'],
    ]);
    const imap = plan.actions.find((a) => a.kind === 'expunge-imap-message');
    expect(imap).toMatchObject({ mailbox: 'INBOX', uidValidity: '77', uid: 5 });
    const reviewed = buildPlan(
      scan,
      {
        schema: 'dsr.review/2',
        scanId: scan.scanId,
        decisions: { m2: { decision: 'include', by: 'r', at: 'now' } },
      },
      {},
    );
    // Another person's CPR number is in the message: a reviewer's include does not make it removable.
    expect(reviewed.actions.find((a) => a.itemPath[0] === 'message <b@x>')?.kind).toBe('manual');
    // A non-editable file with only the subject's data is deleted whole only when a reviewer included it.
    expect(reviewed.actions.find((a) => a.path === '/r/own.pdf')?.kind).toBe('manual');
    const ownIncluded = buildPlan(
      scan,
      {
        schema: 'dsr.review/2',
        scanId: scan.scanId,
        decisions: {
          p1: { decision: 'include', by: 'r', at: 'now' },
          p2: { decision: 'include', by: 'r', at: 'now' },
        },
      },
      {},
    );
    expect(ownIncluded.actions.filter((a) => a.path.endsWith('.pdf')).map((a) => [a.path, a.kind])).toEqual([
      ['/r/own.pdf', 'delete-file'],
      ['/r/scan.pdf', 'manual'],
    ]);
  });

  it('seals with approvePlan and the validator catches any later change', () => {
    const plan = approvePlan(buildPlan(scan, undefined, {}), 'Anna', new Date('2026-01-02T03:04:05Z'));
    expect(plan.approval).toMatchObject({ by: 'Anna', at: '2026-01-02T03:04:05.000Z' });
    expect(validatePlan(JSON.parse(JSON.stringify(plan)))).toBeUndefined();
    const changed = JSON.parse(JSON.stringify(plan));
    changed.actions[1].fingerprint.offset = 11;
    expect(validatePlan(changed)).toContain('edited after it was made');
  });
});

describe('dsr plan: database rows (built CLI)', () => {
  it('each row holding the subject is its own manual action naming table, key and columns, with SQL', () => {
    const dir = tempTree();
    mkdirSync(join(dir, 'tree'));
    copyFileSync(join(PROJECT, 'fixtures/data/crm.sqlite'), join(dir, 'tree/crm.sqlite'));
    const scanPath = scanTree(dir);
    const out = join(dir, 'plan.json');
    expect(runCli(['plan', scanPath, '--out', out]).code).toBe(0);
    const plan = readJson<Plan>(out);
    expect(validatePlan(plan)).toBeUndefined();
    // The row of table `notes "2024"` names the subject only (possible): planned only when included.
    const rows = plan.actions.map((a) => ({
      itemPath: a.itemPath,
      kind: a.kind,
      rule: a.rule,
      sql: a.kind === 'manual' ? a.sql : undefined,
    }));
    expect(rows).toEqual([
      {
        itemPath: ['table customers', 'row 17'],
        kind: 'manual',
        rule: 'database-row',
        sql: [
          '-- remove the row:',
          'DELETE FROM "customers" WHERE rowid = 17;',
          "-- or clear only the subject's columns:",
          'UPDATE "customers" SET "cpr" = NULL, "efternavn" = NULL, "email" = NULL, "fornavn" = NULL, "telefon" = NULL WHERE rowid = 17;',
        ].join('\n'),
      },
      {
        itemPath: ['table orders', `row "order_no" = 'A-1001'`],
        kind: 'manual',
        rule: 'database-row',
        sql: [
          '-- remove the row:',
          `DELETE FROM "orders" WHERE "order_no" = 'A-1001';`,
          "-- or clear only the subject's columns:",
          `UPDATE "orders" SET "customer_email" = NULL WHERE "order_no" = 'A-1001';`,
        ].join('\n'),
      },
    ]);
    const customer = plan.actions[0];
    expect(customer.kind === 'manual' && customer.reason).toMatch(
      /row with rowid 17 of table customers holds the subject's data in columns cpr, efternavn, email, fornavn, telefon/,
    );
    // The SQL does what it says on a copy of the database: the subject's row goes, the others stay.
    const copy = join(dir, 'copy.sqlite');
    copyFileSync(join(dir, 'tree/crm.sqlite'), copy);
    const db = new Database(copy);
    for (const a of plan.actions) if (a.kind === 'manual' && a.sql) db.exec(a.sql.split('\n')[1]);
    expect(db.prepare('SELECT id FROM customers ORDER BY id').pluck().all()).toEqual([1, 2, 3]);
    expect(db.prepare('SELECT order_no FROM orders').pluck().all()).toEqual(['A-1002']);
    db.close();
  });
});

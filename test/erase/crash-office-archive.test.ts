import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { verifyAuditLog } from '../../src/erase/audit.js';
import { defaultAuditKeyPath, loadVerifier } from '../../src/erase/audit-key.js';
import { approvePlan, buildPlan, loadPlan, writePlan } from '../../src/erase/plan.js';
import { viewItem } from '../../src/erase/verify.js';
import { compileSubject } from '../../src/match/subject.js';
import { tempTree } from '../helpers/cli.js';
import { fileSha, readJson, runUntilCrash, SUBJECT, scanTree } from '../helpers/erase.js';

const STEPS = [
  'action:intent-written',
  'rewrite:temp-written',
  'rewrite:temp-synced',
  'rewrite:renamed',
  'rewrite:dir-synced',
  'action:result-written',
];

async function docx(): Promise<Buffer> {
  const doc = new Document({
    creator: 'Søren Kjærgaard Østergård',
    sections: [
      {
        children: [
          new Paragraph({
            children: [new TextRun('Deltager: Sø'), new TextRun({ text: 'ren Østergård', bold: true })],
          }),
          new Paragraph('CPR 150387-1236. Kollega: Jens Hansen, 22 33 44 55'),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** A tree with one Office document or one archive (a text member and a DOCX in a nested zip), scanned and planned. */
async function crashCase(
  kind: 'office' | 'archive',
): Promise<{ dir: string; file: string; planPath: string }> {
  const doc = await docx();
  const file = kind === 'office' ? 'notes.docx' : 'bundle.zip';
  const content =
    kind === 'office'
      ? doc
      : zipSync({
          'a.txt': Buffer.from('Mail soren.ostergard@example.dk\n'),
          'inner.zip': zipSync({ 'notes.docx': doc, 'keep.txt': Buffer.from('Intet her.\n') }),
          'readme.txt': Buffer.from('Intet her.\n'),
        });
  const dir = tempTree({ [`tree/${file}`]: content });
  const scan = readJson<ScanFile>(scanTree(dir));
  const planPath = join(dir, 'plan.json');
  const plan = buildPlan(scan, undefined, {});
  expect(plan.actions.map((a) => a.kind)).toEqual([kind === 'office' ? 'redact-office' : 'edit-archive']);
  await writePlan(planPath, approvePlan(plan, 'Test DPO'));
  return { dir, file: join(dir, 'tree', file), planPath };
}

describe('kill -9 during an Office redaction or archive edit leaves the old or the new file, and a rerun completes', () => {
  for (const kind of ['office', 'archive'] as const) {
    it.each(STEPS)(
      `${kind} rewrite killed at %s`,
      async (step) => {
        const { dir, file, planPath } = await crashCase(kind);
        const old = fileSha(file);
        expect(await runUntilCrash(planPath, step)).toBe('SIGKILL');
        const crashed = fileSha(file);
        const res = await applyPlan(await loadPlan(planPath), {
          execute: true,
          journalPath: `${planPath}.journal`,
          auditLogPath: `${planPath}.audit`,
          lockPath: `${planPath}.lock`,
        });
        expect(res.reports.map((r) => r.outcome.result)).toEqual(['done']);
        const final = fileSha(file);
        expect(final).not.toBe(old);
        expect([old, final]).toContain(crashed);
        const view = await viewItem({ path: file }, compileSubject(SUBJECT));
        expect(view.subject).toEqual([]);
        expect(view.others).toContain('phone +4522334455');
        expect(readdirSync(join(dir, 'tree')).filter((f) => f.includes('.dsr-'))).toEqual([]);
        expect(
          (await verifyAuditLog(`${planPath}.audit`, await loadVerifier(defaultAuditKeyPath()))).ok,
        ).toBe(true);
      },
      90_000,
    );
  }
});

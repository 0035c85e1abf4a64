import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchType, patchDocument, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import { ExifTool } from 'exiftool-vendored';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { applyPlan } from '../../src/erase/apply.js';
import { verifyAuditLog } from '../../src/erase/audit.js';
import { defaultAuditKeyPath, loadVerifier } from '../../src/erase/audit-key.js';
import { readZipLayout } from '../../src/erase/container/zip-write.js';
import { buildPlan, loadPlan, type Plan } from '../../src/erase/plan.js';
import { REVIEW_SCHEMA } from '../../src/review/decisions.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';
import {
  expectOpensInLibreOffice,
  fileSha,
  planApproved,
  readJson,
  runUntilCrash,
  SOFFICE,
  scanTree,
  sha256,
} from '../helpers/erase.js';

const FIXTURES = join(PROJECT, 'fixtures/office-media');
const et = new ExifTool({ maxProcs: 1, useMWG: false });
afterAll(() => et.end());

/** A tree with the two fixture documents (and a file outside any plan). */
function pictureTree(extra: Record<string, string | Uint8Array> = {}): { dir: string; root: string } {
  const dir = tempTree({ 'tree/untouched.txt': 'Nothing about anyone.\n', ...extra });
  for (const f of ['pictures.docx', 'pictures.xlsx']) copyFileSync(join(FIXTURES, f), join(dir, 'tree', f));
  return { dir, root: join(dir, 'tree') };
}

/** The docx library names a picture by the hash of its bytes: the tagged photo is the larger one. */
function docxPictures(): { tagged: string; other: string } {
  const parts = unzipSync(readFileSync(join(FIXTURES, 'pictures.docx')));
  const [tagged, other] = Object.keys(parts)
    .filter((n) => n.startsWith('word/media/'))
    .sort((a, b) => parts[b].length - parts[a].length);
  return { tagged, other };
}

/** Each part's raw bytes as stored (local header, compressed data): what "copied compressed" keeps. */
function rawParts(data: Buffer): Map<string, string> {
  return new Map(
    readZipLayout(data).members.map((m) => [m.name, sha256(data.subarray(m.localOffset, m.localEnd))]),
  );
}

function changedParts(before: Buffer, after: Buffer): string[] {
  const a = rawParts(before);
  const b = rawParts(after);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  return [...a].filter(([name, sha]) => b.get(name) !== sha).map(([name]) => name);
}

/** The person tags exiftool reads in a picture's bytes. */
async function personTags(dir: string, bytes: Uint8Array): Promise<Record<string, unknown>> {
  const path = join(dir, `picture-${sha256(bytes).slice(0, 8)}.jpg`);
  writeFileSync(path, bytes);
  const t = (await et.readRaw(path, { readArgs: ['-G1', '-struct'] })) as unknown as Record<string, unknown>;
  rmSync(path);
  const regions = (t['XMP-mwg-rs:RegionInfo'] as { RegionList?: { Name: string }[] } | undefined)?.RegionList;
  return {
    people: t['XMP-iptcExt:PersonInImage'],
    keywords: t['IPTC:Keywords'],
    regions: regions?.map((r) => r.Name),
  };
}

describe('dsr plan: a picture tagging the subject inside an Office document', () => {
  it('is part of the document’s redact-office action (never manual); without --include-possible only the text is planned', () => {
    const { dir, root } = pictureTree();
    const { tagged } = docxPictures();
    const scanPath = scanTree(dir);
    const scan = readJson<ScanFile>(scanPath);
    expect(
      scan.items.map((i) => [i.path.slice(root.length + 1), i.itemPath.join(' › '), i.evidence]).sort(),
    ).toEqual([
      ['pictures.docx', '', 'confirmed'],
      ['pictures.docx', `member ${tagged}`, 'possible'],
      ['pictures.xlsx', 'member xl/media/image1.jpeg', 'possible'],
    ]);
    const plan = readJson<Plan>(planApproved(scanPath, ['--include-possible']));
    const byFile = Object.fromEntries(plan.actions.map((a) => [a.path.slice(root.length + 1), a]));
    expect(Object.keys(byFile).sort()).toEqual(['pictures.docx', 'pictures.xlsx']);
    const docx = byFile['pictures.docx'];
    const xlsx = byFile['pictures.xlsx'];
    expect(docx.kind === 'redact-office' && docx.spans.map((s) => s.detector)).toEqual(['cpr']);
    expect(docx.kind === 'redact-office' && docx.pictures?.map((p) => [p.itemPath, p.spans.length])).toEqual([
      [[`member ${tagged}`], 3],
    ]);
    expect(xlsx).toMatchObject({ kind: 'redact-office', rule: 'subject-tagged-in-picture', spans: [] });
    expect(xlsx.kind === 'redact-office' && xlsx.pictures?.map((p) => p.itemPath)).toEqual([
      ['member xl/media/image1.jpeg'],
    ]);
    // A face tag alone is possible evidence: without --include-possible (or a reviewer) it is not planned.
    const confirmed = readJson<Plan>(planApproved(scanPath, ['--force']));
    expect(confirmed.actions.map((a) => [a.path.slice(root.length + 1), a.kind])).toEqual([
      ['pictures.docx', 'redact-office'],
    ]);
    expect(confirmed.actions[0].kind === 'redact-office' && confirmed.actions[0].pictures).toBeUndefined();
  }, 120_000);

  it("a reviewer's include of the picture approves removing its tags, never deleting the document", () => {
    const { dir } = pictureTree();
    const scan = readJson<ScanFile>(scanTree(dir));
    const at = new Date().toISOString();
    const pictures = scan.items.filter((i) => i.itemPath.length === 1);
    const plan = buildPlan(scan, {
      schema: REVIEW_SCHEMA,
      scanId: scan.scanId,
      decisions: Object.fromEntries(pictures.map((i) => [i.id, { decision: 'include', by: 'DPO', at }])),
    });
    expect(plan.actions.map((a) => [a.path.slice(dir.length + 6), a.kind, a.rule])).toEqual([
      ['pictures.docx', 'redact-office', 'subject-data-in-document'],
      ['pictures.xlsx', 'redact-office', 'subject-tagged-in-picture'],
    ]);
  }, 120_000);

  it('a picture naming the subject only as its author is left for a person, saying which picture', () => {
    const parts = unzipSync(readFileSync(join(FIXTURES, 'pictures.xlsx')));
    parts['xl/media/image3.jpeg'] = readFileSync(join(PROJECT, 'fixtures/media/author.jpg'));
    const { dir } = pictureTree({ 'tree/author.xlsx': zipSync(parts) });
    const plan = readJson<Plan>(planApproved(scanTree(dir), ['--include-possible']));
    const action = plan.actions.find((a) => a.path.endsWith('author.xlsx'));
    expect(action).toMatchObject({ kind: 'manual', rule: 'picture-metadata' });
    expect(action?.kind === 'manual' && action.reason).toContain('xl/media/image3.jpeg');
  }, 120_000);
});

describe('dsr erase: the subject’s tags removed from pictures inside Office documents (built CLI)', () => {
  it('leaves nothing of the subject, every other part and every other person’s tag as it was; the documents still open', async () => {
    const { dir, root } = pictureTree();
    const { tagged, other } = docxPictures();
    const before = {
      docx: readFileSync(join(root, 'pictures.docx')),
      xlsx: readFileSync(join(root, 'pictures.xlsx')),
      untouched: fileSha(join(root, 'untouched.txt')),
    };
    const planPath = planApproved(scanTree(dir), ['--include-possible']);
    const dry = runCli(['erase', planPath]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("would remove the subject's tags from 1 picture(s)");
    expect(readFileSync(join(root, 'pictures.xlsx')).equals(before.xlsx)).toBe(true);

    const run = runCli(['erase', planPath, '--execute']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "redacted 1 span(s) (cpr 1) and removed the subject's tags from 1 picture(s)",
    );
    expect(run.stdout.match(/^\s+done\s/gm)?.length).toBe(2);
    expect(
      (
        await verifyAuditLog(
          planPath.replace(/\.json$/, '.audit.jsonl'),
          await loadVerifier(defaultAuditKeyPath()),
        )
      ).ok,
    ).toBe(true);

    // A re-scan finds nothing of the subject; the file outside the plan is as it was.
    const again = join(dir, 'again.json');
    expect(runCli(['scan', root, '--subject', join(dir, 'subject.json'), '--out', again]).code).toBe(0);
    expect(readJson<ScanFile>(again).items).toEqual([]);
    expect(fileSha(join(root, 'untouched.txt'))).toBe(before.untouched);

    // Only the tagged picture (and the docx's body) were written anew; every other part is copied compressed.
    const docx = readFileSync(join(root, 'pictures.docx'));
    const xlsx = readFileSync(join(root, 'pictures.xlsx'));
    expect(changedParts(before.docx, docx).sort()).toEqual([tagged, 'word/document.xml'].sort());
    expect(changedParts(before.xlsx, xlsx)).toEqual(['xl/media/image1.jpeg']);

    // The subject's face region, name and keyword are gone; Jens's and Karen's tags stay.
    for (const [data, picture, otherPicture] of [
      [docx, tagged, other],
      [xlsx, 'xl/media/image1.jpeg', 'xl/media/image2.jpeg'],
    ] as const) {
      const parts = unzipSync(data);
      expect(await personTags(dir, parts[picture])).toEqual({
        people: ['Jens Mikkelsen'],
        keywords: 'sommerfest', // exiftool gives a one-element list as its value
        regions: ['Jens Mikkelsen'],
      });
      expect(await personTags(dir, parts[otherPicture])).toMatchObject({ people: ['Karen Østergård'] });
    }

    // The libraries that wrote them read them again.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx).buffer);
    expect(wb.getWorksheet('Billeder')!.getImages()).toHaveLength(2);
    await patchDocument({
      outputType: 'nodebuffer',
      data: docx,
      patches: { x: { type: PatchType.PARAGRAPH, children: [new TextRun('x')] } },
    });
    if (SOFFICE) {
      expectOpensInLibreOffice(dir, root, ['pictures.docx', 'pictures.xlsx']);
    }
  }, 300_000);

  it('pictures of a DOCX inside a zip: edit-archive strips their tags with the DOCX’s text redaction', () => {
    const { tagged } = docxPictures();
    const bundle = zipSync({
      'docs/pictures.docx': readFileSync(join(FIXTURES, 'pictures.docx')),
      'readme.txt': new TextEncoder().encode('Intet her.\n'),
    });
    const dir = tempTree({ 'tree/bundle.zip': bundle });
    const planPath = planApproved(scanTree(dir), ['--include-possible']);
    const plan = readJson<Plan>(planPath);
    const action = plan.actions[0];
    expect(
      action.kind === 'edit-archive' && action.members.map((m) => [m.itemPath.join(' › '), m.format]),
    ).toEqual([
      ['member docs/pictures.docx', 'office'],
      [`member docs/pictures.docx › member ${tagged}`, 'media'],
    ]);
    const run = runCli(['erase', planPath, '--execute']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const again = join(dir, 'again.json');
    expect(
      runCli(['scan', join(dir, 'tree'), '--subject', join(dir, 'subject.json'), '--out', again]).code,
    ).toBe(0);
    expect(readJson<ScanFile>(again).items).toEqual([]);
    const after = readFileSync(join(dir, 'tree/bundle.zip'));
    expect(changedParts(Buffer.from(bundle), after)).toEqual(['docs/pictures.docx']);
  }, 120_000);

  it('a picture changed since the scan is stale and the document is left as it was', () => {
    const { dir, root } = pictureTree();
    const planPath = planApproved(scanTree(dir), ['--include-possible']);
    const parts = unzipSync(readFileSync(join(root, 'pictures.xlsx')));
    parts['xl/media/image1.jpeg'] = Buffer.concat([parts['xl/media/image1.jpeg'], Buffer.from([0])]);
    writeFileSync(join(root, 'pictures.xlsx'), zipSync(parts));
    const changed = fileSha(join(root, 'pictures.xlsx'));
    const run = runCli(['erase', planPath, '--execute']);
    expect(run.stdout).toMatch(/stale\s+redact-office\s+\S+pictures\.xlsx/);
    expect(run.stdout).toContain('member xl/media/image1.jpeg changed since the scan');
    expect(fileSha(join(root, 'pictures.xlsx'))).toBe(changed);
  }, 120_000);
});

describe('kill -9 while the tags of a picture in an Office document are removed: a rerun completes', () => {
  it.each(['office:picture-tags-removed', 'rewrite:renamed'])(
    'killed at %s',
    async (step) => {
      const dir = tempTree({ 'tree/pictures.xlsx': readFileSync(join(FIXTURES, 'pictures.xlsx')) });
      const file = join(dir, 'tree/pictures.xlsx');
      const planPath = planApproved(scanTree(dir), ['--include-possible']);
      const old = fileSha(file);
      expect(await runUntilCrash(planPath, step)).toBe('SIGKILL');
      const crashed = fileSha(file);
      // The picture is edited in a private copy before anything is written beside the document.
      if (step === 'office:picture-tags-removed') expect(crashed).toBe(old);
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
      const parts = unzipSync(readFileSync(file));
      expect(await personTags(dir, parts['xl/media/image1.jpeg'])).toMatchObject({
        people: ['Jens Mikkelsen'],
      });
      expect(readdirSync(join(dir, 'tree')).filter((f) => f.includes('.dsr-'))).toEqual([]);
      expect((await verifyAuditLog(`${planPath}.audit`, await loadVerifier(defaultAuditKeyPath()))).ok).toBe(
        true,
      );
    },
    120_000,
  );
});

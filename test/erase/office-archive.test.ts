import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CommentRangeEnd,
  CommentRangeStart,
  CommentReference,
  DeletedTextRun,
  Document,
  ExternalHyperlink,
  Footer,
  FootnoteReferenceRun,
  Header,
  InsertedTextRun,
  Packer,
  Paragraph,
  PatchType,
  patchDocument,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import ExcelJS from 'exceljs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { verifyAuditLog } from '../../src/erase/audit.js';
import { defaultAuditKeyPath, loadVerifier } from '../../src/erase/audit-key.js';
import { readTarMembers } from '../../src/erase/container/tar-write.js';
import { readZipLayout } from '../../src/erase/container/zip-write.js';
import type { Plan } from '../../src/erase/plan.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';
import {
  expectOpensInLibreOffice,
  fileSha,
  planApproved,
  readJson,
  SOFFICE,
  scanTree,
  sha256,
} from '../helpers/erase.js';

const SUBJECT_NAME = 'Søren Kjærgaard Østergård';
const SUBJECT_EMAIL = 'soren.ostergard@example.dk';
const COLLEAGUE = 'Jens Hansen, 22 33 44 55, jens.hansen@firma.dk';
const DATE = new Date('2026-03-02T09:00:00Z');

/** A DOCX with the subject in every place Word keeps text and people (docx, the library the fixtures use). */
async function reportDocx(): Promise<Buffer> {
  const doc = new Document({
    creator: SUBJECT_NAME,
    lastModifiedBy: SUBJECT_NAME,
    title: 'Rapport',
    customProperties: [{ name: 'Kontakt', value: SUBJECT_EMAIL }],
    comments: {
      children: [
        {
          id: 0,
          author: SUBJECT_NAME,
          initials: 'SKØ',
          date: DATE,
          children: [new Paragraph({ children: [new TextRun('Ring på +45 21 43 65 87')] })],
        },
      ],
    },
    footnotes: { 1: { children: [new Paragraph('CPR 150387-1236')] } },
    sections: [
      {
        headers: { default: new Header({ children: [new Paragraph(`Kontakt ${SUBJECT_EMAIL}`)] }) },
        footers: { default: new Footer({ children: [new Paragraph(`Udarbejdet af ${SUBJECT_NAME}`)] }) },
        children: [
          new Paragraph({
            children: [
              new TextRun('Deltager: '),
              new TextRun('Sø'),
              new TextRun({ text: 'ren', bold: true }),
              new TextRun(' Kjærgaard Østergård'),
              new FootnoteReferenceRun(1),
            ],
          }),
          new Table({
            rows: [
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph('CPR')] }),
                  new TableCell({ children: [new Paragraph('150387-1236')] }),
                ],
              }),
            ],
          }),
          new Paragraph({
            children: [
              new CommentRangeStart(0),
              new TextRun(`Kollega: ${COLLEAGUE}`),
              new CommentRangeEnd(0),
              new TextRun({ children: [new CommentReference(0)] }),
            ],
          }),
          new Paragraph({
            children: [
              new InsertedTextRun({
                text: 'Tilføjet',
                id: 1,
                author: SUBJECT_NAME,
                date: DATE.toISOString(),
              }),
              new DeletedTextRun({
                text: 'Slettet 21 43 65 87',
                id: 2,
                author: SUBJECT_NAME,
                date: DATE.toISOString(),
              }),
            ],
          }),
          new Paragraph({
            children: [
              new ExternalHyperlink({ link: `mailto:${SUBJECT_EMAIL}`, children: [new TextRun('Skriv')] }),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** An XLSX with the subject in cells (a CPR typed as a number, shared strings), a formula, a note and properties. */
async function customersXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = SUBJECT_NAME;
  wb.lastModifiedBy = 'Mette Hansen';
  wb.created = DATE;
  wb.modified = DATE;
  const sheet = wb.addWorksheet('Kunder');
  sheet.addRow(['Navn', 'CPR', 'Telefon', 'E-mail']);
  sheet.addRow([SUBJECT_NAME, 1503871236, '21 43 65 87', SUBJECT_EMAIL]);
  sheet.addRow(['Jens Hansen', null, '22 33 44 55', 'jens.hansen@firma.dk']);
  sheet.getCell('E2').value = { formula: 'B2*1', result: 1503871236 };
  sheet.getCell('E3').value = { formula: 'SUM(1,2)', result: 3 };
  sheet.getCell('A5').value = 'Se note';
  sheet.getCell('A5').note = 'Nyt nummer: +45 21 43 65 87';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A ustar archive, as tar writes it (mode, owner, time stamp in each header). */
function tarOf(files: Record<string, string | Uint8Array>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0001750\0', 108, 'latin1');
    h.write('0001750\0', 116, 'latin1');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write(
      `${Math.floor(DATE.getTime() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
      'latin1',
    );
    h.write('        ', 148, 'latin1');
    h.write('0', 156, 'latin1');
    h.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

const enc = (s: string) => Buffer.from(s, 'utf8');

async function buildTree(): Promise<{ dir: string; root: string }> {
  const docx = await reportDocx();
  const inner = zipSync(
    {
      'doc.docx': [docx, { level: 0 }],
      'keep.txt': enc(`Intet om nogen. ${COLLEAGUE}`),
    },
    { mtime: DATE },
  );
  const files: Record<string, string | Uint8Array> = {
    'tree/report.docx': docx,
    'tree/customers.xlsx': await customersXlsx(),
    'tree/nested.zip': zipSync(
      {
        'inner.zip': [inner, { level: 0 }],
        'Søren_Kjærgaard_Østergård.txt': enc(`${SUBJECT_NAME}, CPR 150387-1236\n`),
        'readme.txt': enc('Arkiv oprettet af Mette Hansen.\n'),
        'contact.txt': enc(`Mail ${SUBJECT_EMAIL}\n${COLLEAGUE}\n`),
      },
      { mtime: DATE },
    ),
    'tree/backup.tar': tarOf({
      'home/soren/todo.txt': `Forny pas for ${SUBJECT_NAME}, CPR 1503871236\n${COLLEAGUE}\n`,
      'home/mette/todo.txt': 'Ring til Mette Hansen\n',
    }),
    'tree/untouched.txt': 'Nothing about anyone.\n',
  };
  const dir = tempTree(files);
  for (const f of ['slides.pptx', 'minutes.odt', 'budget.ods', 'talk.odp', 'letter.txt.gz', 'backup.tar.gz'])
    copyFileSync(join(PROJECT, 'fixtures/documents', f), join(dir, 'tree', f));
  return { dir, root: join(dir, 'tree') };
}

function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }))
    if (statSync(join(root, f)).isFile()) out[f] = fileSha(join(root, f));
  return out;
}

/** Each zip member's inflated content and the raw bytes of its local header, data and descriptor. */
function zipParts(data: Buffer): Map<string, { content: Buffer; raw: Buffer; dosTime: string }> {
  const layout = readZipLayout(data);
  const contents = unzipSync(data);
  return new Map(
    layout.members.map((m) => [
      m.name,
      {
        content: Buffer.from(contents[m.name]),
        raw: data.subarray(m.localOffset, m.localEnd),
        dosTime: data.subarray(m.localOffset + 10, m.localOffset + 14).toString('hex'),
      },
    ]),
  );
}

/** Parts unchanged in content are byte-identical compressed; changed parts keep their time stamps. */
function expectOnlyChangedPartsRewritten(before: Buffer, after: Buffer, changed: string[]): void {
  const a = zipParts(before);
  const b = zipParts(after);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  const differing: string[] = [];
  for (const [name, old] of a) {
    const now = b.get(name)!;
    expect(now.dosTime, name).toBe(old.dosTime);
    if (now.content.equals(old.content)) expect(sha256(now.raw), name).toBe(sha256(old.raw));
    else differing.push(name);
  }
  expect(differing.sort()).toEqual([...changed].sort());
}

describe('dsr erase redacts Office documents and archive members in place (built CLI)', () => {
  it('plans no manual action for them; dry run changes nothing; --execute leaves nothing of the subject and every other byte as it was', async () => {
    const { dir, root } = await buildTree();
    const before = hashes(root);
    const originals = new Map(Object.keys(before).map((f) => [f, readFileSync(join(root, f))]));
    const scanPath = scanTree(dir);
    const planPath = planApproved(scanPath);
    const plan = readJson<Plan>(planPath);
    const kinds = Object.fromEntries(plan.actions.map((a) => [a.path.slice(root.length + 1), a.kind]));
    expect(kinds).toEqual({
      'report.docx': 'redact-office',
      'customers.xlsx': 'redact-office',
      'slides.pptx': 'redact-office',
      'minutes.odt': 'redact-office',
      'budget.ods': 'redact-office',
      'talk.odp': 'redact-office',
      'nested.zip': 'edit-archive',
      'backup.tar': 'edit-archive',
      'backup.tar.gz': 'edit-archive',
      'letter.txt.gz': 'edit-archive',
    });
    const nested = plan.actions.find((a) => a.path.endsWith('nested.zip'));
    expect(
      nested?.kind === 'edit-archive' && nested.members.map((m) => [m.itemPath.join(' › '), m.change]),
    ).toEqual([
      ['member Søren_Kjærgaard_Østergård.txt', 'remove'],
      ['member contact.txt', 'redact'],
      ['member inner.zip › member doc.docx', 'redact'],
    ]);

    const dry = runCli(['erase', planPath]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would redact');
    expect(hashes(root)).toEqual(before);

    const run = runCli(['erase', planPath, '--execute']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.match(/^\s+done\s/gm)?.length).toBe(10);
    expect(
      (
        await verifyAuditLog(
          planPath.replace(/\.json$/, '.audit.jsonl'),
          await loadVerifier(defaultAuditKeyPath()),
        )
      ).ok,
    ).toBe(true);

    // Nothing of the subject is found again in any of them; the file outside the plan is as it was.
    const again = runCli([
      'scan',
      root,
      '--subject',
      join(dir, 'subject.json'),
      '--out',
      join(dir, 'again.json'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const rescan = readJson<ScanFile>(join(dir, 'again.json'));
    expect(rescan.items.map((i) => [i.path, i.itemPath])).toEqual([]);
    expect(fileSha(join(root, 'untouched.txt'))).toBe(before['untouched.txt']);

    // Office: only the parts that held the subject's data were written anew.
    const onDisk = (f: string) => readFileSync(join(root, f));
    expectOnlyChangedPartsRewritten(originals.get('report.docx')!, onDisk('report.docx'), [
      'docProps/core.xml',
      'docProps/custom.xml',
      'word/_rels/document.xml.rels',
      'word/comments.xml',
      'word/document.xml',
      'word/footer1.xml',
      'word/footnotes.xml',
      'word/header1.xml',
    ]);
    expectOnlyChangedPartsRewritten(originals.get('customers.xlsx')!, onDisk('customers.xlsx'), [
      'docProps/core.xml',
      'xl/comments1.xml',
      'xl/sharedStrings.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    expectOnlyChangedPartsRewritten(originals.get('minutes.odt')!, onDisk('minutes.odt'), [
      'content.xml',
      'meta.xml',
    ]);
    const docXml = Buffer.from(unzipSync(onDisk('report.docx'))['word/document.xml']).toString('utf8');
    expect(docXml).toContain('Deltager: </w:t>');
    expect(docXml).toContain('[REDACTED-NAME]');
    expect(docXml).toContain(COLLEAGUE);
    expect(docXml).not.toMatch(/Østergård|150387-1236|21 43 65 87/);
    const sheetXml = Buffer.from(unzipSync(onDisk('customers.xlsx'))['xl/worksheets/sheet1.xml']).toString(
      'utf8',
    );
    // The CPR typed as a number became a text cell with the placeholder; the formula is kept.
    expect(sheetXml).toContain('<is><t xml:space="preserve">[REDACTED-CPR]</t></is>');
    expect(sheetXml).toContain('<f>B2*1</f>');
    expect(sheetXml).toContain('<f>SUM(1,2)</f>');

    // The libraries that wrote them open them again.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(onDisk('customers.xlsx')).buffer);
    const cells = wb
      .getWorksheet('Kunder')!
      .getSheetValues()
      .flat()
      .map((v) => JSON.stringify(v))
      .join('|');
    expect(cells).toContain('22 33 44 55');
    expect(cells).not.toContain('150387');
    await patchDocument({
      outputType: 'nodebuffer',
      data: onDisk('report.docx'),
      patches: {
        x: { type: PatchType.PARAGRAPH, children: [new TextRun('x')] },
      },
    });

    // Archives: the removed member is gone, the redacted ones keep their time stamps, the rest are byte-identical.
    const outer = zipParts(onDisk('nested.zip'));
    const outerBefore = zipParts(originals.get('nested.zip')!);
    expect([...outer.keys()].sort()).toEqual(['contact.txt', 'inner.zip', 'readme.txt']);
    expect(sha256(outer.get('readme.txt')!.raw)).toBe(sha256(outerBefore.get('readme.txt')!.raw));
    expect(outer.get('inner.zip')!.dosTime).toBe(outerBefore.get('inner.zip')!.dosTime);
    expect(outer.get('contact.txt')!.content.toString()).toBe(`Mail [REDACTED-EMAIL]\n${COLLEAGUE}\n`);
    const inner = zipParts(outer.get('inner.zip')!.content);
    const innerBefore = zipParts(outerBefore.get('inner.zip')!.content);
    expect(sha256(inner.get('keep.txt')!.raw)).toBe(sha256(innerBefore.get('keep.txt')!.raw));
    expect(inner.get('doc.docx')!.content.equals(onDisk('report.docx'))).toBe(true);
    const tar = onDisk('backup.tar');
    const tarBefore = originals.get('backup.tar')!;
    const [soren, mette] = readTarMembers(tar);
    const [sorenBefore, metteBefore] = readTarMembers(tarBefore);
    expect(
      tar.subarray(mette.start, mette.end).equals(tarBefore.subarray(metteBefore.start, metteBefore.end)),
    ).toBe(true);
    // Header kept but for size and checksum: name, mode, owner, time stamp.
    expect(tar.subarray(soren.header, soren.header + 124)).toEqual(
      tarBefore.subarray(sorenBefore.header, sorenBefore.header + 124),
    );
    expect(tar.subarray(soren.header + 136, soren.header + 148)).toEqual(
      tarBefore.subarray(sorenBefore.header + 136, sorenBefore.header + 148),
    );
    expect(tar.subarray(soren.dataAt, soren.dataAt + soren.size).toString()).toBe(
      `Forny pas for [REDACTED-NAME], CPR [REDACTED-CPR]\n${COLLEAGUE}\n`,
    );
    const listed = spawnSync('tar', ['-tvf', join(root, 'backup.tar')], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('2026-03-02');

    if (SOFFICE) {
      // LibreOffice opens each redacted document (the PPTX fixture is too bare for it even before).
      expectOpensInLibreOffice(dir, root, [
        'report.docx',
        'customers.xlsx',
        'minutes.odt',
        'budget.ods',
        'talk.odp',
      ]);
    }
  }, 300_000);

  it('a document or member changed since the scan is stale and left as it is', async () => {
    const { dir, root } = await buildTree();
    const scanPath = scanTree(dir);
    const planPath = planApproved(scanPath);
    // The docx changed on disk; a member of the zip changed (the archive rewritten around it).
    writeFileSync(
      join(root, 'report.docx'),
      Buffer.concat([readFileSync(join(root, 'report.docx')), Buffer.from(' ')]),
    );
    const members = unzipSync(readFileSync(join(root, 'nested.zip')));
    members['contact.txt'] = enc(`Mail ${SUBJECT_EMAIL}, ny linje\n`);
    writeFileSync(join(root, 'nested.zip'), zipSync(members, { mtime: DATE }));
    const before = hashes(root);
    const run = runCli(['erase', planPath, '--execute']);
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/stale\s+redact-office\s+\S+report\.docx/);
    expect(run.stdout).toMatch(/stale\s+edit-archive\s+\S+nested\.zip/);
    expect(run.stdout).toContain('member contact.txt changed since the scan');
    expect(fileSha(join(root, 'report.docx'))).toBe(before['report.docx']);
    expect(fileSha(join(root, 'nested.zip'))).toBe(before['nested.zip']);
  }, 120_000);
});

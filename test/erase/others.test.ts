import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemRecord, ScanFile } from '../../src/core/types.js';
import { type Action, buildPlan, type Plan } from '../../src/erase/plan.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { mboxOf, planApproved, readJson, scanTree, writeScan } from '../helpers/erase.js';

/**
 * "An item holding any other person's CPR number, e-mail address or phone number is never deleted
 * whole": per format family (text, mail, office, archive member) and per kind of identifier, through
 * a real subject scan (no --all), a reviewer's include of every item, dsr plan and dsr erase.
 */

const SUBJECT_LINE = 'Søren Kjærgaard Østergård, CPR 150387-1236';
const OTHER = {
  cpr: 'Jens Hansens CPR er 010190-1234',
  email: 'skriv til jens.hansen@firma.dk',
  phone: 'ring til Jens Hansen på 22 33 44 55',
} as const;
type Kind = keyof typeof OTHER;
const KINDS: Kind[] = ['cpr', 'email', 'phone'];
const COUNT: Record<Kind, string> = {
  cpr: '1 CPR number',
  email: '1 e-mail address',
  phone: '1 phone number',
};

function eml(id: string, body: string, extra = ''): string {
  return [
    'From: Søren Østergård <soren.ostergard@example.dk>',
    'To: Jens Hansen <jens.hansen@firma.dk>',
    'Cc: Karen Jensen <karen.jensen@firma.dk>',
    'Subject: Opfølgning',
    `Message-ID: <${id}@example.dk>`,
    'Date: Mon, 2 Mar 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    extra || 'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

/** A message whose own text holds nothing of the subject, with the subject's CV attached. */
function withAttachment(id: string, body: string): string {
  return eml(
    id,
    [
      '--B',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '--B',
      'Content-Type: text/plain; charset=utf-8; name="cv.txt"',
      'Content-Disposition: attachment; filename="cv.txt"',
      '',
      `CV: ${SUBJECT_LINE}`,
      '--B--',
    ].join('\r\n'),
    'Content-Type: multipart/mixed; boundary="B"',
  ).replace(
    'From: Søren Østergård <soren.ostergard@example.dk>',
    'From: Karen Jensen <karen.jensen@firma.dk>',
  );
}

async function xlsx(rows: (string | number)[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Ark1');
  for (const r of rows) sheet.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function docx(lines: string[]): Promise<Uint8Array> {
  const doc = new Document({ sections: [{ children: lines.map((l) => new Paragraph(l)) }] });
  return new Uint8Array(await Packer.toBuffer(doc));
}

describe("a subject scan's plan never deletes other people's data (built CLI, every item included)", () => {
  const dir = tempTree();
  const root = join(dir, 'tree');
  let scan: ScanFile;
  let plan: Plan;
  const at = (rel: string, itemPath: string[] = []): Action => {
    const a = plan.actions.find(
      (x) => x.path === join(root, rel) && x.itemPath.join('|') === itemPath.join('|'),
    );
    if (!a) throw new Error(`no action for ${rel} ${itemPath.join(' › ')}`);
    return a;
  };

  beforeAll(async () => {
    const files: Record<string, string | Uint8Array> = {};
    for (const k of KINDS) {
      // Text named after the subject (a folder of that name): deleted whole only without others.
      files[`Søren_Østergård/${k}.txt`] = `${SUBJECT_LINE}\nKollega: ${OTHER[k]}\n`;
      files[`mail/${k}.eml`] = eml(k, `Hej\r\n${OTHER[k]} i morgen.\r\nMvh Søren`);
      files[`mail/attached-${k}.eml`] = withAttachment(`att-${k}`, `Se vedhæftede. ${OTHER[k]}.`);
      files[`docs/${k}.zip`] = zipSync({ 'notes.txt': Buffer.from(`${SUBJECT_LINE}\n${OTHER[k]}\n`) });
    }
    files['Søren_Østergård/own.txt'] = `${SUBJECT_LINE}\n`;
    files['mail/header-only.eml'] = eml('plain', 'Tak for sidst.\r\nMvh Søren');
    files['Maildir/cur/1.host:2,S'] = eml('md-phone', `${OTHER.phone}.`);
    files['Maildir/cur/2.host:2,S'] = eml('md-plain', 'Tak for sidst.');
    mkdirSync(join(root, 'Maildir/new'), { recursive: true });
    mkdirSync(join(root, 'Maildir/tmp'), { recursive: true });
    files['mail/inbox.mbox'] = mboxOf([
      `From soren.ostergard@example.dk Mon Mar  2 09:00:00 2026\n${eml('mb-phone', `${OTHER.phone}.`).replace(/\r\n/g, '\n')}`,
      `From soren.ostergard@example.dk Mon Mar  2 09:00:00 2026\n${eml('mb-plain', 'Tak for sidst.').replace(/\r\n/g, '\n')}`,
    ]).data;
    files['docs/kolleger.xlsx'] = await xlsx([
      ['Navn', 'CPR', 'Telefon'],
      ['Søren Kjærgaard Østergård', '150387-1236', '21 43 65 87'],
      ['Jens Hansen', '', '22 33 44 55'],
    ]);
    files['docs/adresser.xlsx'] = await xlsx([
      ['Søren Kjærgaard Østergård', 'soren.ostergard@example.dk'],
      ['Jens Hansen', 'jens.hansen@firma.dk'],
    ]);
    files['docs/brev.docx'] = await docx([`Vedr. ${SUBJECT_LINE}`, OTHER.cpr]);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), content);
    }
    const scanPath = scanTree(dir);
    scan = readJson<ScanFile>(scanPath);
    expect(scan.options?.all).toBe(false);
    // The reviewer includes every item: "this is the subject's, erase it".
    const decisions = Object.fromEntries(
      scan.items.map((i) => [i.id, { decision: 'include', by: 'reviewer', at: '2026-03-02T10:00:00Z' }]),
    );
    writeFileSync(
      join(dir, 'scan.review.json'),
      JSON.stringify({ schema: 'dsr.review/2', scanId: scan.scanId, decisions }),
    );
    const out = join(dir, 'included.plan.json');
    const r = runCli(['plan', scanPath, '--out', out]);
    expect(r.code).toBe(0);
    plan = readJson<Plan>(out);
  }, 60_000);

  it("counts other people's phone numbers in a subject scan, as their CPR numbers and e-mail addresses", () => {
    const item = (rel: string): ItemRecord => scan.items.find((i) => i.path === join(root, rel))!;
    expect(item('Søren_Østergård/phone.txt').others).toEqual({ phone: 1 });
    expect(item('docs/kolleger.xlsx').others).toEqual({ phone: 1 });
    // A message's correspondents are counted apart from the others in its text.
    expect(item('mail/phone.eml')).toMatchObject({ others: { email: 2, phone: 1 }, correspondents: 2 });
    expect(item('mail/header-only.eml')).toMatchObject({ others: { email: 2 }, correspondents: 2 });
    // The subject only in an attachment: the others in the message's own text are still known.
    const attached = scan.items.find((i) => i.path === join(root, 'mail/attached-phone.eml'))!;
    expect(attached.itemPath).toEqual(['attachment cv.txt']);
    expect(attached.messageOthers).toEqual({ phone: 1 });
  });

  it('text: redacted, never deleted, when named after the subject and included', () => {
    for (const k of KINDS) {
      const a = at(`Søren_Østergård/${k}.txt`);
      expect([k, a.kind, a.rule]).toEqual([k, 'redact-text', 'shared-file-redact']);
    }
    expect(at('Søren_Østergård/own.txt').kind).toBe('delete-file');
  });

  it("mail: a message with another person's identifier in its text is manual; correspondents alone do not block; the subject's attachment is removed, the message kept", () => {
    for (const k of KINDS) {
      const a = at(`mail/${k}.eml`);
      expect([k, a.kind]).toEqual([k, 'manual']);
      expect(a.kind === 'manual' && a.reason).toContain(`${COUNT[k]} of other people`);
      // The subject only in an attachment: the message (and the other person in its text) stays.
      const att = at(`mail/attached-${k}.eml`, ['attachment cv.txt']);
      expect([k, att.kind, att.others]).toEqual([k, 'remove-attachment', undefined]);
    }
    expect(at('mail/header-only.eml').kind).toBe('delete-file');
    expect(at('Maildir/cur/1.host:2,S').kind).toBe('manual');
    expect(at('Maildir/cur/2.host:2,S').kind).toBe('delete-maildir-message');
    expect(at('mail/inbox.mbox', ['message <mb-phone@example.dk>']).kind).toBe('manual');
    expect(at('mail/inbox.mbox', ['message <mb-plain@example.dk>']).kind).toBe('remove-mbox-message');
  });

  it('office: a document with a colleague’s phone, e-mail or CPR is redacted in place, never deleted, even after a reviewer’s include', () => {
    for (const rel of ['docs/kolleger.xlsx', 'docs/adresser.xlsx', 'docs/brev.docx']) {
      const a = at(rel);
      expect([rel, a.kind, a.rule]).toEqual([rel, 'redact-office', 'shared-file-redact']);
    }
  });

  it('archive member: redacted in place (never removed) when it also holds other people’s identifiers', () => {
    for (const k of KINDS) {
      const a = at(`docs/${k}.zip`);
      expect([k, a.kind, a.rule]).toEqual([k, 'edit-archive', 'archive-members']);
      expect(a.kind === 'edit-archive' && a.members.map((m) => [m.itemPath, m.change])).toEqual([
        [['member notes.txt'], 'redact'],
      ]);
    }
  });

  it('dsr erase --execute redacts the spreadsheet and keeps the colleague’s phone in it', async () => {
    const xlsxPath = join(root, 'docs/kolleger.xlsx');
    const planPath = planApproved(join(dir, 'scan.json'));
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.code).toBe(5); // manual actions are left for a person
    expect(existsSync(xlsxPath)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxPath);
    const cells = wb.worksheets[0].getSheetValues().flat().map(String).join('|');
    expect(cells).toContain('22 33 44 55');
    expect(cells).not.toContain('150387-1236');
    expect(cells).toContain('[REDACTED-CPR]');
    // What may go, went: a message with only its correspondents, a file that is the subject's alone.
    expect(existsSync(join(root, 'mail/header-only.eml'))).toBe(false);
    expect(existsSync(join(root, 'Søren_Østergård/own.txt'))).toBe(false);
    expect(existsSync(join(root, 'mail/phone.eml'))).toBe(true);
  }, 60_000);
});

describe('buildPlan: other people in messages (hand-built scan)', () => {
  const dir = tempTree();
  const msg = (kind: 'mbox' | 'imap', n: number) =>
    kind === 'mbox'
      ? {
          path: '/r/mail.mbox',
          itemPath: [`message <${n}@x>`],
          message: {
            kind,
            itemPath: [`message <${n}@x>`],
            fingerprint: { offset: n * 10, length: 10, sha256: String(n).repeat(64) },
          },
        }
      : {
          path: `imap://anna@127.0.0.1:1143/INBOX;UIDVALIDITY=7/;UID=${n}`,
          itemPath: [],
          message: { kind, itemPath: [], fingerprint: { uidValidity: '7', uid: n } },
        };
  const scan = readJson<ScanFile>(
    writeScan(
      dir,
      ['/r', 'imap://anna@127.0.0.1:1143/INBOX'],
      [
        { id: 'a', ...msg('mbox', 1), others: { email: 3 }, correspondents: 3 },
        { id: 'b', ...msg('mbox', 2), others: { email: 3 }, correspondents: 2 },
        { id: 'c', ...msg('imap', 3), others: { phone: 1 } },
        { id: 'd', ...msg('imap', 4), others: { email: 1 }, correspondents: 1 },
        {
          id: 'e',
          ...msg('imap', 5),
          itemPath: ['attachment cv.pdf'],
          messageOthers: { cpr: 2 },
          fingerprint: { sha256: 'e'.repeat(64) },
        },
      ],
    ),
  );
  const include = {
    schema: 'dsr.review/2' as const,
    scanId: scan.scanId,
    decisions: Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((id) => [id, { decision: 'include' as const, by: 'r', at: 'now' }]),
    ),
  };

  it('an address in the body (not a correspondent) blocks removal; an IMAP message too; a reviewer cannot override; an attachment is removed alone', () => {
    for (const review of [undefined, include]) {
      const kinds = Object.fromEntries(buildPlan(scan, review).actions.map((a) => [a.items.join(), a.kind]));
      expect(kinds).toEqual({
        a: 'remove-mbox-message',
        b: 'manual',
        c: 'manual',
        d: 'expunge-imap-message',
        // The subject only in an attachment: it is removed, and the message with the others' CPR numbers kept.
        e: 'remove-attachment',
      });
    }
    const reasons = Object.fromEntries(
      buildPlan(scan, include).actions.map((a) => [a.items.join(), a.kind === 'manual' ? a.reason : '']),
    );
    expect(reasons.b).toContain('1 e-mail address of other people');
    expect(reasons.c).toContain('1 phone number of other people');
    expect(buildPlan(scan, include).actions.find((a) => a.items.join() === 'e')).toMatchObject({
      itemPath: ['attachment cv.pdf'],
      container: 'imap',
      uid: 5,
      attachmentSha256: 'e'.repeat(64),
    });
  });
});

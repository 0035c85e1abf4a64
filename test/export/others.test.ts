/**
 * dsr export and other people's data (GDPR art. 15(4), 20: the copy must not adversely affect the
 * rights of others): masked copies by default, items that cannot be masked left out with the reason,
 * --unredacted raw copies with a warning, and a warning for a draft.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskText } from '../../src/export/mask-text.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { subjectOf } from '../helpers/detector-tester.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const CSV = [
  'navn;cpr;email;telefon',
  'Søren Kjærgaard Østergård;150387-1236;soren.ostergard@example.dk;+45 21 43 65 87',
  'Anna Berg;010190-1234;anna.berg@firma.dk;22 33 44 55',
  'Jens Hansen;020285-4321;jens.hansen@firma.dk;31 41 59 26',
  '',
].join('\n');

/** Attachments that hold nothing of the subject: part of the message, no items of their own. */
const ATTACHED_LIST = 'Deltagere: Anna Berg (CPR 010190-1234), jens.hansen@firma.dk\n';

async function pdf(lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  for (const [i, l] of lines.entries()) page.drawText(l, { x: 50, y: 780 - i * 20, size: 12, font });
  return doc.save();
}

async function xlsx(rows: string[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Ark1');
  for (const r of rows) sheet.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function message(attachedPdf: Uint8Array): string {
  return [
    'From: Søren Østergård <soren.ostergard@example.dk>',
    'To: Jens Hansen <jens.hansen@firma.dk>',
    'Subject: Opkald',
    'Message-ID: <opkald-1@example.dk>',
    'Date: Mon, 2 Mar 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hej Jens, ring til Anna på 22 33 44 55. Mit nummer er +45 21 43 65 87.',
    '--B',
    'Content-Type: text/plain; charset=utf-8; name="deltagere.txt"',
    'Content-Disposition: attachment; filename="deltagere.txt"',
    '',
    ATTACHED_LIST,
    '--B',
    'Content-Type: application/pdf; name="kontrakt.pdf"',
    'Content-Disposition: attachment; filename="kontrakt.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(attachedPdf).toString('base64'),
    '--B--',
    '',
  ].join('\r\n');
}

interface Manifest {
  unredacted: boolean;
  items: {
    id: string;
    file: string;
    original: { path: string; itemPath: string[] };
    sha256: string;
    sourceSha256: string;
    copy: string;
    masked: Record<string, number>;
    note: string;
    leftOut: { part: string; reason: string }[];
  }[];
  notExported: { id: string; original: { path: string }; reason: string; message: string }[];
}

describe("dsr export: other people's data", () => {
  let dir: string;
  let scanPath: string;
  let scan: { scanId: string; items: { id: string; path: string; itemPath: string[]; evidence: string }[] };
  const path = (rel: string) => join(dir, 'share', rel);
  const run = (name: string, ...args: string[]) => {
    const out = join(dir, name);
    const r = runCli(['export', scanPath, '--out', out, ...args]);
    const files = unzipSync(readFileSync(out));
    const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')) as Manifest;
    const copyOf = (rel: string) => {
      const entry = manifest.items.find((i) => i.original.path === path(rel));
      return entry && { entry, text: Buffer.from(files[entry.file]).toString('utf8') };
    };
    return { ...r, manifest, copyOf };
  };
  const review = (decisions: Record<string, string>) =>
    writeFileSync(
      join(dir, 'scan.review.json'),
      JSON.stringify({
        schema: 'dsr.review/2',
        scanId: scan.scanId,
        decisions: Object.fromEntries(
          Object.entries(decisions).map(([id, decision]) => [
            id,
            { decision, by: 't', at: '2026-03-02T10:00:00Z' },
          ]),
        ),
      }),
    );

  beforeAll(async () => {
    const contractPdf = await pdf([
      'Kontrakt: Soren Kjaergaard Ostergaard, CPR 150387-1236',
      'Vidne: CPR 010190-1234',
    ]);
    dir = tempTree({
      'share/hr/personaleliste.csv': CSV,
      'share/hr/kontrakt.pdf': contractPdf,
      'share/hr/cv.pdf': await pdf(['CV: Soren Kjaergaard Ostergaard', 'CPR 150387-1236']),
      'share/hr/kolleger.xlsx': await xlsx([
        ['Søren Kjærgaard Østergård', '150387-1236'],
        ['Anna Berg', '22 33 44 55'],
      ]),
      'share/mail/opkald.eml': message(await pdf(['Vidne: Anna Berg, CPR 010190-1234'])),
      'share/misc/meeting.txt': 'Mødet med Søren Østergård er flyttet til torsdag.\n',
    });
    mkdirSync(join(dir, 'out'), { recursive: true });
    scanPath = join(dir, 'scan.json');
    const r = runCli(['scan', join(dir, 'share'), '--subject', writeSubject(dir), '--out', scanPath]);
    expect(r.code).toBe(0);
    scan = JSON.parse(readFileSync(scanPath, 'utf8'));
  }, 60_000);

  it('warns on stderr when the report is a draft, and when --include-possible brings in unreviewed items', () => {
    const draft = run('draft.zip');
    expect(draft.stderr).toContain(
      'Warning: the report is a draft: 1 possible and 0 namesake item(s) have not been reviewed and are not in the export. Review them (dsr review), then export again.',
    );
    const possible = run('possible.zip', '--include-possible');
    expect(possible.stderr).not.toContain('the report is a draft');
    expect(possible.stderr).toContain(
      'Warning: 1 possible item(s) (name or face tag only) that nobody has reviewed are in the export (--include-possible): review them before sending it.',
    );
    expect(possible.copyOf('misc/meeting.txt')?.entry.copy).toBe('raw');
  });

  it("masks two colleagues' CPR numbers, e-mail addresses and phones in a CSV, keeps the subject's", () => {
    const meeting = scan.items.find((i) => i.path === path('misc/meeting.txt'))!;
    review({ [meeting.id]: 'exclude' });
    const r = run('masked.zip');
    expect(r.stderr).not.toContain('Warning');
    const csv = r.copyOf('hr/personaleliste.csv')!;
    expect(csv.text).toBe(
      [
        'navn;cpr;email;telefon',
        'Søren Kjærgaard Østergård;150387-1236;soren.ostergard@example.dk;+45 21 43 65 87',
        'Anna Berg;0101XX-XXXX;a***@firma.dk;22XXXX55',
        'Jens Hansen;0202XX-XXXX;j***@firma.dk;31XXXX26',
        '',
      ].join('\n'),
    );
    expect(csv.entry).toMatchObject({
      copy: 'masked',
      masked: { email: 2, phone: 2, cpr: 2 },
      note: "other people's identifiers masked: 2 e-mail addresses, 2 phone numbers, 2 CPR numbers",
    });
    expect(csv.entry.sha256).toBe(sha(Buffer.from(csv.text)));
    expect(csv.entry.sourceSha256).toBe(sha(Buffer.from(CSV)));
    // A PDF with only the subject's data goes as it is.
    const cv = r.copyOf('hr/cv.pdf')!;
    expect(cv.entry).toMatchObject({ copy: 'raw', note: "no other people's identifiers found" });
    expect(cv.entry.sha256).toBe(sha(readFileSync(path('hr/cv.pdf'))));
  });

  it('leaves out a PDF and an Office document with other people in them, with the reason, and exits 3', () => {
    const r = run('left-out.zip');
    expect(r.code).toBe(3);
    const left = Object.fromEntries(
      r.manifest.notExported.map((n) => [n.original.path.slice(dir.length + 7), n]),
    );
    expect(Object.keys(left).sort()).toEqual(['hr/kolleger.xlsx', 'hr/kontrakt.pdf']);
    expect(left['hr/kontrakt.pdf']).toMatchObject({
      reason: 'others',
      message:
        'it holds 1 CPR number of other people; PDF copies cannot be masked yet: request a manual copy with them blacked out',
    });
    expect(left['hr/kolleger.xlsx'].message).toBe(
      'it holds 1 phone number of other people; Office documents cannot be masked yet: request a manual copy with them blacked out',
    );
    expect(r.copyOf('hr/kontrakt.pdf')).toBeUndefined();
    expect(r.stderr).toContain('need a manual copy');
  });

  it('rewrites a message: other people masked in headers, text and a text attachment; a PDF attachment left out and listed', () => {
    const r = run('message.zip');
    const m = r.copyOf('mail/opkald.eml')!;
    expect(m.entry.copy).toBe('masked');
    expect(m.entry.leftOut).toEqual([
      {
        part: 'attachment kontrakt.pdf',
        reason: 'PDF copies cannot be masked yet: request a manual copy with them blacked out',
      },
    ]);
    expect(m.text).toContain('soren.ostergard@example.dk');
    expect(m.text).toContain('To: Jens Hansen <j***@firma.dk>');
    expect(m.text).not.toContain('jens.hansen@firma.dk');
    expect(m.text).not.toContain('kontrakt.pdf');
    expect(r.stderr).toContain('left out of');
    // Read back as the scan reads mail: the body and the attachment, masked.
    const back = tempTree({ 'copy.eml': m.text });
    const view = join(back, 'view.json');
    runCli(['scan', back, '--all', '--subject', writeSubject(back), '--out', view]);
    const findings = (
      JSON.parse(readFileSync(view, 'utf8')) as { findings: { subject: boolean; value: string }[] }
    ).findings;
    expect(findings.filter((f) => !f.subject)).toEqual([]);
    expect(findings.filter((f) => f.subject).map((f) => f.value)).toEqual(
      expect.arrayContaining(['+4521436587', 'soren.ostergard@example.dk']),
    );
    expect(m.text).toMatch(/22XXXX55/);
    // Addresses: Jens's in To and in the attachment, and the Message-ID, which reads as one.
    expect(m.entry.masked).toEqual({ email: 3, phone: 1, cpr: 1 });
    expect(m.text).toContain('Message-ID: <o***@example.dk>');
  });

  it('--unredacted copies every item raw, with a warning on stderr and a flag in the manifest', () => {
    const r = run('raw.zip', '--unredacted');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'Warning: --unredacted: the copies are raw and may disclose other people\'s CPR numbers, e-mail addresses and phone numbers (GDPR art. 15(4)); manifest.json says "unredacted": true.',
    );
    expect(r.manifest.unredacted).toBe(true);
    expect(r.manifest.notExported).toEqual([]);
    const csv = r.copyOf('hr/personaleliste.csv')!;
    expect(csv.text).toBe(CSV);
    expect(csv.entry).toMatchObject({ copy: 'raw', masked: {} });
    for (const rel of ['hr/kontrakt.pdf', 'hr/kolleger.xlsx'])
      expect(r.copyOf(rel)?.entry.sha256).toBe(sha(readFileSync(path(rel))));
  });
});

describe('maskText: JSON and HTML as the scan reads them', () => {
  const subject = subjectOf();
  const text = (b: Buffer) => b.toString('utf8');

  it('masks escaped JSON strings and a phone stored as a number, and the document still parses', () => {
    const json =
      '{"navn":"Anna","email":"anna.berg\\u0040firma.dk","tlf":22334455,"mig":"soren.ostergard@example.dk"}';
    const r = maskText(Buffer.from(json), 'json', subject);
    expect(JSON.parse(text(r.data))).toEqual({
      navn: 'Anna',
      email: 'a***@firma.dk',
      tlf: '22XXXX55',
      mig: 'soren.ostergard@example.dk',
    });
    expect(r.spans.map((s) => s.detector).sort()).toEqual(['email', 'phone']);
  });

  it('masks visible text and mailto links in HTML, tags untouched', () => {
    const html =
      '<p>Ring til <b>22 33 44 55</b> eller skriv til <a href="mailto:anna.berg@firma.dk">Anna</a>; Søren: 21 43 65 87</p>';
    expect(text(maskText(Buffer.from(html), 'html', subject).data)).toBe(
      '<p>Ring til <b>22XXXX55</b> eller skriv til <a href="mailto:a***@firma.dk">Anna</a>; Søren: 21 43 65 87</p>',
    );
  });

  it('writes the text back in its own encoding (Windows-1252)', () => {
    const latin = Buffer.from('Søren 150387-1236, Åse 010190-1234\n', 'latin1');
    expect(maskText(latin, 'text', subject).data).toEqual(
      Buffer.from('Søren 150387-1236, Åse 0101XX-XXXX\n', 'latin1'),
    );
  });
});

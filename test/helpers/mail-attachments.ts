import { PDFDocument, StandardFonts } from 'pdf-lib';
import { listAttachments } from '../../src/erase/mime-edit.js';
import { sha256 } from './erase.js';

/** Fake people only: the subject (as in SUBJECT) and a colleague. */
export const CV_TEXT = [
  'Curriculum vitae',
  'Søren Kjærgaard Østergård',
  'CPR 150387-1236',
  'soren.ostergard@example.dk',
];

/** A one-page PDF with these lines (pdf-lib, a standard font: Latin-1 letters only). */
export async function pdfWith(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([400, 300]);
  for (const [i, l] of lines.entries()) page.drawText(l, { x: 30, y: 260 - i * 20, size: 12, font });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * A message from one colleague to another (nothing of the subject in its headers or text) with the
 * subject's CV as a PDF, a shared text attachment (the subject and a colleague's phone), and a
 * colleague's spreadsheet-like CSV that holds nobody's identifiers.
 */
export function messageWithAttachments(
  id: string,
  parts: { cv?: Buffer; shared?: string; other?: string } = {},
  eol = '\r\n',
): string {
  const lines = [
    'From: Karen Jensen <karen.jensen@firma.dk>',
    'To: Jens Hansen <jens.hansen@firma.dk>',
    'Subject: Ansøgninger',
    `Message-ID: <${id}@firma.dk>`,
    'Date: Mon, 2 Mar 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XB"',
    '',
    'This is a multi-part message in MIME format.',
    '--XB',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Hej Jens, her er ansøgningerne til stillingen.',
    'Mvh Karen',
  ];
  if (parts.cv)
    lines.push(
      '--XB',
      'Content-Type: application/pdf; name="cv.pdf"',
      'Content-Disposition: attachment; filename="cv.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(parts.cv),
    );
  if (parts.shared !== undefined)
    lines.push(
      '--XB',
      'Content-Type: text/plain; charset=utf-8; name="noter.txt"',
      'Content-Disposition: attachment; filename="noter.txt"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from(parts.shared)),
    );
  if (parts.other !== undefined)
    lines.push(
      '--XB',
      'Content-Type: text/csv; name="budget.csv"',
      'Content-Disposition: attachment; filename="budget.csv"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      parts.other,
    );
  lines.push('--XB--', '');
  return lines.join('\r\n').replace(/\r\n/g, eol);
}

/** sha256 of every MIME part of a message, by the name the scan gives it ('body' for the rest). */
export async function partHashes(message: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of await listAttachments(message)) out[p.segment] = sha256(message.subarray(p.start, p.end));
  return out;
}

/**
 * The review screen's detail pane shows as much of the text around each finding as the terminal has
 * room for, for every kind of item: read again from a plain-text file, an mbox message's body, a Word
 * document, a PDF page and a spreadsheet's cells. A small terminal shows a line each side, a tall one
 * many; every finding of the item is listed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import { render } from 'ink-testing-library';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readTextAgain } from '../../cli/review/open-item.js';
import { ReviewApp } from '../../cli/review/ReviewApp.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import type { ScanFile } from '../../src/core/types.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { readJson } from '../helpers/erase.js';

const SUBJECT_LINE = 'Søren Kjærgaard Østergård, CPR 150387-1236';
/** 41 lines, the subject's on line 21 (`linje 21` is not written: the subject's line is there). */
const LINES = Array.from({ length: 41 }, (_, i) => (i === 20 ? SUBJECT_LINE : `linje ${i + 1}`));

async function pdf(lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 1000]);
  for (const [i, l] of lines.entries()) page.drawText(l, { x: 40, y: 970 - i * 22, size: 11, font });
  return doc.save();
}

async function xlsx(lines: string[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Udlæg');
  for (const l of lines)
    sheet.addRow(l === SUBJECT_LINE ? ['Søren Kjærgaard Østergård', '150387-1236'] : [l, 'x']);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function docx(lines: string[]): Promise<Uint8Array> {
  const doc = new Document({ sections: [{ children: lines.map((l) => new Paragraph(l)) }] });
  return new Uint8Array(await Packer.toBuffer(doc));
}

function mbox(lines: string[]): string {
  return [
    'From mette@example.com Mon Jan  6 10:00:00 2025',
    'From: Mette Holm <mette@example.com>',
    'To: Jonas <jonas@example.net>',
    'Subject: Referat',
    'Message-ID: <ref-1@example.com>',
    'Date: Mon, 6 Jan 2025 10:00:00 +0100',
    '',
    ...lines,
    '',
  ].join('\n');
}

let scan: ScanFile;
let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});

beforeAll(async () => {
  const dir = tempTree({ 'share/notes.txt': `${LINES.join('\n')}\n`, 'share/mail.mbox': mbox(LINES) });
  writeFileSync(join(dir, 'share/referat.docx'), await docx(LINES));
  writeFileSync(join(dir, 'share/side.pdf'), await pdf(LINES));
  writeFileSync(join(dir, 'share/udlaeg.xlsx'), await xlsx(LINES));
  const out = join(dir, 'scan.json');
  const r = runCli(['scan', join(dir, 'share'), '--subject', writeSubject(dir), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  scan = readJson<ScanFile>(out);
});

/** The review screen with only the item at `name` (`height` rows of terminal), once its text is read again. */
async function screenOf(name: string, height: number): Promise<string> {
  const item = scan.items.find((i) => i.path.endsWith(name));
  expect(item, name).toBeDefined();
  const one = { ...scan, items: [item!], findings: scan.findings.filter((f) => f.itemId === item!.id) };
  let read = false;
  const r = render(
    <ReviewApp
      index={buildIndex(one)}
      review={{ decisions: {} }}
      reviewer="anna"
      width={100}
      height={height}
      onSave={async () => ''}
      onExit={() => {}}
      readText={async (record, findings, signal) => {
        const text = await readTextAgain(record, findings, signal);
        expect(text, `${name} was not read again`).toBeDefined();
        read = true;
        return text;
      }}
    />,
  );
  unmounts.push(r.unmount);
  const until = Date.now() + 20_000;
  while (!read && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  // Ink draws at most 30 times a second.
  await new Promise((res) => setTimeout(res, 200));
  return r.lastFrame() ?? '';
}

const has = (frame: string, line: number) => new RegExp(`linje ${line}\\b`).test(frame);

describe('the detail pane grows with the terminal, for every kind of item', () => {
  it.each(['notes.txt', 'mail.mbox', 'referat.docx', 'side.pdf', 'udlaeg.xlsx'])(
    '%s: a line each side on 24 rows, ten on 60',
    async (name) => {
      const small = await screenOf(name, 24);
      expect(has(small, 20) && has(small, 22), small).toBe(true);
      expect(has(small, 18) || has(small, 24), small).toBe(false);

      const tall = await screenOf(name, 60);
      for (const line of [11, 15, 20, 22, 26, 31])
        expect(has(tall, line), `${name} line ${line}\n${tall}`).toBe(true);
      expect(has(tall, 5) || has(tall, 37), tall).toBe(false);
      // Every finding of the item is listed: the subject's name and CPR number.
      expect(tall).toMatch(/ name /);
      expect(tall).toMatch(/ cpr /);
    },
  );

  it("a spreadsheet's cells stay apart", async () => {
    const tall = await screenOf('udlaeg.xlsx', 60);
    expect(tall).toContain('Søren Kjærgaard Østergård⇥150387-1236');
    expect(tall).toContain('linje 19⇥x');
  });
});

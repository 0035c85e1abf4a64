/**
 * Bench part `documents`: dsr scan on generated PDFs and Office files (DOCX, XLSX), with poppler's
 * `pdftotext` (same 2-way parallelism) as the anchor for PDF, and an in-process split of where the
 * time goes (extraction vs detection). Documents are slow per byte, so the corpus is 1/20 of `--size`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { scanTopLevel } from '../src/engine/scan-item.js';
import { compileSubject } from '../src/match/subject.js';
import {
  type BenchPart,
  DSR,
  formatRow,
  mbPerSec,
  measure,
  sameFindings,
  type Throughput,
  which,
} from './api.js';
import { BENCH_SUBJECT } from './text-corpus.js';

const VERSION = 1;
const FIRST = ['Mette', 'Jonas', 'Anne', 'Peter', 'Sofie', 'Lars', 'Ida', 'Mads'];
const LAST = ['Hansen', 'Nielsen', 'Jensen', 'Pedersen', 'Larsen', 'Holm', 'Vestergaard'];

/** Deterministic filler: a Danish-looking memo line with other people's (fake) contact data. */
function line(i: number): string {
  const who = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
  return `${i}. ${who} ringede om sag ${1000 + i}; tlf ${20_000_000 + ((i * 7919) % 9_000_000)}, ${who.toLowerCase().replace(' ', '.')}@example.com. Opfølgning aftalt.`;
}

const SUBJECT_LINE = 'Vedr. Søren Kjærgaard Østergård, CPR 150387-1236, soren.ostergard@example.dk';

async function pdfFile(seed: number, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    for (let l = 0; l < 45; l++) {
      const n = seed * 10_000 + p * 100 + l;
      const text = l === 10 && p === 1 && seed % 5 === 0 ? SUBJECT_LINE : line(n);
      page.drawText(text, { x: 30, y: 800 - l * 17, size: 9, font });
    }
  }
  return doc.save();
}

async function docxFile(seed: number, paragraphs: number): Promise<Uint8Array> {
  const children = Array.from({ length: paragraphs }, (_, i) =>
    i === 20 && seed % 5 === 0
      ? new Paragraph({
          children: [
            new TextRun('Vedr. Sø'),
            new TextRun({ text: 'ren', bold: true }),
            new TextRun(' Kjærgaard Østergård, CPR 150387-1236'),
          ],
        })
      : new Paragraph(line(seed * 10_000 + i)),
  );
  return new Uint8Array(
    await Packer.toBuffer(new Document({ creator: 'Mette Hansen', sections: [{ children }] })),
  );
}

async function xlsxFile(seed: number, rows: number): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Kunder');
  for (let r = 0; r < rows; r++) {
    const n = seed * 10_000 + r;
    if (r === 30 && seed % 5 === 0)
      ws.addRow(['Søren Kjærgaard Østergård', 1503871236, 21436587, 'soren.ostergard@example.dk']);
    else
      ws.addRow([
        `${FIRST[n % FIRST.length]} ${LAST[(n * 3) % LAST.length]}`,
        20_000_000 + ((n * 7919) % 9_000_000),
        `Sag ${n}`,
        n * 1.5,
      ]);
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

interface Corpus {
  version: number;
  pdf: { dir: string; files: number; bytes: number };
  office: { dir: string; files: number; bytes: number };
}

function dirStats(dir: string): { dir: string; files: number; bytes: number } {
  const names = readdirSync(dir);
  return { dir, files: names.length, bytes: names.reduce((n, f) => n + statSync(join(dir, f)).size, 0) };
}

async function corpus(benchDir: string, sizeMb: number, log: (l: string) => void): Promise<Corpus> {
  const docMb = Math.max(2, Math.round(sizeMb / 20));
  const root = join(benchDir, `documents-${docMb}mb`);
  const manifest = `${root}.manifest.json`;
  if (existsSync(manifest)) {
    const c = JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
    if (c.version === VERSION) {
      log(`corpus: reusing ${root}`);
      return c;
    }
  }
  log(`corpus: generating ~${docMb} MB of PDF and ~${docMb} MB of Office files in ${root} …`);
  rmSync(root, { recursive: true, force: true });
  const pdfDir = join(root, 'pdf');
  const officeDir = join(root, 'office');
  mkdirSync(pdfDir, { recursive: true });
  mkdirSync(officeDir, { recursive: true });
  const target = docMb * 1024 * 1024;
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const data = await pdfFile(i, 10 + (i % 20));
    writeFileSync(join(pdfDir, `report-${i}.pdf`), data);
    bytes += data.length;
  }
  bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const data = i % 2 ? await xlsxFile(i, 500 + (i % 7) * 200) : await docxFile(i, 300 + (i % 7) * 100);
    writeFileSync(join(officeDir, `file-${i}.${i % 2 ? 'xlsx' : 'docx'}`), data);
    bytes += data.length;
  }
  const c: Corpus = { version: VERSION, pdf: dirStats(pdfDir), office: dirStats(officeDir) };
  writeFileSync(manifest, JSON.stringify(c, null, 2));
  return c;
}

/** Extraction alone (no detectors) vs the whole pipeline, in this process, on up to `max` files. */
async function whereTimeGoes(dir: string, max: number): Promise<{ extractMs: number; totalMs: number }> {
  const subject = compileSubject(BENCH_SUBJECT);
  const files = readdirSync(dir).slice(0, max);
  const run = async (detectors?: []) => {
    const t = performance.now();
    for (const f of files) {
      const absPath = join(dir, f);
      await scanTopLevel(
        {
          ref: { path: absPath, itemPath: [] },
          name: basename(f),
          source: { kind: 'file', absPath, size: statSync(absPath).size },
          depth: 0,
        },
        { subject, all: false, limits: DEFAULT_LIMITS, ...(detectors ? { detectors } : {}) },
      );
    }
    return performance.now() - t;
  };
  await run([]); // warm up: module loading and JIT
  // The faster of two runs each: a shared machine adds noise that can exceed the detection share.
  const extractMs = Math.min(await run([]), await run([]));
  const totalMs = Math.min(await run(), await run());
  return { extractMs, totalMs: Math.max(totalMs, extractMs) };
}

/** Rounds of the full scan, a first `dsr index` and an indexed query, interleaved: medians travel. */
const INDEX_ROUNDS = 3;

/**
 * The PDFs' full scan, first index and indexed query, interleaved over INDEX_ROUNDS rounds (the first
 * reuses the part's full scan): on a shared machine the load drifts, so each round's ratios are taken
 * within the round and the medians reported, with the load average.
 */
async function indexRounds(
  set: Corpus['pdf'],
  firstFull: Throughput,
  how: {
    subject: string;
    outDir: string;
    row: (label: string, set: Corpus['pdf'], cmd: string, args: string[]) => Promise<Throughput>;
    dsr: () => Promise<Throughput>;
    log: (line: string) => void;
  },
): Promise<void> {
  const { subject, outDir, row, log } = how;
  const index = join(outDir, 'documents-pdf.idx');
  const rounds: { full: number; index: number; query: number; same: boolean }[] = [];
  for (let r = 0; r < INDEX_ROUNDS; r++) {
    const full = r === 0 ? firstFull : await how.dsr();
    for (const f of [index, `${index}.key`, `${index}-wal`, `${index}-shm`]) rmSync(f, { force: true });
    const built = await row('dsr index (pdf)', set, process.execPath, [
      DSR,
      'index',
      set.dir,
      '--index',
      index,
      '--no-progress',
    ]);
    const indexed = join(outDir, 'documents-pdf-indexed.scan.json');
    const query = await row('dsr scan --index (pdf)', set, process.execPath, [
      DSR,
      'scan',
      set.dir,
      '--subject',
      subject,
      '--index',
      index,
      '--no-progress',
      '--force',
      '--out',
      indexed,
    ]);
    const same = identicalFindings(join(outDir, 'documents-pdf.scan.json'), indexed);
    rounds.push({ full: full.m.wallMs, index: built.m.wallMs, query: query.m.wallMs, same });
    log(
      `  round ${r + 1}: indexed query ${(full.m.wallMs / query.m.wallMs).toFixed(1)}x faster than the full scan, first index ${(built.m.wallMs / full.m.wallMs).toFixed(2)}x its time; findings ${same ? 'identical' : 'DIFFERENT'}; ${loadAverage()}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  log(
    `index (median of ${rounds.length} rounds): full scan ${secs(median(rounds.map((x) => x.full)))}, first index ${secs(median(rounds.map((x) => x.index)))} (${median(rounds.map((x) => x.index / x.full)).toFixed(2)}x the full scan), indexed query ${secs(median(rounds.map((x) => x.query)))} (${median(rounds.map((x) => x.full / x.query)).toFixed(1)}x faster); findings ${rounds.every((x) => x.same) ? 'identical' : 'DIFFERENT'}`,
  );
}

/** Findings whole (ids, locations, contexts, evidence) of two scan files, in any order. */
function identicalFindings(a: string, b: string): boolean {
  const all = (path: string) =>
    (JSON.parse(readFileSync(path, 'utf8')).findings as unknown[]).map((f) => JSON.stringify(f)).sort();
  return sameFindings(a, b) && JSON.stringify(all(a)) === JSON.stringify(all(b));
}

function loadAverage(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`;
}

const documents: BenchPart = {
  name: 'documents',
  description: 'PDF (anchor: pdftotext) and Office files (DOCX, XLSX) with fake people',
  async run({ sizeMb, benchDir, log }) {
    const c = await corpus(benchDir, sizeMb, log);
    const subject = join(benchDir, 'subject.json');
    writeFileSync(subject, JSON.stringify(BENCH_SUBJECT));
    const outDir = join(benchDir, 'out');
    mkdirSync(outDir, { recursive: true });
    const row = async (label: string, set: { files: number; bytes: number }, cmd: string, args: string[]) => {
      const m = await measure(cmd, args);
      if (m.code !== 0) throw new Error(`${label} failed (exit ${m.code}): ${m.stderr.slice(-2000)}`);
      const t: Throughput = { label, files: set.files, bytes: set.bytes, m };
      log(formatRow(t));
      return t;
    };
    const dsr = (set: Corpus['pdf'], name: string) =>
      row(`dsr scan (${name})`, set, process.execPath, [
        DSR,
        'scan',
        set.dir,
        '--subject',
        subject,
        '--no-progress',
        '--force',
        '--out',
        join(outDir, `documents-${name}.scan.json`),
      ]);
    log(
      `${c.pdf.files} PDFs, ${(c.pdf.bytes / 1048576).toFixed(1)} MB; ${c.office.files} Office files, ${(c.office.bytes / 1048576).toFixed(1)} MB\n`,
    );
    // dsr and its anchor interleaved, three times: on a shared machine the load drifts within minutes.
    const pdftotext = which('pdftotext');
    if (!pdftotext) log('pdftotext not found (Debian: poppler-utils): no PDF anchor');
    const ratios: number[] = [];
    let dsrPdf = await dsr(c.pdf, 'pdf');
    for (let round = 0; pdftotext && round < 3; round++) {
      if (round > 0) dsrPdf = await dsr(c.pdf, 'pdf');
      const anchor = await row('pdftotext (-P2)', c.pdf, 'sh', [
        '-c',
        `find "${c.pdf.dir}" -name '*.pdf' -print0 | xargs -0 -P2 -I{} "${pdftotext}" -q {} /dev/null`,
      ]);
      ratios.push(mbPerSec(dsrPdf) / mbPerSec(anchor));
    }
    if (ratios.length) {
      const median = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)];
      log(
        `ratio dsr/pdftotext (throughput, median of ${ratios.length} interleaved runs): ${median.toFixed(2)}x (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      );
    }
    await dsr(c.office, 'office');

    // The index where reading costs most. Every fifth PDF holds the subject: those are candidates.
    await indexRounds(c.pdf, dsrPdf, { subject, outDir, row, dsr: () => dsr(c.pdf, 'pdf'), log });
    log('\nwhere time goes (one thread, in process, 10 files each):');
    for (const [name, set] of [
      ['pdf', c.pdf],
      ['office', c.office],
    ] as const) {
      const { extractMs, totalMs } = await whereTimeGoes(set.dir, 10);
      const share = Math.round((100 * extractMs) / totalMs);
      log(
        `  ${name.padEnd(7)} extraction ${extractMs.toFixed(0)} ms, detection ${(totalMs - extractMs).toFixed(0)} ms (${share}% extraction)`,
      );
    }
  },
};

export default documents;

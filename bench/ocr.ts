/**
 * `npm run bench -- --only ocr`: scanned pages read by OCR. The corpus is A4 pages at 150 dpi of
 * Danish letters (grayscale PNGs, as a document scanner saves them), a quarter of them to the subject.
 * dsr scans the folder; the anchor is `tesseract PAGE - -l dan+eng tsv` run directly on the same pages
 * in the same run, as many at once as there are cores (dsr's workers use every core too), one OpenMP
 * thread each. On a shared machine the load changes from minute to minute: dsr and the anchor run in
 * turn, a few rounds, and the median ratio is printed with the load average (target >= 0.8x).
 * Then one scanned PDF of those pages, its pages spread over two workers against read by one, and a
 * text PDF with a logo on each page (which must not be shared out).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { type BenchPart, DSR, type Measured, measure, sameFindings, which } from './api.js';
import { BENCH_SUBJECT } from './text-corpus.js';

const VERSION = 2;
const DPI = 150;
const PEOPLE = ['Mette Frederiksen Holm', 'Jens Peter Madsen', 'Aase Bøgh Rasmussen', 'Ole Kjær Nørgaard'];

function pageSvg(i: number): Buffer {
  const subject = i % 4 === 0;
  const who = subject ? BENCH_SUBJECT.name : PEOPLE[i % PEOPLE.length];
  const email = subject ? BENCH_SUBJECT.emails[0] : `${who.split(' ')[0].toLowerCase()}@firma.dk`;
  const lines = [
    `Sag nr. ${1000 + i}`,
    `Kære ${who}`,
    'Vi bekræfter hermed modtagelsen af din ansøgning om flytning til Åbyhøj.',
    'Sagen behandles inden for fire uger. Har du spørgsmål, er du velkommen',
    `til at skrive til os. Din kontakt: ${email}`,
    `Telefon: 21 43 ${String(10 + i).padStart(2, '0')} 87`,
    'Med venlig hilsen',
    'Borgerservice, Østergade 12, 8000 Aarhus C',
  ];
  const w = Math.round(8.27 * DPI);
  const h = Math.round(11.69 * DPI);
  const text = lines
    .map((l, k) => `<text x="90" y="${150 + k * 50}" font-size="28" font-family="DejaVu Sans">${l}</text>`)
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`,
  );
}

/** The PNG with its pHYs (resolution) replaced by DPI (sharp's `density` would make the image RGB). */
function withDpi(png: Buffer): Buffer {
  const ihdrEnd = 33;
  const parts = [png.subarray(0, ihdrEnd)];
  for (let at = ihdrEnd; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) !== 'pHYs') parts.push(png.subarray(at, at + 12 + length));
    at += 12 + length;
  }
  const chunk = Buffer.alloc(21);
  chunk.writeUInt32BE(9, 0);
  chunk.write('pHYs', 4, 'latin1');
  const perMetre = Math.round(DPI / 0.0254);
  chunk.writeUInt32BE(perMetre, 8);
  chunk.writeUInt32BE(perMetre, 12);
  chunk[16] = 1;
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 17)), 17);
  parts.splice(1, 0, chunk);
  return Buffer.concat(parts);
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

async function buildCorpus(dir: string, pages: number): Promise<void> {
  const done = join(dir, '.done');
  if (existsSync(done) && readFileSync(done, 'utf8') === String(pages)) return;
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < pages; i++) {
    const png = await sharp(pageSvg(i))
      .flatten({ background: '#ffffff' })
      .grayscale()
      .toColourspace('b-w')
      .png()
      .toBuffer();
    writeFileSync(join(dir, `side-${String(i).padStart(3, '0')}.png`), withDpi(png));
  }
  writeFileSync(done, String(pages));
}

/** A PDF of these page images (no text layer), each page A4. */
async function scannedPdf(pngs: Buffer[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const png of pngs) {
    const page = doc.addPage([595, 842]);
    page.drawImage(await doc.embedPng(png), { x: 0, y: 0, width: 595, height: 842 });
  }
  return doc.save({ useObjectStreams: false });
}

/** A PDF of text pages, each with its own small logo image (a letterhead), a quarter to the subject. */
async function textPdfWithLogos(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const logo = await sharp({
      create: { width: 96, height: 48, channels: 3, background: { r: 20 + i, g: 80, b: 160 } },
    })
      .png()
      .toBuffer();
    const page = doc.addPage([595, 842]);
    page.drawImage(await doc.embedPng(logo), { x: 460, y: 770, width: 96, height: 48 });
    const who = i % 4 === 0 ? BENCH_SUBJECT.name : PEOPLE[i % PEOPLE.length];
    const email = i % 4 === 0 ? BENCH_SUBJECT.emails[0] : `${who.split(' ')[0].toLowerCase()}@firma.dk`;
    const lines = [`Sag nr. ${2000 + i}`, `Kære ${who}`, `Din kontakt: ${email}`];
    for (let k = 0; k < 40; k++)
      lines.push(`Linje ${k + 1}: vi bekræfter hermed modtagelsen af din ansøgning.`);
    lines.forEach((l, k) => {
      page.drawText(l, { x: 60, y: 740 - k * 16, size: 11, font });
    });
  }
  return doc.save({ useObjectStreams: false });
}

/** Builds one file once (a `.done` marker beside it holds `version`). */
async function buildOnce(path: string, version: string, make: () => Promise<Uint8Array>): Promise<void> {
  const done = `${path}.done`;
  if (existsSync(path) && existsSync(done) && readFileSync(done, 'utf8') === version) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await make());
  writeFileSync(done, version);
}

const ROUNDS = 3;

/** dsr scan of `target` into `out`, with `-j` and one environment variable when given. */
type Scan = (target: string, out: string, how?: { jobs?: string; env?: string }) => Promise<Timed>;
const CPU_MARK = 'DSR_BENCH_CPU=';

interface Timed extends Measured {
  /** User + system CPU of the command and its children (GNU time), when known. */
  cpuMs?: number;
}

/** Runs `argv` to completion (exit 0, or 3 for a scan with errors), timing its wall clock and CPU. */
async function timed(argv: string[]): Promise<Timed> {
  const gnu = existsSync('/usr/bin/time');
  const m = gnu
    ? await measure('/usr/bin/time', ['-f', `${CPU_MARK}%U %S`, ...argv])
    : await measure(argv[0], argv.slice(1));
  if (m.code !== 0 && m.code !== 3)
    throw new Error(`${basename(argv[1] ?? argv[0])} exited ${m.code}: ${m.stderr.slice(-500)}`);
  const at = m.stderr.lastIndexOf(CPU_MARK);
  if (at < 0) return m;
  const [user, sys] = m.stderr
    .slice(at + CPU_MARK.length)
    .trim()
    .split(/\s+/)
    .map(Number);
  return { ...m, cpuMs: (user + sys) * 1000 };
}

/**
 * `a` and `b` run ROUNDS times each, alternately and in turn first, so that both meet the same load
 * on a shared machine; logs each round and returns the medians and the median ratio of b's wall time
 * to a's (a's speed relative to b's).
 */
async function interleaved(
  log: (line: string) => void,
  names: [string, string],
  a: () => Promise<Timed>,
  b: () => Promise<Timed>,
): Promise<{ a: Timed[]; b: Timed[]; ratio: number }> {
  const as: Timed[] = [];
  const bs: Timed[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
    ratios.push(bs[r].wallMs / as[r].wallMs);
    log(
      `  round ${r + 1}: ${names[0]} ${secs(as[r])} | ${names[1]} ${secs(bs[r])} | ${ratios[r].toFixed(2)}x`,
    );
  }
  return { a: as, b: bs, ratio: median(ratios) };
}

function secs(t: Timed): string {
  const cpu = t.cpuMs === undefined ? '' : ` (CPU ${(t.cpuMs / 1000).toFixed(1)} s)`;
  return `${(t.wallMs / 1000).toFixed(2)} s${cpu}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function medianWall(ts: Timed[]): number {
  return median(ts.map((t) => t.wallMs));
}

function load(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')} on ${availableParallelism()} cores`;
}

const ocr: BenchPart = {
  name: 'ocr',
  description: 'scanned A4 pages (150 dpi PNG): dsr scan vs tesseract -l dan+eng run directly',
  async run({ benchDir, sizeMb, log }) {
    const tesseract = which('tesseract');
    if (!tesseract) {
      log('tesseract not found (Debian: tesseract-ocr tesseract-ocr-dan tesseract-ocr-eng): skipped');
      return;
    }
    // --size scales the page count (the default 300 gives 24 pages; OCR costs ~0.7 s of CPU a page).
    const pages = Math.max(4, Math.round((sizeMb / 300) * 24));
    const root = join(benchDir, `ocr-v${VERSION}`);
    const dir = join(root, `pages-${pages}`);
    await buildCorpus(dir, pages);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort();
    const subjectPath = join(root, 'subject.json');
    writeFileSync(subjectPath, JSON.stringify(BENCH_SUBJECT));
    const scan: Scan = (target, out, how = {}) =>
      timed([
        ...(how.env ? ['env', how.env] : []),
        process.execPath,
        DSR,
        'scan',
        target,
        '--subject',
        subjectPath,
        '--force',
        '--no-progress',
        '--out',
        out,
        ...(how.jobs ? ['-j', how.jobs] : []),
      ]);
    const outDir = join(root, 'direct');
    mkdirSync(outDir, { recursive: true });
    const jobs = String(availableParallelism());
    const direct = () =>
      timed([
        'sh',
        '-c',
        'cd "$1" && ls *.png | OMP_THREAD_LIMIT=1 xargs -P "$2" -I{} sh -c \'tesseract "$0" - -l dan+eng tsv > "$1/$0.tsv" 2>/dev/null\' {} "$3"',
        'sh',
        dir,
        jobs,
        outDir,
      ]);
    const scanPath = join(root, 'scan.json');
    log(`${files.length} pages, dsr scan and tesseract -P ${jobs} interleaved, ${ROUNDS} rounds; ${load()}`);
    const pagesRun = await interleaved(log, ['dsr', 'tesseract'], () => scan(dir, scanPath), direct);
    const perSec = (ms: number) => ((files.length / ms) * 1000).toFixed(2);
    log(
      `median: dsr ${perSec(medianWall(pagesRun.a))} pages/s, tesseract direct ${perSec(medianWall(pagesRun.b))} pages/s; ` +
        `ratio dsr/tesseract ${pagesRun.ratio.toFixed(2)}x (target >= 0.8x); ${load()}`,
    );
    // The same pages hold the subject's address in both.
    const email = BENCH_SUBJECT.emails[0];
    const directPages = files.filter((f) => readFileSync(join(outDir, `${f}.tsv`), 'utf8').includes(email));
    const found = JSON.parse(readFileSync(scanPath, 'utf8')) as {
      findings: { path: string; value: string }[];
    };
    const dsrPages = [
      ...new Set(found.findings.filter((f) => f.value === email).map((f) => basename(f.path))),
    ].sort();
    log(
      `same pages with the subject's e-mail: ${JSON.stringify(dsrPages) === JSON.stringify(directPages) ? 'yes' : 'NO'} (dsr ${dsrPages.length}, tesseract ${directPages.length})`,
    );

    // One PDF of scanned pages: its pages spread over the workers, against the same PDF read by one.
    const pdfPages = Math.min(files.length, 8);
    const scannedPath = join(root, `scanned-${pdfPages}`, 'scannet.pdf');
    await buildOnce(scannedPath, String(pdfPages), () =>
      scannedPdf(files.slice(0, pdfPages).map((f) => readFileSync(join(dir, f)))),
    );
    await comparePdf(log, `one scanned PDF of ${pdfPages} pages`, scannedPath, scan, pdfPages);

    // A PDF of text pages with a logo on each: never shared out, so no slower.
    const logosPath = join(root, 'text-with-logos', 'breve.pdf');
    await buildOnce(logosPath, '1', () => textPdfWithLogos(60));
    await comparePdf(log, 'one text PDF of 60 pages, a logo on each', logosPath, scan);
  },
};

/** dsr -j 2 on one PDF, its pages spread over the workers or not (DSR_PDF_SHARES=0), interleaved. */
async function comparePdf(
  log: (line: string) => void,
  what: string,
  pdf: string,
  scan: Scan,
  pages?: number,
): Promise<void> {
  const spread = join(dirname(pdf), 'spread.json');
  const whole = join(dirname(pdf), 'whole.json');
  log(`${what}, dsr -j 2: spread over the workers vs read by one (DSR_PDF_SHARES=0); ${load()}`);
  const r = await interleaved(
    log,
    ['spread', 'one'],
    () => scan(pdf, spread, { jobs: '2' }),
    () => scan(pdf, whole, { jobs: '2', env: 'DSR_PDF_SHARES=0' }),
  );
  const rate = (ms: number) =>
    pages ? `${((pages / ms) * 1000).toFixed(2)} pages/s` : `${(ms / 1000).toFixed(2)} s`;
  log(
    `median: spread ${rate(medianWall(r.a))}, one worker ${rate(medianWall(r.b))}; ratio ${r.ratio.toFixed(2)}x; ` +
      `same findings: ${sameFindings(spread, whole) ? 'yes' : 'NO'}; ${load()}`,
  );
}

export default ocr;

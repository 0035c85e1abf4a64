/**
 * `npm run bench -- --only ocr`: scanned pages read by OCR. The corpus is A4 pages at 150 dpi of
 * Danish letters (grayscale PNGs, as a document scanner saves them), a quarter of them to the subject.
 * dsr scans the folder; the anchor is `tesseract PAGE - -l dan+eng tsv` run directly on the same pages
 * in the same run, as many at once as there are cores (dsr's workers use every core too), one OpenMP
 * thread each. Prints pages per second and the ratio (target >= 0.8x).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { type BenchPart, DSR, formatRow, measure, type Throughput, which } from './api.js';
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

const ocr: BenchPart = {
  name: 'ocr',
  description: 'scanned A4 pages (150 dpi PNG): dsr scan vs tesseract -l dan+eng run directly',
  async run({ benchDir, sizeMb, log }) {
    const tesseract = which('tesseract');
    if (!tesseract) {
      log('tesseract not found (Debian: tesseract-ocr tesseract-ocr-dan tesseract-ocr-eng): skipped');
      return;
    }
    // --size scales the page count (the default 300 gives 24 pages; OCR costs ~0.5 s of CPU a page).
    const pages = Math.max(4, Math.round((sizeMb / 300) * 24));
    const root = join(benchDir, `ocr-v${VERSION}`);
    const dir = join(root, `pages-${pages}`);
    await buildCorpus(dir, pages);
    const files = readdirSync(dir).filter((f) => f.endsWith('.png'));
    const bytes = files.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    const subjectPath = join(root, 'subject.json');
    writeFileSync(subjectPath, JSON.stringify(BENCH_SUBJECT));
    const scanPath = join(root, 'scan.json');
    const dsrRun = await measure(process.execPath, [
      DSR,
      'scan',
      dir,
      '--subject',
      subjectPath,
      '--force',
      '--out',
      scanPath,
    ]);
    if (dsrRun.code !== 0 && dsrRun.code !== 3)
      throw new Error(`dsr scan exited ${dsrRun.code}: ${dsrRun.stderr.slice(-500)}`);
    const dsr: Throughput = { label: 'dsr scan (OCR)', files: files.length, bytes, m: dsrRun };
    log(`${formatRow(dsr)}   ${((files.length / dsrRun.wallMs) * 1000).toFixed(2)} pages/s`);
    const outDir = join(root, 'direct');
    mkdirSync(outDir, { recursive: true });
    const jobs = String(availableParallelism());
    const direct = await measure('sh', [
      '-c',
      'cd "$1" && ls *.png | OMP_THREAD_LIMIT=1 xargs -P "$2" -I{} sh -c \'tesseract "$0" - -l dan+eng tsv > "$1/$0.tsv" 2>/dev/null\' {} "$3"',
      'sh',
      dir,
      jobs,
      outDir,
    ]);
    const anchor: Throughput = {
      label: `tesseract direct (-P ${jobs})`,
      files: files.length,
      bytes,
      m: direct,
    };
    log(`${formatRow(anchor)}   ${((files.length / direct.wallMs) * 1000).toFixed(2)} pages/s`);
    log(`ratio dsr/tesseract (pages/s): ${(direct.wallMs / dsrRun.wallMs).toFixed(2)}x (target >= 0.8x)`);
    // The same pages hold the subject's address in both.
    const email = BENCH_SUBJECT.emails[0];
    const directPages = files
      .filter((f) => readFileSync(join(outDir, `${f}.tsv`), 'utf8').includes(email))
      .sort();
    const scan = JSON.parse(readFileSync(scanPath, 'utf8')) as {
      findings: { path: string; value: string }[];
    };
    const dsrPages = [
      ...new Set(scan.findings.filter((f) => f.value === email).map((f) => f.path.slice(dir.length + 1))),
    ].sort();
    log(
      `same pages with the subject's e-mail: ${JSON.stringify(dsrPages) === JSON.stringify(directPages) ? 'yes' : 'NO'} (dsr ${dsrPages.length}, tesseract ${directPages.length})`,
    );
  },
};

export default ocr;

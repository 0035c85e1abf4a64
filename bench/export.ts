/**
 * Bench part `export`: one large customer export (a CSV of fake people, 1/4 of `--size`) with the
 * subject on one row. It measures what a single big file costs — a subject scan, `--all`, `dsr index`
 * and the indexed query — above all their peak memory, which must stay bounded whatever the file size.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type BenchPart, DSR, formatRow, measure, sameFindings, type Throughput } from './api.js';
import { bigFiles } from './big-files.js';
import { BENCH_SUBJECT } from './text-corpus.js';

const VERSION = 1;
const FIRST = ['Mette', 'Jonas', 'Anne', 'Peter', 'Sofie', 'Lars', 'Ida', 'Mads', 'Freja', 'Emil'];
const LAST = ['Hansen', 'Nielsen', 'Jensen', 'Pedersen', 'Larsen', 'Holm', 'Vestergaard', 'Berg'];
/**
 * Someone the export does not hold, whatever its size: no name, address, phone (rows have 30,000,000
 * and up) or CPR number (row i has the serial 1000 + i mod 9000, and its year 50 + i mod 50) of theirs.
 */
const SOMEONE_ELSE = {
  name: 'Karen Margrethe Lund',
  emails: ['karen.lund@example.org'],
  phones: ['+45 29 29 29 29'],
  cpr: ['010190-1234'],
};
/** The bound the memory figures are held to (issue "Speed…": peak RSS under 300 MB on any corpus). */
const RSS_BOUND_MB = 300;

interface Corpus {
  version: number;
  path: string;
  bytes: number;
  rows: number;
}

function row(i: number): string {
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i * 7) % LAST.length];
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  const cpr = `${day}${month}${String(50 + (i % 50)).padStart(2, '0')}-${String(1000 + (i % 9000))}`;
  return `${i};${first} ${last};${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com;${30_000_000 + i};${cpr};Vestergade ${i % 200}\n`;
}

function generate(dir: string, sizeMb: number): Corpus {
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    const c = JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
    if (c.version === VERSION && Math.abs(c.bytes / 1024 / 1024 - sizeMb) < 1 && existsSync(c.path)) return c;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kunder.csv');
  const fd = openSync(path, 'w');
  const target = sizeMb * 1024 * 1024;
  let bytes = 0;
  let rows = 0;
  let planted = false;
  while (bytes < target) {
    let block = '';
    for (let n = 0; n < 10_000; n++) block += row(rows++);
    if (!planted && bytes > target / 2) {
      block += `999999;${BENCH_SUBJECT.name};${BENCH_SUBJECT.emails[0]};${BENCH_SUBJECT.phones[0]};${BENCH_SUBJECT.cpr[0]};Østergade 1\n`;
      planted = true;
    }
    bytes += writeSync(fd, block);
  }
  closeSync(fd);
  const corpus: Corpus = { version: VERSION, path, bytes: statSync(path).size, rows };
  writeFileSync(manifest, JSON.stringify(corpus));
  return corpus;
}

const exportPart: BenchPart = {
  name: 'export',
  description: 'one large customer export (CSV, 1/4 of --size): time and peak memory of a single big file',
  async run({ sizeMb, benchDir, log }) {
    const dir = join(benchDir, 'export');
    const mb = Math.max(1, Math.round(sizeMb / 4));
    log(
      `corpus: ${existsSync(join(dir, 'data', 'manifest.json')) ? 'checking' : 'generating'} ~${mb} MB in ${dir} …`,
    );
    const c = generate(join(dir, 'data'), mb);
    log(
      `1 file, ${(c.bytes / 1024 / 1024).toFixed(1)} MB, ${c.rows.toLocaleString('en')} rows; the subject on one of them\n`,
    );
    const subject = join(dir, 'subject.json');
    writeFileSync(subject, JSON.stringify(BENCH_SUBJECT));
    const out = (name: string) => join(dir, `${name}.scan.json`);
    const index = join(dir, 'export.idx');
    rmSync(index, { force: true });
    rmSync(`${index}.key`, { force: true });
    const peaks: number[] = [];
    const run = async (label: string, args: string[], ok: number[], bytes = c.bytes) => {
      const m = await measure(process.execPath, [DSR, ...args, '--no-progress']);
      if (m.code === null || !ok.includes(m.code))
        throw new Error(`${label} exited with ${m.code}: ${m.stderr.trim().slice(-500)}`);
      const t: Throughput = { label, files: 1, bytes, m };
      log(formatRow(t));
      if (m.peakRssKb) peaks.push(m.peakRssKb / 1024);
      return m;
    };
    const scanArgs = (name: string, extra: string[], root = join(dir, 'data')) => [
      'scan',
      root,
      '--subject',
      subject,
      '--force',
      '--out',
      out(name),
      ...extra,
    ];
    const subjectRun = await run('dsr scan (subject)', scanArgs('subject', []), [0]);
    // --all lists --max-findings of the export's millions of identifiers and reports the rest (exit 3).
    const allRun = await run('dsr scan --all', scanArgs('all', ['--all']), [0, 3]);
    // One file shared among the workers (its ranges) against one worker reading it.
    const subjectOne = await run('dsr scan -j1 (subject)', scanArgs('subject-j1', ['-j', '1']), [0]);
    const allOne = await run('dsr scan -j1 --all', scanArgs('all-j1', ['--all', '-j', '1']), [0, 3]);
    log(
      `one file read by every worker: subject ${(subjectOne.wallMs / subjectRun.wallMs).toFixed(2)}x, --all ${(allOne.wallMs / allRun.wallMs).toFixed(2)}x the one-worker time`,
    );
    await run('dsr index (first run)', ['index', join(dir, 'data'), '--index', index], [0]);
    await run('dsr scan --index (subject)', scanArgs('indexed', ['--index', index]), [0]);
    const found = (name: string) =>
      (JSON.parse(readFileSync(out(name), 'utf8')) as { items: { evidence: string }[] }).items.map(
        (i) => i.evidence,
      );
    log('');
    log(
      `subject found: scan ${found('subject').join(',') || 'no'}, --all ${found('all').join(',') || 'no'}, indexed ${found('indexed').join(',') || 'no'}`,
    );

    log('');
    log('the same rows as one HTML report, Word document, mail attachment (half the rows) and .csv.gz,');
    log('read in full (--max-text 1000000000):');
    const whole = ['--max-text', '1000000000'];
    const shapes = await bigFiles(join(dir, 'shapes'), c.path, c.bytes);
    const shapeFound: string[] = [];
    for (const f of shapes) {
      const mb = `${(f.bytes / 1024 / 1024).toFixed(0)} MB`;
      await run(`${f.label} ${mb} (subject)`, scanArgs(`${f.label}-subject`, whole, f.dir), [0, 3], f.bytes);
      await run(
        `${f.label} ${mb} --all`,
        scanArgs(`${f.label}-all`, ['--all', ...whole], f.dir),
        [0, 3],
        f.bytes,
      );
      shapeFound.push(`${f.label} ${found(`${f.label}-subject`).join(',') || 'no'}`);
    }
    log(`subject found: ${shapeFound.join(', ')}`);

    // Each shape holds more tokens than an item lists: the index keeps a filter of them, and a query
    // reads a shape again only for someone it may hold (before filters: for everyone).
    log('');
    log('the shapes indexed (default limits), then asked for the subject and for someone they do not hold:');
    const shapesRoot = join(dir, 'shapes');
    const shapesBytes = shapes.reduce((n, f) => n + f.bytes, 0);
    const shapesIndex = join(dir, 'shapes.idx');
    for (const f of [shapesIndex, `${shapesIndex}.key`, `${shapesIndex}-wal`, `${shapesIndex}-shm`])
      rmSync(f, { force: true });
    await run('dsr index (shapes)', ['index', shapesRoot, '--index', shapesIndex], [0, 3], shapesBytes);
    const someoneElse = join(dir, 'someone-else.json');
    writeFileSync(someoneElse, JSON.stringify(SOMEONE_ELSE));
    for (const [who, file] of [
      ['subject', subject],
      ['someone else', someoneElse],
    ]) {
      const name = `shapes-${who.replace(' ', '-')}`;
      const args = (extra: string[]) => [
        'scan',
        shapesRoot,
        '--subject',
        file,
        '--force',
        '--out',
        out(name + extra.length),
        ...extra,
      ];
      const full = await run(`dsr scan (shapes, ${who})`, args([]), [0, 3], shapesBytes);
      const query = await run(
        `dsr scan --index (${who})`,
        args(['--index', shapesIndex]),
        [0, 3],
        shapesBytes,
      );
      const same = sameFindings(out(`${name}0`), out(`${name}2`));
      log(
        `${who}: indexed query ${(full.wallMs / query.wallMs).toFixed(1)}x faster than the full scan; findings ${same ? 'identical' : 'DIFFERENT'}`,
      );
    }
    const worst = Math.max(...peaks);
    log(
      `peak RSS at most ${worst.toFixed(0)} MB: ${worst < RSS_BOUND_MB ? 'within' : 'ABOVE'} the ${RSS_BOUND_MB} MB bound`,
    );
  },
};

export default exportPart;

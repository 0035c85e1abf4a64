/**
 * Bench part `media`: 1,000 JPEGs, 10% with person tags (half of those naming the subject among other
 * people, half other people only), the rest camera-style photos with EXIF but no person or author
 * fields. Runs `dsr scan` and `exiftool -r -j` over the same folder, prints files/s and the ratio from
 * one run, and checks that both name the same photos (the subject's name found in exiftool's JSON of a
 * file vs dsr's items).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool, type WriteTags } from 'exiftool-vendored';
import { NameMatcher } from '../src/match/names.js';
import { type BenchPart, DSR, formatRow, measure, PROJECT, type Throughput, which } from './api.js';
import { BENCH_SUBJECT } from './text-corpus.js';

const VERSION = 1;
const FILES = 1000;
const OTHERS = ['Karen Østergård', 'Jens Mikkelsen', 'Mette Hansen', 'Lars Holm', 'Ida Vestergaard'];

function mwg(names: string[]) {
  return {
    AppliedToDimensions: { W: 4000, H: 3000, Unit: 'pixel' },
    RegionList: names.map((Name, i) => ({
      Area: { X: 0.15 + 0.2 * i, Y: 0.4, W: 0.1, H: 0.15, Unit: 'normalized' },
      Name,
      Type: 'Face',
    })),
  };
}

interface Corpus {
  version: number;
  dir: string;
  files: number;
  bytes: number;
  subjectFiles: string[];
}

async function buildCorpus(root: string, log: (l: string) => void): Promise<Corpus> {
  const manifestPath = join(root, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Corpus;
    if (m.version === VERSION) {
      log(`corpus: reusing ${root}`);
      return m;
    }
  }
  rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'photos');
  const tpl = join(root, 'templates');
  mkdirSync(dir, { recursive: true });
  mkdirSync(tpl, { recursive: true });
  log(`corpus: generating ${FILES} JPEGs in ${dir} …`);
  const et = new ExifTool({ maxProcs: 2, useMWG: false });
  const opts = { writeArgs: ['-overwrite_original'], useMWG: false };
  const camera = {
    'IFD0:Make': 'Canon',
    'IFD0:Model': 'Canon EOS 80D',
    'ExifIFD:DateTimeOriginal': '2023:06:01 12:00:00',
  };
  const templates: { file: string; subject: boolean; tagged: boolean }[] = [];
  try {
    const write = async (name: string, tags: Record<string, unknown>, subject: boolean, tagged: boolean) => {
      const file = join(tpl, name);
      copyFileSync(join(PROJECT, 'fixtures/media/base/Writer.jpg'), file);
      await et.write(file, { ...camera, ...tags } as WriteTags, opts);
      templates.push({ file, subject, tagged });
    };
    await write('camera.jpg', { 'XMP-xmp:Rating': 3 }, false, false);
    for (let i = 0; i < 5; i++) {
      const others = [OTHERS[i], OTHERS[(i + 2) % OTHERS.length]];
      await write(
        `subject-${i}.jpg`,
        { 'XMP-mwg-rs:RegionInfo': mwg([others[0], 'Søren Østergård', others[1]]) },
        true,
        true,
      );
      await write(
        `others-${i}.jpg`,
        { 'XMP-mwg-rs:RegionInfo': mwg(others), 'XMP-dc:Subject': ['ferie'] },
        false,
        true,
      );
    }
  } finally {
    await et.end();
  }
  const camera0 = templates[0];
  const subjects = templates.filter((t) => t.subject);
  const others = templates.filter((t) => t.tagged && !t.subject);
  let bytes = 0;
  const subjectFiles: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const name = `IMG_${String(i).padStart(4, '0')}.jpg`;
    // Every 10th photo is tagged; every 20th names the subject.
    const t =
      i % 10
        ? camera0
        : i % 20
          ? others[((i / 10) % others.length) | 0]
          : subjects[((i / 20) % subjects.length) | 0];
    copyFileSync(t.file, join(dir, name));
    bytes += readFileSync(t.file).length;
    if (t.subject) subjectFiles.push(name);
  }
  const corpus: Corpus = { version: VERSION, dir, files: FILES, bytes, subjectFiles };
  writeFileSync(manifestPath, JSON.stringify(corpus));
  return corpus;
}

/** Photos whose exiftool record (every tag, as exiftool prints it) holds the subject's name. */
function subjectFilesIn(exiftoolJson: string): string[] {
  const matchers = [BENCH_SUBJECT.name, ...BENCH_SUBJECT.aliases].map((n) => new NameMatcher(n));
  const records = JSON.parse(exiftoolJson) as Record<string, unknown>[];
  return records
    .filter((r) => {
      const text = Object.values(r)
        .flatMap((v) => (Array.isArray(v) ? v : [v]))
        .filter((v) => typeof v === 'string')
        .join('\n');
      return matchers.some((m) => m.find(text).length > 0);
    })
    .map((r) => String(r.FileName))
    .sort();
}

const media: BenchPart = {
  name: 'media',
  description: `${FILES} JPEGs, 10% with face tags: dsr scan vs exiftool -r -j`,
  async run({ benchDir, log }) {
    const root = join(benchDir, `media-v${VERSION}`);
    const corpus = await buildCorpus(root, log);
    const subjectPath = join(root, 'subject.json');
    writeFileSync(subjectPath, JSON.stringify(BENCH_SUBJECT));
    const scanPath = join(root, 'scan.json');
    const dsrRun = await measure(process.execPath, [
      DSR,
      'scan',
      corpus.dir,
      '--subject',
      subjectPath,
      '--force',
      '--out',
      scanPath,
    ]);
    if (dsrRun.code !== 0) throw new Error(`dsr scan exited ${dsrRun.code}: ${dsrRun.stderr.slice(-500)}`);
    const dsr: Throughput = { label: 'dsr scan', files: corpus.files, bytes: corpus.bytes, m: dsrRun };
    log(formatRow(dsr));
    const scan = JSON.parse(readFileSync(scanPath, 'utf8')) as { items: { path: string }[] };
    const dsrFiles = scan.items.map((i) => i.path.slice(corpus.dir.length + 1)).sort();
    const exiftool = which('exiftool');
    if (!exiftool) {
      log('exiftool not found (Debian: libimage-exiftool-perl): no anchor');
      return;
    }
    const outPath = join(root, 'exiftool.json');
    const etRun = await measure('sh', ['-c', 'exiftool -r -j "$1" > "$2"', 'sh', corpus.dir, outPath]);
    const et: Throughput = { label: 'exiftool -r -j', files: corpus.files, bytes: corpus.bytes, m: etRun };
    log(formatRow(et));
    const etFiles = subjectFilesIn(readFileSync(outPath, 'utf8'));
    const same = JSON.stringify(etFiles) === JSON.stringify(dsrFiles);
    const expected = JSON.stringify(dsrFiles) === JSON.stringify([...corpus.subjectFiles].sort());
    log(`ratio dsr/exiftool (files/s): ${(et.m.wallMs / dsr.m.wallMs).toFixed(2)}x`);
    // dsr's fixed start-up (process, worker threads, every extractor's libraries) weighs on 1,000 small
    // files; a library of 100,000 photos sees the per-file rate.
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir, { recursive: true });
    const idle = await measure(process.execPath, [
      DSR,
      'scan',
      emptyDir,
      '--subject',
      subjectPath,
      '--force',
      '--out',
      join(root, 'empty.json'),
    ]);
    const perFileMs = Math.max(1, dsr.m.wallMs - idle.wallMs);
    log(
      `dsr start-up ${(idle.wallMs / 1000).toFixed(2)} s; without it dsr reads ${((corpus.files / perFileMs) * 1000).toFixed(0)} files/s, ratio ${(et.m.wallMs / perFileMs).toFixed(2)}x`,
    );
    log(
      `same photos: ${same && expected ? 'yes' : 'NO'} (dsr ${dsrFiles.length}, exiftool ${etFiles.length}, generated ${corpus.subjectFiles.length})`,
    );
  },
};

export default media;

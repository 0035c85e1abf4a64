/**
 * Bench part `mail`: dsr scan on a generated mbox and on a folder of .eml files (multipart with a
 * text attachment), with ripgrep over the same mbox as the anchor, and an in-process split of where
 * the time goes (MIME walking and decoding vs detection). The corpus is 1/10 of `--size`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { scanTopLevel } from '../src/engine/scan-item.js';
import { compileSubject } from '../src/match/subject.js';
import { type BenchPart, DSR, formatRow, mbPerSec, measure, type Throughput } from './api.js';
import { BENCH_SUBJECT } from './text-corpus.js';

const VERSION = 1;
const FIRST = ['Mette', 'Jonas', 'Anne', 'Peter', 'Sofie', 'Lars', 'Ida', 'Mads'];
const LAST = ['Hansen', 'Nielsen', 'Jensen', 'Pedersen', 'Larsen', 'Holm', 'Vestergaard'];

function person(i: number): { name: string; address: string } {
  const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
  return { name, address: `${name.toLowerCase().replace(' ', '.')}@example.com` };
}

/** A plain message of ~`size` bytes; every 50th mentions the subject. */
function message(i: number, size: number): string {
  const from = person(i);
  const to = person(i + 3);
  const lines: string[] = [];
  for (let n = 0; lines.join('\n').length < size; n++) {
    lines.push(
      `${n}. ${person(i + n).name} ringede om sag ${1000 + n}; tlf ${20_000_000 + ((i * 7919 + n) % 9_000_000)}.`,
    );
  }
  if (i % 50 === 0) lines.splice(3, 0, 'Vedr. Søren Kjærgaard Østergård, CPR 150387-1236.');
  return [
    `From: ${from.name} <${from.address}>`,
    `To: ${to.name} <${to.address}>`,
    `Subject: Sag ${i}`,
    `Date: Mon, 02 Mar 2026 10:00:00 +0100`,
    `Message-ID: <bench-${i}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    lines.join('\n'),
    '',
  ].join('\n');
}

/** A multipart message with a base64 text attachment (exercises the MIME walk and a child item). */
function multipart(i: number, size: number): string {
  const plain = message(i, size / 2);
  const [head, body] = [plain.slice(0, plain.indexOf('\n\n')), plain.slice(plain.indexOf('\n\n') + 2)];
  const attachment = Buffer.from(message(i + 1, size / 2))
    .toString('base64')
    .replace(/.{76}/g, '$&\n');
  return `${head.replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: multipart/mixed; boundary="b"')}\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n${body}\n--b\nContent-Type: text/plain; name="noter.txt"\nContent-Disposition: attachment; filename="noter.txt"\nContent-Transfer-Encoding: base64\n\n${attachment}\n--b--\n`;
}

interface Corpus {
  version: number;
  mbox: { path: string; files: number; bytes: number; messages: number };
  eml: { dir: string; files: number; bytes: number };
}

function corpus(benchDir: string, sizeMb: number, log: (l: string) => void): Corpus {
  const mb = Math.max(2, Math.round(sizeMb / 10));
  const root = join(benchDir, `mail-${mb}mb`);
  const manifest = `${root}.manifest.json`;
  if (existsSync(manifest)) {
    const c = JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
    if (c.version === VERSION) {
      log(`corpus: reusing ${root}`);
      return c;
    }
  }
  log(`corpus: generating a ~${mb} MB mbox and ~${mb} MB of .eml files in ${root} …`);
  rmSync(root, { recursive: true, force: true });
  const emlDir = join(root, 'eml');
  mkdirSync(emlDir, { recursive: true });
  const target = mb * 1024 * 1024;
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const m = `From ${person(i).address} Mon Mar  2 10:00:00 2026\n${message(i, 2000 + (i % 13) * 700)}\n`;
    parts.push(m);
    bytes += Buffer.byteLength(m);
  }
  const mboxPath = join(root, 'archive.mbox');
  writeFileSync(mboxPath, parts.join(''));
  bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const m = multipart(i, 3000 + (i % 11) * 900);
    writeFileSync(join(emlDir, `message-${i}.eml`), m);
    bytes += Buffer.byteLength(m);
  }
  const names = readdirSync(emlDir);
  const c: Corpus = {
    version: VERSION,
    mbox: { path: mboxPath, files: 1, bytes: statSync(mboxPath).size, messages: parts.length },
    eml: {
      dir: emlDir,
      files: names.length,
      bytes: names.reduce((n, f) => n + statSync(join(emlDir, f)).size, 0),
    },
  };
  writeFileSync(manifest, JSON.stringify(c, null, 2));
  return c;
}

/** The mbox scanned in this process with no detectors vs all of them. */
async function whereTimeGoes(path: string): Promise<{ extractMs: number; totalMs: number }> {
  const subject = compileSubject(BENCH_SUBJECT);
  const run = async (detectors?: []) => {
    const t = performance.now();
    await scanTopLevel(
      {
        ref: { path, itemPath: [] },
        name: 'archive.mbox',
        source: { kind: 'file', absPath: path, size: statSync(path).size },
        depth: 0,
      },
      { subject, all: false, limits: DEFAULT_LIMITS, ...(detectors ? { detectors } : {}) },
    );
    return performance.now() - t;
  };
  await run([]); // warm up
  const extractMs = Math.min(await run([]), await run([]));
  const totalMs = Math.min(await run(), await run());
  return { extractMs, totalMs: Math.max(totalMs, extractMs) };
}

const mail: BenchPart = {
  name: 'mail',
  description: 'an mbox and a folder of multipart .eml files with fake people (anchor: rg over the mbox)',
  async run({ sizeMb, benchDir, rg, log }) {
    const c = corpus(benchDir, sizeMb, log);
    const subject = join(benchDir, 'subject.json');
    writeFileSync(subject, JSON.stringify(BENCH_SUBJECT));
    const outDir = join(benchDir, 'out');
    mkdirSync(outDir, { recursive: true });
    log(
      `mbox: ${c.mbox.messages} messages, ${(c.mbox.bytes / 1048576).toFixed(1)} MB; ${c.eml.files} .eml files, ${(c.eml.bytes / 1048576).toFixed(1)} MB\n`,
    );
    const row = async (label: string, set: { files: number; bytes: number }, cmd: string, args: string[]) => {
      const m = await measure(cmd, args);
      // dsr exits 3 when some item had an error entry; the figures still count.
      if (m.code !== 0 && m.code !== 3 && !(cmd === rg && m.code === 1))
        throw new Error(`${label} failed (exit ${m.code}): ${m.stderr.slice(-2000)}`);
      const t: Throughput = { label, files: set.files, bytes: set.bytes, m };
      log(formatRow(t));
      return t;
    };
    const scan = (
      label: string,
      target: string,
      set: { files: number; bytes: number },
      out: string,
      extra: string[] = [],
    ) =>
      row(label, set, process.execPath, [
        DSR,
        'scan',
        target,
        '--subject',
        subject,
        '--no-progress',
        '--force',
        '--out',
        join(outDir, out),
        ...extra,
      ]);
    const mbox = await scan('dsr scan (mbox)', c.mbox.path, c.mbox, 'mail-mbox.scan.json');
    log(
      `  = ${(c.mbox.messages / (mbox.m.wallMs / 1000)).toFixed(0)} messages/s (its messages read by every worker)`,
    );
    // The same on one worker: what sharing a mailbox's parts among the workers gains on this machine.
    const single = await scan('dsr scan -j1 (mbox)', c.mbox.path, c.mbox, 'mail-mbox-j1.scan.json', [
      '-j',
      '1',
    ]);
    log(`  -j2 against -j1: ${(single.m.wallMs / mbox.m.wallMs).toFixed(2)}x`);
    if (rg) {
      const anchor = await row('rg (CPR|e-mail, mbox)', c.mbox, rg, [
        '-c',
        '[0-9]{6}-[0-9]{4}|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+',
        c.mbox.path,
      ]);
      log(`ratio dsr/rg (throughput): ${(mbPerSec(mbox) / mbPerSec(anchor)).toFixed(3)}x`);
    }
    // An inventory of the mbox: ~590,000 findings from one file, in parts (peak RSS is the point).
    await scan('dsr scan --all (mbox)', c.mbox.path, c.mbox, 'mail-mbox-all.scan.json', ['--all']);
    await scan('dsr scan (.eml files)', c.eml.dir, c.eml, 'mail-eml.scan.json');
    log('\nwhere time goes (one thread, in process, the mbox):');
    const { extractMs, totalMs } = await whereTimeGoes(c.mbox.path);
    log(
      `  mbox    splitting+MIME ${extractMs.toFixed(0)} ms, detection ${(totalMs - extractMs).toFixed(0)} ms (${Math.round((100 * extractMs) / totalMs)}% extraction)`,
    );
  },
};

export default mail;

/**
 * Bench part `byte-scan`: each primitive of the byte-scan module (src/byte-scan, WebAssembly) against
 * its plain TypeScript version (src/byte-scan/plain.ts), on the text corpus, so that keeping compiled
 * code stays a measured decision. Each pair runs in turn, several rounds; the figures are the median
 * CPU time of each (a shared machine's noise falls on both alike).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../detectors/index.js';
import {
  ByteCounter,
  type ByteProgram,
  ByteScanner,
  DigitRuns,
  Latin1Decoder,
} from '../src/byte-scan/index.js';
import {
  countPlain,
  digitRunsPlain,
  latin1FromUtf8Plain,
  NewWordsPlain,
  PlainScanner,
  sipHashesPlain,
} from '../src/byte-scan/plain.js';
import { FilterHasher } from '../src/index/filter-hash.js';
import { SeenWords } from '../src/index/words.js';
import { compileSubject } from '../src/match/subject.js';
import type { BenchPart } from './api.js';
import { textCorpus } from './text.js';
import { BENCH_SUBJECT } from './text-corpus.js';

/** Corpus bytes read (the first files in path order). */
const SAMPLE_BYTES = 40 * 1024 * 1024;
const ROUNDS = 7;

interface Pair {
  name: string;
  /** What the plain version does. */
  plain: string;
  /** Bytes (or UTF-16 units) one run of either reads. */
  size: number;
  module: () => number;
  plainRun: () => number;
}

function readSample(dir: string): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (total >= SAMPLE_BYTES) return;
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        out.push(bytes);
        total += bytes.length;
      }
    }
  };
  walk(dir);
  return out;
}

function blocksOf(files: Buffer[], size: number): Buffer[] {
  const out: Buffer[] = [];
  for (const f of files) for (let at = 0; at < f.length; at += size) out.push(f.subarray(at, at + size));
  return out;
}

/** Median CPU milliseconds of each side, the two run in turn. */
function measure(pair: Pair): { module: number; plain: number; same: boolean } {
  const times = { module: [] as number[], plain: [] as number[] };
  let same = true;
  for (let r = 0; r < ROUNDS; r++) {
    let t = process.cpuUsage();
    const a = pair.module();
    let d = process.cpuUsage(t);
    times.module.push((d.user + d.system) / 1000);
    t = process.cpuUsage();
    const b = pair.plainRun();
    d = process.cpuUsage(t);
    times.plain.push((d.user + d.system) / 1000);
    same &&= a === b;
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
  return { module: median(times.module), plain: median(times.plain), same };
}

function pairs(files: Buffer[]): Pair[] {
  const subject = compileSubject(BENCH_SUBJECT);
  // The subject's raw-byte anchors as a subject scan makes them, byte programs only.
  const programs: ByteProgram[] = [];
  for (const a of new Set(registry.list.map((d) => d.anchors)))
    for (const anchor of a.raw(subject)) if (anchor.kind !== 'pattern') programs.push(anchor.program);
  const blocks = blocksOf(files, 64 * 1024);
  const bigBlocks = blocksOf(files, 1024 * 1024);
  const bytes = blocks.reduce((n, b) => n + b.length, 0);
  const texts = blocksOf(files, 64 * 1024).map((b) => b.toString('utf8'));
  const units = texts.reduce((n, t) => n + t.length, 0);
  const words = [...new Set(texts.slice(0, 200).flatMap((t) => t.match(/\p{L}+|\d[\d -]{6,}\d/gu) ?? []))];
  const tokens = words.map((w) => `w:${w.toLowerCase()}`);
  const tokenBytes = tokens.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const key = Buffer.alloc(16, 7);

  const scanner = new ByteScanner(programs);
  const plainScanner = new PlainScanner(programs);
  const counter = new ByteCounter();
  const digits = new DigitRuns();
  const decoder = new Latin1Decoder();
  const hasher = new FilterHasher(key);
  const found = (s: { load(b: Buffer): void; found(i: number): boolean }) => {
    let n = 0;
    for (const b of blocks) {
      s.load(b);
      for (let i = 0; i < programs.length; i++) if (s.found(i)) n++;
    }
    return n;
  };
  const decode = (d: (lead: number, piece: Uint8Array) => { text: string; lead: number } | undefined) => {
    let n = 0;
    let lead = -1;
    for (const b of blocks) {
      const r = d(lead, b);
      n += r ? r.text.length : 0;
      lead = r ? r.lead : -1;
    }
    return n;
  };
  const newWords = (make: () => { forEachNew(t: string, fn: (w: string) => void): void }) => {
    let n = 0;
    let seen = make();
    texts.forEach((t, i) => {
      // An item of ten 64 KiB chunks.
      if (i % 10 === 0) seen = make();
      seen.forEachNew(t, () => n++);
    });
    return n;
  };
  const hash = (h: (batch: string[]) => Uint8Array) => {
    let n = 0;
    for (let from = 0; from < tokens.length; from += 4096) n += h(tokens.slice(from, from + 4096))[0];
    return n;
  };
  return [
    {
      name: `find (${programs.length} subject programs)`,
      plain: 'regexes over a Latin-1 string',
      size: bytes,
      module: () => found(scanner),
      plainRun: () => found(plainScanner),
    },
    {
      name: 'count (UTF-8 units, lines)',
      plain: '32-bit words',
      size: bytes,
      module: () => bigBlocks.reduce((n, b) => n + counter.count(b).continuation, 0),
      plainRun: () => bigBlocks.reduce((n, b) => n + countPlain(b).continuation, 0),
    },
    {
      name: 'digitRuns',
      plain: 'a /[0-9]+/g regex',
      size: units * 2,
      module: () => texts.reduce((n, t) => n + digits.of(t).length, 0),
      plainRun: () => texts.reduce((n, t) => n + digitRunsPlain(t).length, 0),
    },
    {
      name: 'latin1FromUtf8',
      plain: 'TextDecoder',
      size: bytes,
      module: () => decode((lead, piece) => decoder.decode(lead, piece)),
      plainRun: () => decode(latin1FromUtf8Plain),
    },
    {
      name: `sipHashes (${tokens.length} tokens)`,
      plain: '32-bit halves',
      size: tokenBytes,
      module: () => hash((batch) => hasher.hash(batch)),
      plainRun: () => hash((batch) => sipHashesPlain(key, batch)),
    },
    {
      name: 'newWords',
      plain: 'a letter table and a hash table',
      size: units * 2,
      module: () => newWords(() => new SeenWords(50_000)),
      plainRun: () => newWords(() => new NewWordsPlain(50_000)),
    },
  ];
}

const byteScan: BenchPart = {
  name: 'byte-scan',
  description: 'the byte-scan module (WebAssembly) against plain TypeScript, per primitive, CPU time',
  async run({ sizeMb, benchDir, log }) {
    const { dir } = textCorpus(benchDir, sizeMb, log);
    const files = readSample(dir);
    log(
      `${(files.reduce((n, f) => n + f.length, 0) / 1024 / 1024).toFixed(1)} MB of the text corpus, ${ROUNDS} rounds each\n`,
    );
    log(
      `${'primitive'.padEnd(34)} ${'module'.padStart(11)} ${'plain TS'.padStart(11)}   ratio   plain TS is`,
    );
    for (const pair of pairs(files)) {
      const m = measure(pair);
      const mbs = (ms: number) => `${(pair.size / 1024 / 1024 / (ms / 1000)).toFixed(0).padStart(6)} MB/s`;
      log(
        `${pair.name.padEnd(34)} ${mbs(m.module)} ${mbs(m.plain)}  ${(m.plain / m.module).toFixed(1).padStart(5)}x   ${pair.plain}${m.same ? '' : '  (RESULTS DIFFER)'}`,
      );
    }
  },
};

export default byteScan;

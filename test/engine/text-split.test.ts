/**
 * A huge plain-text file read by several workers at once (ranges, see src/engine/text-ranges.ts):
 * the places counted for each range, and scans whose results must equal one read of the file.
 */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../src/core/types.js';
import { runScan } from '../../src/engine/scan.js';
import { MARGIN_BYTES, NotSplittable, textRanges } from '../../src/engine/text-ranges.js';
import { buildIndex } from '../../src/index/build.js';
import { FilterHasher, filterKeyOf } from '../../src/index/filter-hash.js';
import { openIndex } from '../../src/index/index-file.js';
import { mac } from '../../src/index/keys.js';
import { indexedShortcut } from '../../src/index/query.js';
import { filterBytesFor } from '../../src/index/token-filter.js';
import { EVERY_TOKEN, TokenCollector } from '../../src/index/tokens.js';
import { SUBJECT, tempTree } from '../helpers/cli.js';
import { seededRandom } from '../helpers/random.js';
import { SCAN_MODES, type ScanFile, scanShared } from '../helpers/scan-shared.js';

/** The filter one read of `text` makes, under the index's MAC key, for a file of `size` bytes. */
function wholeFilter(text: string, macKey: Uint8Array, size: number): Uint8Array {
  const hasher = new FilterHasher(filterKeyOf(macKey));
  const collector = new TokenCollector({ filterBytes: filterBytesFor(size), hasher, filterOnly: true });
  collector.add(text);
  collector.finish();
  return collector.filter!.bits;
}

/** The one token filter an index holds, and how many token rows it holds besides. */
function storedFilter(path: string): { bits: Buffer; tokenRows: number } {
  const db = new Database(path, { readonly: true });
  const bits = Buffer.concat(
    db.prepare<[], Buffer>('SELECT bits FROM filter_pages ORDER BY page').pluck(true).all(),
  );
  const tokenRows = db.prepare<[], number>('SELECT COUNT(*) FROM tokens').pluck(true).get()!;
  db.close();
  return { bits, tokenRows };
}

const popcount = (bits: Uint8Array) =>
  bits.reduce((n, b) => n + [...b.toString(2)].filter((c) => c === '1').length, 0);
/** Bytes of `a` with a bit that `b` lacks. */
const notIn = (a: Uint8Array, b: Uint8Array) => a.filter((byte, i) => (byte & ~b[i]) !== 0).length;

const KiB = 1024;
/** Small ranges: a few hundred KiB make a dozen of them (a range must exceed two margins). */
const SPLIT = {
  minBytes: 64 * KiB,
  rangeBytes: 3 * MARGIN_BYTES,
  mailboxBytes: Number.POSITIVE_INFINITY,
  textBytes: 64 * KiB,
};
const ONE_READ = { ...SPLIT, minBytes: Number.POSITIVE_INFINITY, textBytes: Number.POSITIVE_INFINITY };

function fileInput(path: string): ItemInput {
  const size = readFileSync(path).length;
  return {
    ref: { path, itemPath: [] },
    name: path.split('/').pop()!,
    source: { kind: 'file', absPath: path, size, mtimeMs: 0, ino: 0 },
    depth: 0,
    root: path.slice(0, path.lastIndexOf('/')),
  };
}

/** A seeded fraction in [0, 1): the same inputs on every run. */
function random(seed: number): () => number {
  const next = seededRandom(seed);
  return () => next(1 << 23) / (1 << 23);
}

const WORDS = ['kunde', 'faktura', 'møde', 'Århus', 'Ærø', 'blåbær', 'naïve', 'x', 'leverance', 'ordre'];
const ODD = ['a\u030a', 'o\u0308', '😀', '\u00e9', 'e\u0301', '€', '\t', '\r\n', '\n', '  '];
/** Characters below U+0300 only: text the main thread counts from its bytes. */
const LATIN = ['\u00e9', 'ø', 'Å', '\u00a0', '\t', '\r\n', '\n', '  '];

/** Text of every kind that counting must get right: multi-byte, NFD marks NFC composes, emoji, CRLF, long lines. */
function mixedText(bytes: number, seed: number, people = true, longLines = true, marks = true): string {
  const rnd = random(seed);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  let s = '';
  let row = 0;
  // Checked every 64 rows: measuring the whole string each row made this quadratic.
  while (row % 64 !== 0 || Buffer.byteLength(s) < bytes) {
    row++;
    const r = rnd();
    if (people && r < 0.12)
      s += `${row};Mette Hansen;mette${row}@example.com;${20_000_000 + row};0101${50 + (row % 50)}-${1000 + row};`;
    else if (people && r < 0.14) s += `Søren Kjærgaard Østergård 0203${40 + (row % 50)}-${2000 + row} `;
    else if (people && r < 0.15) s += 'soren.ostergard@example.dk +45 21 43 65 87 150387-1236 ';
    for (let w = Math.floor(rnd() * 12); w > 0; w--)
      s += `${pick(WORDS)}${rnd() < 0.3 ? pick(marks ? ODD : LATIN) : ' '}`;
    s += longLines && rnd() < 0.02 ? 'z'.repeat(Math.floor(rnd() * 40_000)) : '';
    s += rnd() < 0.5 ? '\n' : '\r\n';
  }
  return s;
}

/** Where the Chunker stands after `text`: characters of its NFC form, line and column. */
function placeAfter(text: string): { offset: number; line: number; column: number } {
  const nfc = text.normalize('NFC');
  const last = nfc.lastIndexOf('\n');
  return {
    offset: nfc.length,
    line: nfc.split('\n').length,
    column: last === -1 ? nfc.length + 1 : nfc.length - last,
  };
}

describe('textRanges: the places counted for each range', () => {
  it.each([
    ['UTF-8', 1, false, true],
    ['UTF-8 with a byte order mark', 2, true, true],
    ['UTF-8 below U+0300 (counted from bytes)', 3, false, false],
  ])('%s: every range starts where one read of the text stands', async (_, seed, bom, marks) => {
    const text = mixedText(400 * KiB, seed, true, true, marks);
    const dir = tempTree({ 'big.txt': Buffer.concat([Buffer.from(bom ? '\ufeff' : ''), Buffer.from(text)]) });
    const path = join(dir, 'big.txt');
    const bytes = readFileSync(path);
    const skip = bom ? 3 : 0;
    const ranges = [];
    for await (const r of textRanges(fileInput(path), SPLIT.rangeBytes)) ranges.push(r);
    expect(ranges.length).toBeGreaterThan(5);
    const decode = (from: number, to: number) => new TextDecoder().decode(bytes.subarray(from, to));
    for (const [i, r] of ranges.entries()) {
      expect(r.index).toBe(i);
      expect(r.bom).toBe(i === 0 ? skip : 0);
      expect(r.place).toEqual(placeAfter(decode(skip, Math.max(skip, r.from))));
      if (i === 0) expect(r.from).toBe(0);
      else {
        expect(r.from).toBeLessThanOrEqual(ranges[i - 1].to - 2 * MARGIN_BYTES);
        expect(r.ownFrom).toBe(ranges[i - 1].ownTo);
        expect(r.ownFrom - r.place.offset).toBeGreaterThanOrEqual(4096);
      }
      // Every cut is before an ASCII byte: no UTF-8 sequence or NFC composition spans it.
      if (i > 0) expect(bytes[r.from]).toBeLessThan(0x80);
      if (r.to < bytes.length) expect(bytes[r.to]).toBeLessThan(0x80);
    }
    expect(ranges.at(-1)?.to).toBe(bytes.length);
    expect(ranges.at(-1)?.ownTo).toBe(Number.POSITIVE_INFINITY);
  });

  it('yields nothing for JSON, RTF, UTF-16 or binary files, and throws past the head for bytes that are not UTF-8', async () => {
    const big = mixedText(200 * KiB, 3, false);
    const dir = tempTree({
      'a.json': `{"t":${JSON.stringify(big)}}`,
      'a.rtf': `{\\rtf1 ${big}}`,
      'a16.txt': Buffer.from(`\ufeff${big}`, 'utf16le'),
      'bin.txt': Buffer.concat([Buffer.alloc(100, 0), Buffer.from(big)]),
      'latin.txt': Buffer.concat([
        Buffer.from(big.slice(0, 150 * KiB)),
        Buffer.from([0xd8, 0x41]),
        Buffer.from(big),
      ]),
    });
    for (const name of ['a.json', 'a.rtf', 'a16.txt', 'bin.txt']) {
      const ranges = [];
      for await (const r of textRanges(fileInput(join(dir, name)), SPLIT.rangeBytes)) ranges.push(r);
      expect(ranges, name).toEqual([]);
    }
    const read = async () => {
      for await (const _ of textRanges(fileInput(join(dir, 'latin.txt')), SPLIT.rangeBytes));
    };
    await expect(read()).rejects.toBeInstanceOf(NotSplittable);
  });
});

describe('a huge text file read in ranges by both workers', () => {
  it.each([...SCAN_MODES, ['an inventory without a subject', { all: true, subject: null }]])(
    '%s gives what one read gives: findings, places, contexts, evidence, counts',
    async (_, opts) => {
      // With a byte order mark too: a subject scan hashes the file as it counts it (the fingerprint).
      const dir = tempTree({
        'kunder.csv': mixedText(700 * KiB, 7),
        'noter.txt': `\ufeff${mixedText(300 * KiB, 17)}`,
      });
      const split = await scanShared(dir, SPLIT, opts);
      const one = await scanShared(dir, ONE_READ, opts);
      expect(split.findings.length).toBeGreaterThan(opts.all ? 500 : 50);
      expect(split.parts['kunder.csv']).toBeGreaterThan(10);
      expect(split.parts['noter.txt']).toBeGreaterThan(3);
      if (opts.subject !== null) expect(one.items.length).toBe(2);
      // The subject's name is found (the inventory looks for names once the bytes hold the surname).
      const names = (s: ScanFile) =>
        s.findings.filter((f) => (f as { detector?: string }).detector === 'name');
      if (opts.subject !== null) expect(names(split).length).toBeGreaterThan(10);
      expect(split).toEqual({ ...one, parts: split.parts });
    },
    60_000,
  );

  it('a name beside another CPR number across the border of two ranges is still a namesake', async () => {
    const filler = `${'kunde faktura ordre leverance\n'.repeat(2000)}`;
    // The name is in one range's own bytes, the other person's CPR number (24 bytes into the line) in the next one's.
    const base = Buffer.byteLength(filler);
    const text = `${filler}${'a'.repeat(3 * MARGIN_BYTES - (base % (3 * MARGIN_BYTES)) - 23)}\nSøren Østergård, cpr 020340-1234\n${filler}${filler}`;
    const dir = tempTree({ 'notes.txt': text });
    const split = await scanShared(dir, SPLIT, { all: false });
    const one = await scanShared(dir, ONE_READ, { all: false });
    expect(one.items).toMatchObject([{ evidence: 'namesake' }]);
    expect(split.parts['notes.txt']).toBeGreaterThan(2);
    expect(split).toEqual({ ...one, parts: split.parts });
  }, 60_000);

  it('lists the first --max-findings of each kind across ranges, counts the rest and says so once', async () => {
    const dir = tempTree({ 'kunder.csv': mixedText(500 * KiB, 11) });
    const split = await scanShared(dir, SPLIT, { all: true, limits: { maxFindings: 300 } });
    const one = await scanShared(dir, ONE_READ, { all: true, limits: { maxFindings: 300 } });
    expect(split.parts['kunder.csv']).toBeGreaterThan(5);
    expect(split.errors).toEqual(one.errors);
    expect(split.errors).toHaveLength(1);
    expect(split.items).toEqual(one.items);
    expect(split.stats).toEqual(one.stats);
    const kinds = (s: ScanFile) => {
      const subject = s.findings.filter((f) => (f as { subject?: boolean }).subject).length;
      return { subject, others: s.findings.length - subject };
    };
    expect(kinds(split)).toEqual(kinds(one));
    expect(kinds(split).others).toBe(300);
    // The first ones: none listed lies past the last one read whole listed.
    const lastOne = Math.max(...one.findings.map((f) => f.location.offset));
    expect(Math.max(...split.findings.map((f) => f.location.offset))).toBeLessThanOrEqual(lastOne + 64 * KiB);
  }, 60_000);

  it('reads a file in one piece when a later range is not UTF-8, and Windows-1252 text in ranges', async () => {
    const text = mixedText(400 * KiB, 5);
    const latin = Buffer.concat([Buffer.from(text), Buffer.from([0xd8, 0x73, 0x74]), Buffer.from(text)]);
    const legacy = Buffer.from(mixedText(400 * KiB, 6).replace(/[^\x00-\xff]/g, '?'), 'latin1');
    const dir = tempTree({ 'a.txt': latin, 'b.txt': legacy });
    const split = await scanShared(dir, SPLIT, { all: true });
    const one = await scanShared(dir, ONE_READ, { all: true });
    expect(split.parts).toEqual({ 'a.txt': 1, 'b.txt': expect.any(Number) });
    expect(split.parts['b.txt']).toBeGreaterThan(5);
    expect(split).toEqual({ ...one, parts: split.parts });
  }, 60_000);

  it('reports progress through the file before it is done', async () => {
    const dir = tempTree({ 'kunder.csv': mixedText(700 * KiB, 8) });
    const seen: { files: number; bytes: number }[] = [];
    await runScan({
      roots: [dir],
      subject: SUBJECT,
      all: true,
      concurrency: 2,
      split: SPLIT,
      onProgress: (p) => seen.push({ files: p.files, bytes: p.bytes }),
    });
    const size = statSync(join(dir, 'kunder.csv')).size;
    const partly = seen.filter((p) => p.files === 0 && p.bytes > 0).map((p) => p.bytes);
    expect(partly.length).toBeGreaterThan(5);
    expect(partly).toEqual([...partly].sort((a, b) => a - b));
    expect(Math.min(...partly)).toBeLessThan(size / 2);
    expect(Math.max(...partly)).toBeLessThanOrEqual(size);
    expect(seen.at(-1)).toEqual({ files: 1, bytes: size });
  }, 60_000);

  it('dsr index: the filter of the ranges holds every token one read holds, and a query answers as a full scan', async () => {
    // No 40,000-letter words: which parts of those become tokens depends on where chunks are cut (in
    // one read as in ranges), and no identifier is that long.
    const dir = tempTree({ 'kunder.csv': mixedText(700 * KiB, 9, true, false) });
    const index = await openIndex(join(dir, '../split.idx'), { create: true });
    const partly: number[] = [];
    const built = await buildIndex(index, {
      roots: [dir],
      concurrency: 2,
      split: SPLIT,
      // Bytes counted before the file is done: it was read in ranges.
      onProgress: (p) => p.files === 0 && p.bytes > 0 && partly.push(p.bytes),
    });
    expect(built).toMatchObject({ files: 1, read: 1, errors: 0 });
    expect(partly.length).toBeGreaterThan(5);
    // Every token of the text read whole (no chunk cut into a word) is in the filter of the ranges. Each
    // read also takes bits of words that a chunk or range begins inside; those differ, and are no tokens.
    const text = readFileSync(join(dir, 'kunder.csv'), 'utf8').normalize('NFC');
    const whole = wholeFilter(text, index.key.macKey, statSync(join(dir, 'kunder.csv')).size);
    const stored = storedFilter(index.path);
    expect(stored.tokenRows).toBe(0);
    expect(popcount(whole)).toBeGreaterThan(1000 * 6);
    expect(notIn(whole, stored.bits)).toBe(0);
    expect(popcount(stored.bits)).toBeLessThan(popcount(whole) * 1.05);
    // The query reads the candidate in ranges too, and gives the full scan's findings.
    const parts: Record<string, number> = {};
    const query = await indexedShortcut(index, SUBJECT);
    const answered = await runScan({
      roots: [dir],
      subject: SUBJECT,
      concurrency: 2,
      split: SPLIT,
      shortcut: query.shortcut,
      readHere: query.readHere,
      onResult: (input, r) => {
        parts[input.name] = r.parts ?? 1;
      },
    });
    await index.store.close();
    expect(query.stats).toMatchObject({ candidates: 1 });
    expect(parts['kunder.csv']).toBeGreaterThan(5);
    const full = await scanShared(dir, SPLIT, { all: false });
    const out = join(dir, '../answered.scan.json');
    await answered.writer.write(out, { finishedAt: answered.finishedAt });
    const ids = (fs: { id?: string }[]) => fs.map((f) => f.id).sort();
    expect(ids(JSON.parse(readFileSync(out, 'utf8')).findings)).toEqual(
      ids(full.findings as { id?: string }[]),
    );
  }, 60_000);

  it.each([
    ['eight ranges', 8],
    ['two ranges, each of more tokens than an item lists', 2],
  ])(
    'dsr index: a file in ranges is stored as the merged filter of their tokens: %s',
    async (_, ranges) => {
      // 480,000 distinct addresses: more than twice MAX_TOKENS.
      const rows: string[] = [];
      for (let i = 0; i < 480_000; i++) rows.push(`k${i}@x.dk\n`);
      const dir = tempTree({ 'adresser.txt': rows.join('') });
      const size = statSync(join(dir, 'adresser.txt')).size;
      const index = await openIndex(join(dir, `../many-${ranges}.idx`), { create: true });
      const built = await buildIndex(index, {
        roots: [dir],
        concurrency: 2,
        split: { ...SPLIT, rangeBytes: Math.ceil(size / ranges) },
      });
      expect(built).toMatchObject({ files: 1, read: 1, errors: 0 });
      expect((await index.store.filesWithAnyToken([mac(index.key, EVERY_TOKEN)])).size).toBe(0);
      // Every range's addresses are in the filter; an address in none is (but for false positives) not.
      const hasher = new FilterHasher(filterKeyOf(index.key.macKey));
      const maybe = async (t: string) =>
        (await index.store.filesMaybeHolding([Buffer.from(hasher.hash([t]))])).size;
      for (const i of [0, 7, 40_000, 239_999, 240_000, 250_001, 479_999])
        expect(await maybe(`e:k${i}@x.dk`), `k${i}`).toBe(1);
      let falsePositives = 0;
      for (let i = 0; i < 2000; i++) falsePositives += await maybe(`e:n${i}@y.dk`);
      expect(falsePositives).toBeLessThan(2000 * 0.03);
      // The filter of the ranges holds every bit that one read of the whole file sets, and no token rows.
      const whole = wholeFilter(readFileSync(join(dir, 'adresser.txt'), 'utf8'), index.key.macKey, size);
      await index.store.close();
      const stored = storedFilter(index.path);
      expect(stored.tokenRows).toBe(0);
      expect(stored.bits.length).toBe(filterBytesFor(size));
      expect(notIn(whole, stored.bits)).toBe(0);
    },
    60_000,
  );
});

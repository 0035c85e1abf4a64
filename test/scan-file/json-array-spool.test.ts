import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTempDir } from '../../src/core/run-temp.js';
import type { Finding } from '../../src/core/types.js';
import { isPathName } from '../../src/engine/path-names.js';
import { ELEMENT_SEP, JsonArraySpool, SPILL_CHARS } from '../../src/scan-file/json-array-spool.js';
import {
  countKey,
  ElementWriter,
  FindingPacker,
  type PackedFindings,
} from '../../src/scan-file/packed-findings.js';
import { ScanWriter } from '../../src/scan-file/writer.js';
import { tempTree } from '../helpers/cli.js';

/** Findings already built, packed as a worker packs them while it finds them. */
function packFindings(findings: readonly Finding[], packer = new FindingPacker()): PackedFindings {
  const elements = new ElementWriter();
  const counts: Record<string, number> = {};
  for (const f of findings) {
    elements.add(JSON.stringify(f));
    counts[countKey(f)] = (counts[countKey(f)] ?? 0) + 1;
    if (isPathName(f)) packer.addPathName(f);
  }
  packer.add(elements.parts(), elements.count);
  packer.addCounts(counts);
  return packer.finish();
}

async function collect(spool: JsonArraySpool<unknown>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of spool.lines()) out.push(line);
  return out;
}

describe('JsonArraySpool', () => {
  it('keeps a small list in memory: no file is ever created', async () => {
    const path = join(tempTree(), 'small.spool');
    const spool = new JsonArraySpool<{ n: number; s: string }>(path);
    const values = Array.from({ length: 2000 }, (_, n) => ({ n, s: `line ${n} … ø` }));
    for (const v of values) spool.push(v);
    await spool.close();
    expect(spool.spilled).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(spool.count).toBe(2000);
    expect((await collect(spool)).map((l) => JSON.parse(l))).toEqual(values);
    await spool.remove();
    expect(await collect(spool)).toEqual([]);
  });

  it('moves to a 0600 file past its memory bound and gives back every line in order', async () => {
    const path = join(tempTree(), 'large.spool');
    const spool = new JsonArraySpool<string>(path);
    const line = 'x'.repeat(1000);
    const n = Math.ceil(SPILL_CHARS / 1000) + 500;
    for (let i = 0; i < n; i++) spool.push(`${i}${line}`);
    expect(spool.spilled).toBe(true);
    await spool.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const lines = await collect(spool);
    expect(lines).toHaveLength(n);
    expect(lines[0]).toBe(JSON.stringify(`0${line}`));
    expect(lines[n - 1]).toBe(JSON.stringify(`${n - 1}${line}`));
    expect(lines.every((l, i) => l === JSON.stringify(`${i}${line}`))).toBe(true);
    await spool.remove();
    expect(existsSync(path)).toBe(false);
  });

  it('keeps values as scan-file array elements, on disk byte for byte, also values longer than a read', async () => {
    const path = join(tempTree(), 'elements.spool');
    const spool = new JsonArraySpool<string>(path);
    // Multi-byte text, values ending in a comma, and a few of over 1 MiB that span several reads.
    const values = Array.from({ length: 3000 }, (_, i) =>
      i % 1000 === 7 ? `${i}${'æø…'.repeat(500_000)}` : `${i} Søren Østergård, … ${'x'.repeat(i % 3000)},`,
    );
    for (const v of values.slice(0, 1500)) spool.push(v);
    // Values serialised elsewhere (a worker) as UTF-8, between the others.
    spool.pushElements(
      Buffer.from(
        values
          .slice(1500, 1600)
          .map((v) => `${ELEMENT_SEP}${JSON.stringify(v)}`)
          .join(''),
      ),
      100,
    );
    for (const v of values.slice(1600)) spool.push(v);
    await spool.close();
    expect(spool.spilled).toBe(true);
    expect(spool.count).toBe(3000);
    const pieces: Buffer[] = [];
    for await (const piece of spool.pieces()) pieces.push(Buffer.from(piece));
    expect(pieces.length).toBeGreaterThan(3);
    const stored = Buffer.concat(pieces);
    expect(stored.equals(readFileSync(path))).toBe(true);
    // Without its first comma, the stored text is the body of a JSON array.
    expect(JSON.parse(`[${stored.subarray(1).toString('utf8')}]`)).toEqual(values);
    expect((await collect(spool)).map((l) => JSON.parse(l))).toEqual(values);
    await spool.remove();
  });

  it('gives the same values from memory, bytes and text mixed', async () => {
    const spool = new JsonArraySpool<string>(join(tempTree(), 'small.spool'));
    spool.push('a,');
    spool.pushElements(Buffer.from(`${ELEMENT_SEP}"b"${ELEMENT_SEP}"c…"`), 2);
    spool.push('d');
    await spool.close();
    expect(spool.spilled).toBe(false);
    expect(await collect(spool)).toEqual(['"a,"', '"b"', '"c…"', '"d"']);
    let text = '';
    for await (const piece of spool.pieces())
      text += typeof piece === 'string' ? piece : Buffer.from(piece).toString();
    expect(JSON.parse(`[${text.slice(1)}]`)).toEqual(['a,', 'b', 'c…', 'd']);
  });
});

/** A scan writer for a test scan under `/r`, without the file list. */
function testWriter(scanId: string, all = false): ScanWriter {
  return new ScanWriter(
    {
      scanId,
      startedAt: new Date().toISOString(),
      roots: ['/r'],
      subject: { name: 'Ane Test' },
      options: { all, excludes: [] },
    },
    false,
  );
}

describe('ScanWriter', () => {
  it('spools skipped files past the memory bound and writes them all, in order, with counts per reason', async () => {
    const scanId = `spool-test-${process.pid}`;
    const writer = testWriter(scanId);
    const n = Math.ceil(SPILL_CHARS / 1000) * 10 + 1000;
    const pathOf = (i: number) => `/r/${'d'.repeat(80)}/bin-${i}.dat`;
    for (let i = 0; i < n; i++) writer.addSkipped(pathOf(i), i % 10 === 0 ? 'too large' : 'binary');
    // On disk, not in memory (the stream opens its file asynchronously).
    const spoolFile = join(runTempDir(), `scan-${scanId}.skipped.spool`);
    for (let t = 0; t < 200 && !existsSync(spoolFile); t++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(spoolFile)).toBe(true);
    const out = join(tempTree(), 'scan.json');
    await writer.write(out, { finishedAt: new Date().toISOString() });
    const scan = JSON.parse(readFileSync(out, 'utf8'));
    expect(scan.skippedFiles).toHaveLength(n);
    expect(scan.skippedFiles.every((f: { path: string }, i: number) => f.path === pathOf(i))).toBe(true);
    expect(scan.stats.skipped).toBe(n);
    expect(writer.skippedReasons).toEqual(
      new Map([
        ['too large', n / 10],
        ['binary', n - n / 10],
      ]),
    );
    expect(Object.keys(scan).indexOf('skippedFiles')).toBe(Object.keys(scan).indexOf('stats') + 1);
    // The spool's temporary file is gone with the scan written.
    expect(existsSync(spoolFile)).toBe(false);
  });

  it('spools errors past the memory bound and writes them sorted by item, with counts per kind', async () => {
    const scanId = `errors-test-${process.pid}`;
    const writer = testWriter(scanId);
    const n = Math.ceil(SPILL_CHARS / 100) + 1000;
    // Written in descending order: the scan file lists them by item.
    const pathOf = (i: number) => `/r/locked/${String(n - i).padStart(6, '0')}.txt`;
    for (let i = 0; i < n; i++)
      writer.addError({
        path: pathOf(i),
        itemPath: [],
        kind: i % 4 === 0 ? 'corrupt' : 'permission',
        message: 'EACCES: permission denied',
      });
    expect(existsSync(join(runTempDir(), `scan-${scanId}.errors.spool`))).toBe(true);
    expect(writer.stats.errors).toBe(n);
    expect(writer.errorKinds).toEqual(
      new Map([
        ['corrupt', n / 4],
        ['permission', n - n / 4],
      ]),
    );
    const out = join(tempTree(), 'scan.json');
    await writer.write(out, { finishedAt: new Date().toISOString() });
    const scan = JSON.parse(readFileSync(out, 'utf8'));
    expect(scan.errors).toHaveLength(n);
    expect(scan.errors[0].path).toBe(pathOf(n - 1));
    expect(scan.errors[n - 1].path).toBe(pathOf(0));
    expect(existsSync(join(runTempDir(), `scan-${scanId}.errors.spool`))).toBe(false);
  });

  it('writes findings spilled to disk sorted by item, field and offset, byte for byte as given', async () => {
    const scanId = `sorted-test-${process.pid}`;
    const writer = testWriter(scanId, true);
    // Past the memory bound, in scrambled order, with multi-byte text (positions in the file are bytes).
    const n = Math.ceil(SPILL_CHARS / 300) + 2000;
    const all: Finding[] = Array.from({ length: n }, (_, i) => {
      const k = (i * 7919) % n;
      return {
        id: `f${k}`,
        path: `/r/${k % 37 === 0 ? 'Østergård' : 'arkiv'}/${k % 211}.txt`,
        itemPath: k % 5 === 0 ? [`member ${k % 3}.txt`] : [],
        itemId: `i${k % 211}`,
        detector: 'email',
        subject: false,
        value: `kunde${k}@example.dk`,
        confidence: 0.9,
        evidence: 'none',
        location: { field: k % 7 === 0 ? 'header:From' : 'body', offset: (k * 31) % 1000 },
        context: `…ø ${'æ'.repeat(k % 50)} kunde${k}@example.dk …`,
      };
    });
    for (const f of all) writer.addFinding(f);
    expect(existsSync(join(runTempDir(), `scan-${scanId}.findings.spool`))).toBe(true);
    const out = join(tempTree(), 'scan.json');
    await writer.write(out, { finishedAt: 'x' });
    const text = readFileSync(out, 'utf8');
    const scan = JSON.parse(text);
    const key = (f: Finding) => [f.path, ...f.itemPath].join('\u0000');
    const expected = all
      .map((f, i) => ({ f, i }))
      .sort(
        (a, b) =>
          (key(a.f) < key(b.f) ? -1 : key(a.f) > key(b.f) ? 1 : 0) ||
          (a.f.location.field! < b.f.location.field!
            ? -1
            : a.f.location.field! > b.f.location.field!
              ? 1
              : 0) ||
          a.f.location.offset! - b.f.location.offset! ||
          a.i - b.i,
      )
      .map(({ f }) => f);
    expect(scan.findings).toEqual(expected);
    // The elements are the stored ones, laid out as every other array of the scan file.
    expect(text).toContain(
      `"findings": [\n    ${JSON.stringify(expected[0])},\n    ${JSON.stringify(expected[1])},`,
    );
    expect(text).toContain(`${JSON.stringify(expected[n - 1])}\n  ],\n  "items"`);
  });

  it('takes findings packed by a worker exactly as the same findings one by one', async () => {
    const finding = (i: number, detector: Finding['detector'], field: string, subject: boolean): Finding => ({
      id: `f${i}`,
      path: `/r/Ane Test/${i % 3}.txt`,
      itemPath: [],
      itemId: `i${i % 3}`,
      detector,
      subject,
      value: `v${i} ø…`,
      confidence: 0.9,
      evidence: subject ? 'possible' : 'none',
      location: { field, offset: i },
      context: `kontekst ${i}`,
    });
    const findings = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 0 ? finding(i, 'name', 'path', true) : finding(i, i % 2 ? 'email' : 'cpr', 'body', false),
    );
    const one = testWriter(`one-${process.pid}`, true);
    for (const f of findings) one.addFinding(f, isPathName(f));
    const packed = testWriter(`packed-${process.pid}`, true);
    packed.addPacked(packFindings(findings.slice(0, 120)));
    packed.addPacked(packFindings(findings.slice(120)));
    expect(packed.findingCount).toBe(300);
    expect(packed.findingCounts).toEqual(one.findingCounts);
    expect(packed.pathNameFindings).toEqual(one.pathNameFindings);
    expect([...packed.pathNameFindings.values()].flat()).toHaveLength(6);
    const written = async (w: ScanWriter) => {
      const out = join(tempTree(), 'scan.json');
      await w.write(out, { finishedAt: 'x' });
      return JSON.parse(readFileSync(out, 'utf8')).findings;
    };
    const expected = await written(one);
    expect(await written(packed)).toEqual(expected);

    // Past its limit a worker's packer writes the first findings to a private file, which the writer
    // copies in, in order, and removes.
    const spillDir = tempTree();
    const spilled = testWriter(`spilled-${process.pid}`, true);
    const first = packFindings(findings.slice(0, 120), new FindingPacker(spillDir, 2000));
    expect(first.spilled).toBeDefined();
    expect(statSync(first.spilled as string).mode & 0o777).toBe(0o600);
    expect(first.elements.reduce((n, p) => n + p.length, 0)).toBeLessThanOrEqual(2000);
    spilled.addPacked(first);
    spilled.addPacked(packFindings(findings.slice(120), new FindingPacker(spillDir, 2000)));
    expect(readdirSync(spillDir)).toEqual([]);
    expect(spilled.findingCount).toBe(300);
    expect(await written(spilled)).toEqual(expected);

    // Where the folder cannot be made (here under a file), the findings stay in memory.
    const blocked = join(tempTree({ 'file.txt': 'x' }), 'file.txt', 'parts');
    const held = packFindings(findings.slice(0, 120), new FindingPacker(blocked, 2000));
    expect(held.spilled).toBeUndefined();
    expect(held.count).toBe(120);
    const kept = testWriter(`kept-${process.pid}`, true);
    kept.addPacked(held);
    kept.addPacked(packFindings(findings.slice(120)));
    expect(await written(kept)).toEqual(expected);
  });
});

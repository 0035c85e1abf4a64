import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceSummary } from '../../../src/engine/evidence.js';
import type { TopLevelResult } from '../../../src/engine/result.js';
import { rawPassInRanges } from '../../../src/engine/schedule/raw-pass-in-ranges.js';
import { readTextInRanges } from '../../../src/engine/schedule/text-in-ranges.js';
import type { ScanTask } from '../../../src/engine/worker.js';
import { tempTree } from '../../helpers/cli.js';
import { type Answer, fakeScanRun, fileItem, readResult } from '../../helpers/fake-scan-run.js';

let cleanup: (() => Promise<void>) | undefined;

function setUp(answer: Answer, opts?: Parameters<typeof fakeScanRun>[1]) {
  const fake = fakeScanRun(answer, opts);
  cleanup = fake.discard;
  return fake;
}

afterEach(async () => {
  await cleanup?.();
});

/** A plain-text file of about 600 KiB: in ranges of 64 KiB, nine of them. */
let dir: string;
let log: string;
let logSize: number;
beforeAll(() => {
  const line = 'order 1042 shipped to the warehouse, nothing personal in it\n';
  dir = tempTree({ 'big.log': line.repeat(Math.ceil((600 * 1024) / line.length)) });
  log = join(dir, 'big.log');
  logSize = statSync(log).size;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLEAN: EvidenceSummary = {
  mine: false,
  unique: false,
  namesItem: false,
  namesakeValue: false,
  otherFields: [],
  structuredNameFields: [],
  nearName: false,
};

/** A range's result as a worker gives it: nothing found, and in index mode a token filter. */
function rangeResult(filter?: Uint8Array): TopLevelResult {
  return { ...readResult(0), range: { evidence: CLEAN }, ...(filter ? { tokenFilter: filter } : {}) };
}

const rawRanges = (sent: { task: ScanTask }[]) =>
  sent.filter((s) => s.task.range).map((s) => [s.task.range!.start, s.task.range!.end]);

describe('rawPassInRanges', () => {
  it('covers the file in ranges spread over every thread, and settles a clean file by the first', async () => {
    const fake = setUp((task) => [readResult(100, 1, task.range!.start === 0 ? 'json' : 'text')], {
      shareHere: true,
      split: { rangeBytes: 10 },
    });
    await rawPassInRanges(fake.run, fileItem('/data/big.txt', 100), 100);
    expect(rawRanges(fake.sent)).toEqual(Array.from({ length: 10 }, (_, i) => [i * 10, i * 10 + 10]));
    expect(fake.sent.map((s) => s.pool)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? 'extra' : 'pool')),
    );
    expect(fake.delivered.map((d) => d.result.format)).toEqual(['json']);
    const scan = await fake.scanFile();
    expect(scan.stats).toMatchObject({ files: 1, bytes: 100 });
  });

  it('sends no range past a wave with an anchor in it, and reads the file in full', async () => {
    const fake = setUp(
      (task) => {
        if (task.range) return task.range.start === 20 ? [] : [readResult(logSize)];
        // The ranges of the full read fail: the file is read in one piece.
        if (task.textRange) throw new Error('range failed');
        return [readResult(logSize, 1)];
      },
      { split: { rangeBytes: 10 } },
    );
    await rawPassInRanges(fake.run, fileItem(log, logSize), 100);
    // Two ranges a thread at a time: the first wave is 0–40.
    expect(rawRanges(fake.sent)).toEqual([
      [0, 10],
      [10, 20],
      [20, 30],
      [30, 40],
    ]);
    const last = fake.sent.at(-1)!.task;
    expect([last.range, last.textRange, last.rawChecked]).toEqual([undefined, undefined, true]);
    expect(fake.delivered).toHaveLength(1);
    expect((await fake.scanFile()).stats).toMatchObject({ files: 1, bytes: logSize });
  });

  it('settles a binary file by its first range, whatever the others say', async () => {
    const fake = setUp(
      (task) => (task.range!.start === 0 ? [{ ...readResult(100), skipped: 'binary' }] : []),
      {
        split: { rangeBytes: 10 },
      },
    );
    await rawPassInRanges(fake.run, fileItem('/data/blob.txt', 100), 100);
    expect(rawRanges(fake.sent)).toHaveLength(4);
    const scan = await fake.scanFile();
    expect(scan.skippedFiles).toEqual([{ path: '/data/blob.txt', reason: 'binary' }]);
  });
});

describe('readTextInRanges', () => {
  const split = { rangeBytes: 64 * 1024 };

  it('reads the file in one piece with one thread', async () => {
    const fake = setUp(() => [readResult(logSize)], { concurrency: 1, split });
    await readTextInRanges(fake.run, fileItem(log, logSize), true);
    expect(fake.sent.map((s) => [s.task.textRange, s.task.rawChecked])).toEqual([[undefined, true]]);
  });

  it('merges the ranges in order, two a thread at a time, into the file’s one result', async () => {
    const fake = setUp(
      async () => {
        await new Promise((r) => setImmediate(r));
        return [rangeResult()];
      },
      { all: true, split },
    );
    await readTextInRanges(fake.run, fileItem(log, logSize), false);
    const indices = fake.sent.map((s) => s.task.textRange!.index);
    expect(indices).toEqual(indices.map((_, i) => i));
    expect(indices.length).toBeGreaterThanOrEqual(8);
    expect(fake.mostRunning()).toBeLessThanOrEqual(4);
    expect(fake.mostRunning()).toBeGreaterThan(1);
    expect(fake.delivered.map((d) => d.result.parts)).toEqual([indices.length]);
    // Progress through the file before it is done, and the file's bytes once it is.
    expect(fake.progress.length).toBeGreaterThan(indices.length);
    expect(fake.progress[0].bytes).toBeGreaterThan(0);
    expect(fake.progress[0].files).toBe(0);
    expect(fake.progress.at(-1)).toMatchObject({ files: 1, bytes: logSize });
  });

  it('in an index, ORs the ranges’ token filters into the file’s, one range a thread at a time', async () => {
    const fake = setUp(
      async (task) => {
        await new Promise((r) => setImmediate(r));
        const filter = new Uint8Array(64);
        filter[task.textRange!.index] = 1 << (task.textRange!.index % 8);
        return [rangeResult(filter)];
      },
      { subject: null, index: { collector: 'file:///unused.js', key: 'k' }, split },
    );
    await readTextInRanges(fake.run, fileItem(log, logSize), false);
    const n = fake.sent.length;
    expect(fake.mostRunning()).toBe(2);
    const expected = new Uint8Array(64);
    for (let i = 0; i < n; i++) expected[i] = 1 << (i % 8);
    expect(fake.delivered).toHaveLength(1);
    expect(fake.delivered[0].result.tokenFilter).toEqual(expected);
    expect(fake.delivered[0].result.tokens).toBeUndefined();
  });

  it('reads the file in one piece when a range fails, or its token filter is not the size of the others', async () => {
    const failing = setUp(
      (task) => {
        if (task.textRange?.index === 2) throw new Error('range failed');
        return task.textRange ? [rangeResult()] : [readResult(logSize)];
      },
      { all: true, split },
    );
    await readTextInRanges(failing.run, fileItem(log, logSize), false);
    const whole = failing.sent.filter((s) => !s.task.textRange);
    expect(whole).toHaveLength(1);
    expect(failing.delivered.map((d) => d.result.parts)).toEqual([undefined]);
    await failing.discard();

    const mismatched = setUp(
      (task) => {
        if (!task.textRange) return [readResult(logSize)];
        return [rangeResult(new Uint8Array(task.textRange.index === 1 ? 128 : 64))];
      },
      { subject: null, index: { collector: 'file:///unused.js', key: 'k' }, split },
    );
    await readTextInRanges(mismatched.run, fileItem(log, logSize), false);
    expect(mismatched.sent.filter((s) => !s.task.textRange)).toHaveLength(1);
    expect(mismatched.delivered.map((d) => d.result.tokenFilter)).toEqual([undefined]);
  });
});

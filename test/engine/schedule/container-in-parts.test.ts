import { afterEach, describe, expect, it } from 'vitest';
import type { ScanError } from '../../../src/core/types.js';
import { ItemTimeoutError } from '../../../src/engine/pool.js';
import {
  type PartPlan,
  type PartSpec,
  readInParts,
} from '../../../src/engine/schedule/container-in-parts.js';
import { type Answer, fakeScanRun, fileItem, later, readResult } from '../../helpers/fake-scan-run.js';

let cleanup: (() => Promise<void>) | undefined;

function setUp(answer: Answer, opts?: Parameters<typeof fakeScanRun>[1]) {
  const fake = fakeScanRun(answer, opts);
  cleanup = fake.discard;
  return fake;
}

afterEach(async () => {
  await cleanup?.();
});

const MBOX = fileItem('/data/big.mbox', 1000);

/** Part `i` of ten of 100 bytes, holding `i + 1` messages. */
function part(i: number): PartSpec {
  return { task: { mboxPart: { index: i, spans: [] } }, what: `part ${i}`, end: (i + 1) * 100 };
}

/** Plans `count` parts, and reports `errors` on the way. */
function planOf(count: number, errors: ScanError[] = []): PartPlan {
  return async (send, report) => {
    for (const e of errors) report(e);
    for (let i = 0; i < count; i++) await send(part(i));
    return true;
  };
}

/** A part's result: the container itself plus the part's messages. */
const partResult = (task: { mboxPart?: { index: number } }) => [readResult(0, task.mboxPart!.index + 2)];

describe('readInParts', () => {
  it('collects each part as it merges and the container once, spreading the parts over every thread', async () => {
    const fake = setUp(partResult, { shareHere: true });
    const merged: number[] = [];
    const planned: ScanError = {
      path: MBOX.ref.path,
      itemPath: ['x'],
      kind: 'corrupt',
      message: 'bad From line',
    };
    await readInParts(fake.run, MBOX, 1000, 'mbox', planOf(10, [planned]), (_r, p) =>
      merged.push(p.task.mboxPart!.index),
    );
    expect(merged).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.sent.map((s) => s.pool)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? 'extra' : 'pool')),
    );
    expect(fake.sent[0].task).toMatchObject({ spillDir: '/nonexistent/spill', mboxPart: { index: 0 } });
    expect(fake.delivered).toHaveLength(1);
    expect(fake.delivered[0].result).toMatchObject({
      parts: 10,
      itemCount: 1 + 55,
      bytes: 1000,
      format: 'mbox',
    });
    expect(fake.delivered[0].result.errors).toEqual([planned]);
    expect(fake.progress.slice(0, 10).map((p) => p.bytes)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i + 1) * 100),
    );
    const scan = await fake.scanFile();
    expect(scan.stats).toMatchObject({ files: 1, items: 56, bytes: 1000, errors: 1 });
    expect(scan.scanned).toEqual([MBOX.ref.path]);
  });

  it('holds two parts a thread at a time', async () => {
    const gates = Array.from({ length: 10 }, () => later<void>());
    const fake = setUp(async (task) => {
      await gates[task.mboxPart!.index].promise;
      return partResult(task);
    });
    const done = readInParts(fake.run, MBOX, 1000, 'mbox', planOf(10));
    await new Promise((r) => setImmediate(r));
    expect(fake.sent).toHaveLength(4);
    for (const g of gates) g.resolve();
    await done;
    expect(fake.mostRunning()).toBe(4);
    expect(fake.sent).toHaveLength(10);
  });

  it('reads a failed part again once, then reports it with what it held; never one stopped at its own limit', async () => {
    const tries = new Map<number, number>();
    const fake = setUp((task) => {
      const i = task.mboxPart!.index;
      tries.set(i, (tries.get(i) ?? 0) + 1);
      if (i === 1 && tries.get(i) === 1) throw new Error('thread stopped for another task');
      if (i === 2) throw new Error('boom');
      if (i === 3) throw new ItemTimeoutError(0);
      return partResult(task);
    });
    await readInParts(fake.run, MBOX, 1000, 'mbox', planOf(5));
    expect([...tries.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1, 2],
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    const scan = await fake.scanFile();
    expect(scan.errors).toEqual([
      {
        path: MBOX.ref.path,
        itemPath: [],
        kind: 'corrupt',
        message: 'part 2 not read: internal error: boom',
      },
      {
        path: MBOX.ref.path,
        itemPath: [],
        kind: 'timeout',
        message: `part 3 not read: not finished within ${fake.run.limits.timeoutMs / 1000} s`,
      },
    ]);
    expect(fake.delivered[0].result).toMatchObject({ parts: 3, itemCount: 1 + 1 + 2 + 5 });
  });

  it('reads the container the usual way when there is nothing to share', async () => {
    const fake = setUp(() => [readResult(1000, 7, 'mbox')]);
    await readInParts(fake.run, MBOX, 1000, 'mbox', async () => false);
    expect(fake.sent.map((s) => s.task.mboxPart)).toEqual([undefined]);
    expect(fake.delivered.map((d) => d.result.itemCount)).toEqual([7]);
  });

  it('reports a plan that fails: after parts were sent it keeps them, before any it reads the usual way', async () => {
    const failure = Object.assign(new Error('EACCES: permission denied, read'), { code: 'EACCES' });
    const after = setUp(partResult);
    await readInParts(after.run, MBOX, 1000, 'mbox', async (send) => {
      await send(part(0));
      throw failure;
    });
    expect(after.delivered[0].result).toMatchObject({ parts: 1 });
    expect(after.delivered[0].result.errors).toEqual([
      {
        path: MBOX.ref.path,
        itemPath: [],
        kind: 'permission',
        message: 'EACCES: permission denied, read',
      },
    ]);
    await after.discard();

    const before = setUp(() => [readResult(1000, 1, 'mbox')]);
    await readInParts(before.run, MBOX, 1000, 'mbox', async () => {
      throw failure;
    });
    expect(before.sent.map((s) => s.task.mboxPart)).toEqual([undefined]);
    expect(before.delivered[0].result.parts).toBeUndefined();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ItemTimeoutError, WorkerMemoryError } from '../../../src/engine/pool.js';
import { readItems } from '../../../src/engine/schedule/read-items.js';
import { type Answer, fakeScanRun, fileItem, readResult } from '../../helpers/fake-scan-run.js';

const files = ['/data/a.txt', '/data/b.txt', '/data/c.txt'].map((p) => fileItem(p, 100));
let cleanup: (() => Promise<void>) | undefined;

function setUp(answer: Answer, opts?: Parameters<typeof fakeScanRun>[1]) {
  const fake = fakeScanRun(answer, opts);
  cleanup = fake.discard;
  return fake;
}

afterEach(async () => {
  await cleanup?.();
});

const names = (sent: { task: { inputs: { name: string }[] } }[]) =>
  sent.map((s) => s.task.inputs.map((i) => i.name));

describe('readItems', () => {
  it('reads a batch in one task and collects each item’s result', async () => {
    const fake = setUp((task) => task.inputs.map((_, i) => readResult(100, i + 1)));
    await readItems(fake.run, files);
    expect(names(fake.sent)).toEqual([['a.txt', 'b.txt', 'c.txt']]);
    const { task, pool } = fake.sent[0];
    expect(pool).toBe('pool');
    expect(task).toMatchObject({ all: false, rawChecked: false, spillDir: '/nonexistent/spill' });
    expect(fake.delivered.map((d) => [d.input.name, d.result.itemCount])).toEqual([
      ['a.txt', 1],
      ['b.txt', 2],
      ['c.txt', 3],
    ]);
    const scan = await fake.scanFile();
    expect(scan.stats).toMatchObject({ files: 3, items: 6, bytes: 300, errors: 0 });
    expect(fake.progress).toHaveLength(1);
  });

  it('reports the item that ran out of time and reads every other one of the batch again alone', async () => {
    const fake = setUp((task) => {
      if (task.inputs.length > 1) throw new ItemTimeoutError(1);
      return [readResult(100)];
    });
    await readItems(fake.run, files);
    expect(names(fake.sent)).toEqual([['a.txt', 'b.txt', 'c.txt'], ['a.txt'], ['c.txt']]);
    const scan = await fake.scanFile();
    expect(scan.errors).toEqual([
      {
        path: '/data/b.txt',
        itemPath: [],
        kind: 'timeout',
        message: `not finished within ${fake.run.limits.timeoutMs / 1000} s; stopped`,
      },
    ]);
    expect(scan.scanned).toEqual(['/data/a.txt', '/data/b.txt', '/data/c.txt']);
    expect(scan.stats).toMatchObject({ files: 3, errors: 1 });
  });

  it('reads an item again once when its task fails for another reason, then reports it', async () => {
    let calls = 0;
    const once = setUp(() => {
      if (calls++ === 0) throw new Error('thread stopped for another task');
      return [readResult(100)];
    });
    await readItems(once.run, [files[0]]);
    expect(once.sent).toHaveLength(2);
    expect(once.delivered).toHaveLength(1);
    await once.discard();

    const twice = setUp(() => {
      throw new Error('boom');
    });
    await readItems(twice.run, [files[0]]);
    expect(twice.sent).toHaveLength(2);
    const scan = await twice.scanFile();
    expect(scan.errors).toEqual([
      { path: '/data/a.txt', itemPath: [], kind: 'corrupt', message: 'internal error: boom' },
    ]);
    expect(scan.stats).toMatchObject({ files: 1, errors: 1 });
  });

  it('does not read again an item that ran out of time alone, and reports a memory cap as a limit', async () => {
    const timedOut = setUp(() => {
      throw new ItemTimeoutError(0);
    });
    await readItems(timedOut.run, [files[0]]);
    expect(timedOut.sent).toHaveLength(1);
    expect((await timedOut.scanFile()).errors[0].kind).toBe('timeout');
    await timedOut.discard();

    const memory = setUp(() => {
      throw new WorkerMemoryError(64);
    });
    await readItems(memory.run, [files[0]], { retry: false });
    expect(memory.sent).toHaveLength(1);
    expect((await memory.scanFile()).errors).toEqual([
      { path: '/data/a.txt', itemPath: [], kind: 'limit', message: new WorkerMemoryError(64).message },
    ]);
  });

  it('sends to the extra pool when asked, and passes rawChecked on', async () => {
    const fake = setUp(() => [readResult(100)], { shareHere: true });
    await readItems(fake.run, [files[0]], { extra: true, rawChecked: true });
    expect(fake.sent.map((s) => [s.pool, s.task.rawChecked])).toEqual([['extra', true]]);
    expect(fake.started).toEqual(['extra']);
  });

  it('reports nothing for a task that fails once the scan is stopped', async () => {
    const fake = setUp(() => {
      fake.abort();
      throw new Error('aborted');
    });
    await readItems(fake.run, files);
    expect(fake.sent).toHaveLength(1);
    const scan = await fake.scanFile();
    expect(scan.errors).toEqual([]);
    expect(scan.stats.files).toBe(0);
  });
});

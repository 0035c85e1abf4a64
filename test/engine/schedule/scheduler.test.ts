import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../../src/engine/schedule/scheduler.js';
import { tempTree } from '../../helpers/cli.js';
import { type Answer, fakeScanRun, fileItem, later, readResult } from '../../helpers/fake-scan-run.js';

let cleanup: (() => Promise<void>) | undefined;

function setUp(answer: Answer, opts?: Parameters<typeof fakeScanRun>[1]) {
  const fake = fakeScanRun(answer, opts);
  cleanup = fake.discard;
  return { ...fake, scheduler: new Scheduler(fake.run) };
}

afterEach(async () => {
  await cleanup?.();
});

const tick = () => new Promise((r) => setImmediate(r));

describe('Scheduler', () => {
  it('counts tasks in flight on the pool each goes to, and says when a worker’s task settles', async () => {
    const held = [later<void>(), later<void>()];
    const { run, scheduler, sent } = setUp(
      async (task) => {
        await held[sent.length - 1].promise;
        return task.inputs.map(() => readResult(10));
      },
      { shareHere: true },
    );
    let settled = 0;
    scheduler.onWorkerTaskSettled(() => settled++);
    scheduler.read([fileItem('/data/a.pdf', 10)]);
    scheduler.read([fileItem('/data/b.pdf', 10)], { extra: true });
    await tick();
    expect([run.workers.inPool, run.workers.inExtra]).toEqual([1, 1]);
    expect(run.workers.room()).toEqual({ pool: 1, extra: 1 });
    held[0].resolve();
    await tick();
    expect([run.workers.inPool, run.workers.inExtra, settled]).toEqual([0, 1, 1]);
    held[1].resolve();
    await scheduler.drain();
    expect([run.workers.inPool, run.workers.inExtra, settled]).toEqual([0, 0, 2]);
  });

  it('reads on this thread without counting the task or calling the hook', async () => {
    const dir = tempTree({ 'note.txt': 'nothing personal here\n' });
    try {
      const { run, scheduler, sent, delivered } = setUp(() => []);
      let settled = 0;
      scheduler.onWorkerTaskSettled(() => settled++);
      scheduler.read([fileItem(join(dir, 'note.txt'), 22)], { here: true });
      expect(run.workers.inPool).toBe(0);
      await scheduler.drain();
      expect(sent).toEqual([]);
      expect(settled).toBe(0);
      expect(delivered.map((d) => [d.input.name, d.result.format, d.result.findings.length])).toEqual([
        ['note.txt', 'text', 0],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs at most eight tasks a thread at once', async () => {
    const gate = later<void>();
    const { scheduler, mostRunning } = setUp(
      async (task) => {
        await gate.promise;
        return task.inputs.map(() => readResult(10));
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 20; i++) scheduler.read([fileItem(`/data/${i}.txt`, 10)]);
    await tick();
    expect(mostRunning()).toBe(16);
    gate.resolve();
    await scheduler.drain();
    expect(mostRunning()).toBe(16);
  });

  it('makes the walk wait while sixteen pieces of work a thread are in flight', async () => {
    const { scheduler } = setUp(() => [], { concurrency: 1 });
    const works = Array.from({ length: 16 }, () => later<void>());
    for (const w of works) scheduler.track(w.promise);
    let roomy = false;
    const waiting = scheduler.room().then(() => {
      roomy = true;
    });
    await tick();
    expect(roomy).toBe(false);
    works[3].resolve();
    await waiting;
    expect(roomy).toBe(true);
    for (const w of works) w.resolve();
    await scheduler.drain();
  });

  it('drains work that settled work started, and settles after a stop whatever became of it', async () => {
    const { scheduler } = setUp(() => []);
    const order: string[] = [];
    scheduler.add(async () => {
      await tick();
      order.push('first');
      scheduler.add(async () => {
        await tick();
        order.push('second');
      });
    });
    await scheduler.drain();
    expect(order).toEqual(['first', 'second']);

    scheduler.track(Promise.reject(new Error('stopped')));
    scheduler.add(async () => {
      order.push('third');
    });
    await scheduler.settle();
    expect(order).toEqual(['first', 'second', 'third']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../src/crawl/fs-source.js';
import { Dispatcher, type IndexAnswers } from '../../../src/engine/schedule/dispatch.js';
import { Scheduler } from '../../../src/engine/schedule/scheduler.js';
import { fakeScanRun, readResult } from '../../helpers/fake-scan-run.js';

let cleanup: (() => Promise<void>) | undefined;

function setUp(index: IndexAnswers = {}, ownFiles = new Map<string, string>()) {
  const fake = fakeScanRun(
    (task) => task.inputs.map((i) => readResult(i.source.kind === 'file' ? i.source.size : 0)),
    {
      split: { minBytes: 1000, mailboxBytes: 1000, textBytes: 1000 },
    },
  );
  cleanup = fake.discard;
  const scheduler = new Scheduler(fake.run);
  return { ...fake, scheduler, dispatcher: new Dispatcher(fake.run, scheduler, undefined, ownFiles, index) };
}

afterEach(async () => {
  await cleanup?.();
});

const entry = (name: string, size: number): FileEntry => ({
  absPath: `/data/${name}`,
  root: '/data',
  size,
  mtimeMs: 0,
});
const names = (sent: { task: { inputs: { name: string }[] } }[]) =>
  sent.map((s) => s.task.inputs.map((i) => i.name));

describe('Dispatcher', () => {
  it('lists walk errors, skipped files and dsr’s own files without reading them', async () => {
    const { dispatcher, scheduler, sent, scanFile } = setUp(
      {},
      new Map([['/data/subject.json', 'the subject profile']]),
    );
    await dispatcher.walked({
      type: 'error',
      error: { path: '/data/x', itemPath: [], kind: 'permission', message: 'EACCES' },
    });
    await dispatcher.walked({ type: 'skip', path: '/data/link', reason: 'symbolic link' });
    await dispatcher.walked({ type: 'file', file: entry('subject.json', 10) });
    dispatcher.walkEnded();
    await scheduler.drain();
    expect(sent).toEqual([]);
    const scan = await scanFile();
    expect(scan.errors.map((e) => e.kind)).toEqual(['permission']);
    expect(scan.skippedFiles).toEqual([
      { path: '/data/link', reason: 'symbolic link' },
      { path: '/data/subject.json', reason: 'the subject profile' },
    ]);
  });

  it('collects a file the index answers without a task, and batches the small files', async () => {
    const { dispatcher, scheduler, sent, delivered, scanFile } = setUp({
      shortcut: (file) => (file.absPath.endsWith('known.txt') ? readResult(5) : undefined),
    });
    for (const name of ['a.txt', 'known.txt', 'b.txt', 'c.pdf'])
      await dispatcher.walked({ type: 'file', file: entry(name, 5) });
    expect(sent).toEqual([]);
    dispatcher.walkEnded();
    await scheduler.drain();
    expect(names(sent)).toEqual([['a.txt', 'b.txt', 'c.pdf']]);
    // The index's own answer is not handed back to it.
    expect(delivered.map((d) => d.input.name)).toEqual(['a.txt', 'b.txt', 'c.pdf']);
    // Answered at once, before the batch is read.
    expect((await scanFile()).scanned).toEqual([
      '/data/known.txt',
      '/data/a.txt',
      '/data/b.txt',
      '/data/c.pdf',
    ]);
  });

  it('reads a huge file whose format it cannot share on its own', async () => {
    const { dispatcher, scheduler, sent } = setUp();
    await dispatcher.walked({ type: 'file', file: entry('small.txt', 5) });
    // Not on disk: its head cannot be read, so it is read the usual way, which reports why.
    await dispatcher.walked({ type: 'file', file: entry('huge.bin', 5000) });
    dispatcher.walkEnded();
    await scheduler.drain();
    expect(names(sent).sort()).toEqual([['huge.bin'], ['small.txt']]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../src/core/types.js';
import { FileQueue } from '../../src/engine/schedule/file-queue.js';

function file(name: string, size = 100): ItemInput {
  const absPath = `/data/${name}`;
  return { ref: { path: absPath, itemPath: [] }, name, source: { kind: 'file', absPath, size }, depth: 0 };
}

/** A queue over two pools with `pool` and `extra` free task places, recording what it sends. */
function queueWith(places: { pool: number; extra: number }, limit = 100) {
  const sent: { names: string[]; extra: boolean }[] = [];
  let stopped = false;
  const room = { ...places };
  const queue = new FileQueue({
    limit,
    batchFiles: 3,
    batchBytes: 1000,
    room: () => room,
    send: (batch, extra) => {
      sent.push({ names: batch.map((i) => i.name), extra });
      if (extra) room.extra--;
      else room.pool--;
    },
    stopped: () => stopped,
  });
  return { queue, sent, room, stop: () => (stopped = true) };
}

describe('FileQueue', () => {
  it('sends other formats first, to the pool and then the extra thread; plain text only to the pool', () => {
    const { queue, sent, room } = queueWith({ pool: 0, extra: 0 });
    for (const n of ['a.txt', 'b.log', 'c.pdf', 'd.docx', 'e.json', 'f.jpg', 'g.csv', 'h.eml'])
      queue.add(file(n));
    expect(sent).toEqual([]);
    room.pool = 1;
    room.extra = 1;
    queue.feed();
    expect(sent).toEqual([
      { names: ['c.pdf', 'd.docx', 'f.jpg'], extra: false },
      { names: ['h.eml'], extra: true },
    ]);
    room.extra = 1;
    queue.feed();
    // Plain text never goes to the extra thread …
    expect(sent).toHaveLength(2);
    room.pool = 1;
    queue.feed();
    // … only to the pool.
    expect(sent.at(-1)).toEqual({ names: ['a.txt', 'b.log', 'e.json'], extra: false });
  });

  it('batches by files and bytes, a big file alone', () => {
    const { queue, sent, room } = queueWith({ pool: 0, extra: 0 });
    const sizes = [600, 600, 100, 100, 100];
    sizes.forEach((size, i) => {
      queue.add(file(`${'abcde'[i]}.txt`, size));
    });
    room.pool = 5;
    queue.feed();
    expect(sent.map((b) => b.names)).toEqual([['a.txt'], ['b.txt', 'c.txt', 'd.txt'], ['e.txt']]);
  });

  it('gives the main thread plain text from the tail, waits for more, and ends after the walk', async () => {
    const { queue } = queueWith({ pool: 0, extra: 0 });
    queue.add(file('a.txt'));
    queue.add(file('b.pdf'));
    queue.add(file('c.txt'));
    expect((await queue.next())?.name).toBe('c.txt');
    expect((await queue.next())?.name).toBe('a.txt');
    const waiting = queue.next();
    queue.add(file('d.md'));
    expect((await waiting)?.name).toBe('d.md');
    const last = queue.next();
    queue.end();
    expect(await last).toBeUndefined();
  });

  it('makes the walk wait while full, and lets it on once a file is taken', async () => {
    const { queue } = queueWith({ pool: 0, extra: 0 }, 2);
    queue.add(file('a.txt'));
    queue.add(file('b.txt'));
    let roomed = false;
    const room = queue.room().then(() => {
      roomed = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(roomed).toBe(false);
    await queue.next();
    await room;
    expect(roomed).toBe(true);
  });

  it('drops what is queued once the scan is stopped', async () => {
    const { queue, sent, room, stop } = queueWith({ pool: 0, extra: 0 });
    queue.add(file('a.txt'));
    queue.add(file('b.pdf'));
    stop();
    room.pool = 5;
    queue.feed();
    expect(sent).toEqual([]);
    expect(await queue.next()).toBeUndefined();
  });
});

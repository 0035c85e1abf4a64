import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../../src/core/types.js';
import { BATCH_BYTES, BATCH_FILES, SmallFiles } from '../../../src/engine/schedule/small-files.js';
import { fileItem } from '../../helpers/fake-scan-run.js';

function batcher(most?: { files: number; bytes: number }) {
  const sent: string[][] = [];
  const small = new SmallFiles((batch: ItemInput[]) => sent.push(batch.map((i) => i.name)), most);
  const add = (name: string, size: number) => small.add(fileItem(`/data/${name}`, size), size);
  return { small, sent, add };
}

describe('SmallFiles', () => {
  it('sends a batch once it holds BATCH_FILES files, and the rest when flushed', () => {
    const { small, sent, add } = batcher();
    for (let i = 0; i < BATCH_FILES + 3; i++) add(`f${i}.txt`, 10);
    expect(sent.map((b) => b.length)).toEqual([BATCH_FILES]);
    small.flush();
    expect(sent.map((b) => b.length)).toEqual([BATCH_FILES, 3]);
    expect(sent.flat()).toEqual(Array.from({ length: BATCH_FILES + 3 }, (_, i) => `f${i}.txt`));
    small.flush();
    expect(sent).toHaveLength(2);
  });

  it('sends small TIFF, PNG and WebP files (maybe scanned pages, read by OCR) two at a time; JPEGs batch as before', () => {
    const { small, sent, add } = batcher();
    for (const name of ['p1.png', 'p2.PNG', 'f.tif', 'g.tiff', 'w.webp']) add(name, 40_000);
    small.flush();
    expect(sent).toEqual([['p1.png', 'p2.PNG'], ['f.tif', 'g.tiff'], ['w.webp']]);
    for (let i = 0; i < 5; i++) add(`IMG_${i}.jpg`, 40_000);
    small.flush();
    expect(sent.at(-1)).toHaveLength(5);
  });

  it('sends a batch once its bytes reach BATCH_BYTES, the file that reached them included', () => {
    const { sent, add } = batcher();
    const third = Math.ceil(BATCH_BYTES / 3);
    add('a', third);
    add('b', third);
    expect(sent).toEqual([]);
    add('c', third);
    expect(sent).toEqual([['a', 'b', 'c']]);
  });

  it('sends a file of a batch’s bytes or more on its own, leaving the batch gathering', () => {
    const { small, sent, add } = batcher({ files: 3, bytes: 1000 });
    add('a', 999);
    add('big', 1000);
    add('b', 0);
    expect(sent).toEqual([['big']]);
    small.flush();
    expect(sent).toEqual([['big'], ['a', 'b']]);
  });
});

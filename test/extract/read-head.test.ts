import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../src/core/types.js';
import { readHead } from '../../src/extract/read.js';
import { tempTree } from '../helpers/cli.js';

function fileInput(path: string): ItemInput {
  return {
    ref: { path, itemPath: [] },
    name: 'f.bin',
    source: { kind: 'file', absPath: path, size: statSync(path).size },
    depth: 0,
  };
}

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 251));

describe('readHead', () => {
  it('reads a file head once per item, and again only when more is asked for', async () => {
    const path = join(tempTree(), 'f.bin');
    writeFileSync(path, bytes(100_000));
    const input = fileInput(path);
    expect(Buffer.from(await readHead(input, 4096))).toEqual(bytes(4096));
    // Changed on disk: what this item already read stays as read …
    writeFileSync(path, Buffer.alloc(100_000, 1));
    expect(Buffer.from(await readHead(input, 1024))).toEqual(bytes(1024));
    // … and a longer head is read anew.
    expect(Buffer.from(await readHead(input))).toEqual(Buffer.alloc(65_536, 1));
    expect(Buffer.from(await readHead(input, 10))).toEqual(Buffer.alloc(10, 1));
    // Another item of the same file reads it itself.
    expect((await readHead(fileInput(path), 10))[0]).toBe(1);
  });

  it('a file shorter than asked for is its whole head, whatever is asked later', async () => {
    const path = join(tempTree(), 'f.bin');
    writeFileSync(path, bytes(300));
    const input = fileInput(path);
    expect(await readHead(input, 100)).toHaveLength(100);
    expect(Buffer.from(await readHead(input))).toEqual(bytes(300));
    writeFileSync(path, bytes(5000));
    expect(await readHead(input, 4096)).toHaveLength(300);
  });
});

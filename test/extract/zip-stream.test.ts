import { randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../src/extract/archive/byte-source.js';
import {
  readZipDirectory,
  readZipEntry,
  streamZipEntry,
  type ZipEntry,
} from '../../src/extract/archive/zip-reader.js';

/** A member read piece by piece must give the bytes read whole, and refuse what lies about its size. */
const text = Buffer.from(
  Array.from({ length: 200_000 }, (_, i) => `række ${i};${randomBytes(4).toString('hex')}\n`).join(''),
);
const zip = zipSync({ 'stored.txt': [text, { level: 0 }], 'deflated.txt': [text, { level: 6 }] });
const src = bufferSource(zip);

async function streamed(entry: ZipEntry): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of streamZipEntry(src, entry)) pieces.push(piece);
  return Buffer.concat(pieces);
}

describe('streamZipEntry', () => {
  it('gives the same bytes as the whole read, stored and deflated, in several pieces', async () => {
    const { entries } = await readZipDirectory(src, 10);
    for (const entry of entries) {
      let pieces = 0;
      for await (const _ of streamZipEntry(src, entry)) pieces++;
      expect(pieces).toBeGreaterThan(1);
      expect((await streamed(entry)).equals(await readZipEntry(src, entry))).toBe(true);
      expect((await streamed(entry)).equals(text)).toBe(true);
    }
  });

  it('stops a member that inflates beyond its declared size, and one that falls short of it', async () => {
    const { entries } = await readZipDirectory(src, 10);
    for (const entry of entries) {
      await expect(streamed({ ...entry, size: text.length - 1000 })).rejects.toThrow(
        /beyond its declared size/,
      );
      await expect(streamed({ ...entry, size: text.length + 1000 })).rejects.toThrow(/the directory says/);
    }
  });

  it('reports damaged deflate data and data cut short', async () => {
    const { entries } = await readZipDirectory(src, 10);
    const deflated = entries.find((e) => e.name === 'deflated.txt')!;
    const broken = Buffer.from(zip);
    broken.fill(0xff, deflated.localOffset + 100, deflated.localOffset + 400);
    const read = async (s: ReturnType<typeof bufferSource>) => {
      for await (const _ of streamZipEntry(s, deflated));
    };
    await expect(read(bufferSource(broken))).rejects.toThrow(
      /deflate data damaged|declared size|directory says/,
    );
    await expect(read(bufferSource(zip.subarray(0, deflated.localOffset + 5000)))).rejects.toThrow(
      /cut short/,
    );
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runTempDir } from '../../src/core/run-temp.js';
import type { ItemInput } from '../../src/core/types.js';
import type { ExtractContext } from '../../src/extract/api.js';
import { decodeHeif, heifConvertPath } from '../../src/extract/media/heif-decode.js';
import { pageLikeSignal } from '../../src/extract/ocr/page-like.js';
import { PROJECT, tempTree } from '../helpers/cli.js';

const OCR = join(PROJECT, 'fixtures/ocr');

function fileInput(path: string): ItemInput {
  return {
    ref: { path, itemPath: [] },
    name: path.slice(path.lastIndexOf('/') + 1),
    source: { kind: 'file', absPath: path, size: statSync(path).size },
    depth: 0,
  } as ItemInput;
}

/** Only what decodeHeif uses of the context. */
function contextOf(data: Buffer): ExtractContext {
  return { signal: new AbortController().signal, readAll: async () => data } as unknown as ExtractContext;
}

function withDecoder<T>(path: string, use: () => Promise<T>): Promise<T> {
  const before = process.env.DSR_HEIF_CONVERT;
  process.env.DSR_HEIF_CONVERT = path;
  return use().finally(() => {
    if (before === undefined) delete process.env.DSR_HEIF_CONVERT;
    else process.env.DSR_HEIF_CONVERT = before;
  });
}

describe('decoding HEIC with heif-convert', { timeout: 60_000 }, () => {
  it('DSR_HEIF_CONVERT chooses the program; empty or not a program means none', () => {
    expect(heifConvertPath({ DSR_HEIF_CONVERT: '' })).toBeUndefined();
    expect(heifConvertPath({ DSR_HEIF_CONVERT: 'heif-convert' })).toBeUndefined();
    expect(heifConvertPath({ PATH: '/nonexistent' })).toBeUndefined();
    expect(heifConvertPath({ PATH: '/usr/bin' })).toBe('/usr/bin/heif-convert');
  });

  it('gives the page as a JPEG that looks like a page, and the photo as one that does not', async () => {
    const temps = () => readdirSync(runTempDir()).filter((n) => n.startsWith('heif-'));
    const page = join(OCR, 'brev.heic');
    const [picture, ...more] = await decodeHeif(fileInput(page), contextOf(readFileSync(page)), 30_000);
    expect(more).toEqual([]);
    expect(await sharp(picture).metadata()).toMatchObject({ format: 'jpeg', width: 1241, height: 1754 });
    expect(await pageLikeSignal(picture)).toBe('light page with dark marks and little colour');
    // A nested item (its bytes only) is decoded from a private copy.
    const photo = readFileSync(join(OCR, 'foto.heic'));
    const buffer = { ...fileInput(page), source: { kind: 'buffer', data: photo } } as ItemInput;
    const [decoded] = await decodeHeif(buffer, contextOf(photo), 30_000);
    expect(await pageLikeSignal(decoded)).toBeUndefined();
    expect(temps()).toEqual([]);
  });

  it('a picture libheif cannot decode is `corrupt`', async () => {
    const bad = join(PROJECT, 'fixtures/media/region.heic');
    await expect(decodeHeif(fileInput(bad), contextOf(readFileSync(bad)), 30_000)).rejects.toMatchObject({
      kind: 'corrupt',
    });
  });

  it('is killed at its time limit: a `timeout`, and no process left behind', async () => {
    const dir = tempTree();
    const slow = join(dir, 'heif-convert');
    const pidFile = join(dir, 'pid');
    writeFileSync(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 30\n`, { mode: 0o755 });
    const page = join(OCR, 'brev.heic');
    await withDecoder(slow, () =>
      expect(decodeHeif(fileInput(page), contextOf(readFileSync(page)), 1000)).rejects.toMatchObject({
        kind: 'timeout',
      }),
    );
    const pid = readFileSync(pidFile, 'utf8').trim();
    const alive = execFileSync('sh', ['-c', `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`], {
      encoding: 'utf8',
    }).trim();
    expect(alive).toBe('gone');
  });
});

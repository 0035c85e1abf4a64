import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ExtractError } from '../../core/errors.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { gzipFormat, isTar } from '../formats.js';
import { spooledSource, withSpoolFile } from '../nested-temp-file.js';
import { readHead, readPieces } from '../read.js';
import { openByteSource } from './byte-source.js';
import { RATIO_GRACE_BYTES } from './member-limits.js';
import { baseName, memberRef } from './members.js';
import { extractTar } from './tar.js';

/** The original file name from the gzip header (FNAME), if the compressor stored it. */
function storedName(gz: Uint8Array): string | undefined {
  const head = Buffer.from(gz.buffer, gz.byteOffset, gz.length);
  if (head.length < 10 || !(head[3] & 0x08)) return undefined;
  let p = 10;
  if (head[3] & 0x04) p += 2 + head.readUInt16LE(10);
  const end = head.indexOf(0, p);
  return end > p ? head.subarray(p, end).toString('latin1') : undefined;
}

/**
 * The one file inside a gzip stream (or the members of a .tar.gz). It is inflated as it is read into
 * a private temporary file, never into memory, so a 300 MB database dump is scanned like any file of
 * that size: plain text streams, a tar is read member by member.
 */
const gzip: Extractor = {
  ...gzipFormat,
  async extract(input, ctx) {
    await withSpoolFile('gzip', async (path) => {
      const inflated = await inflateToFile(input, ctx, path);
      const head = await readHead(inflated);
      if (isTar(head)) {
        const src = await openByteSource(inflated);
        try {
          await extractTar(input, ctx, src);
        } finally {
          await src.close();
        }
        return;
      }
      const inner =
        storedName(await readHead(input, 1024)) ??
        baseName(input.name).replace(/\.t?gz$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : ''));
      await ctx.child({ ref: memberRef(input.ref, inner), name: baseName(inner), source: inflated.source });
    });
  },
};

/** Inflates the item into `path` (0600), under the ratio limit and the file's inflation budget. */
async function inflateToFile(input: ItemInput, ctx: ExtractContext, path: string): Promise<ItemInput> {
  const { limits } = ctx;
  const compressed = input.source.kind === 'file' ? input.source.size : input.source.data.length;
  // The whole stream is one member: its ratio and the file's inflation budget bound the output.
  const ratioCap = Math.max(RATIO_GRACE_BYTES, compressed * limits.maxRatio);
  const cap = Math.min(ratioCap, limits.maxInflatedBytes);
  let size = 0;
  const counted = async function* (pieces: AsyncIterable<Buffer>) {
    for await (const piece of pieces) {
      size += piece.length;
      if (size > cap) {
        const why =
          cap === ratioCap
            ? `compression ratio over ${limits.maxRatio}:1 (--max-ratio), a likely decompression bomb`
            : 'more than --max-inflated-bytes';
        throw new ExtractError('limit', `inflates to more than ${cap} bytes: ${why}; not read`);
      }
      ctx.inflated(piece.length);
      yield piece;
    }
  };
  try {
    await pipeline(
      Readable.from(readPieces(input)),
      createGunzip(),
      counted,
      createWriteStream(path, { flags: 'wx', mode: 0o600 }),
    );
  } catch (err) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR) are the data's; a full disk is not.
    if (!(err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw err;
    throw new ExtractError('corrupt', `gzip data damaged or truncated: ${(err as Error).message}`);
  }
  return { ...input, source: spooledSource(path, size) };
}

export default gzip;

import { gunzipSync } from 'node:zlib';
import { ExtractError } from '../../core/errors.js';
import type { Extractor } from '../api.js';
import { gzipFormat, isTar } from '../formats.js';
import { bufferSource } from './byte-source.js';
import { RATIO_GRACE_BYTES } from './member-limits.js';
import { baseName, memberRef } from './members.js';
import { extractTar } from './tar.js';

/** The original file name from the gzip header (FNAME), if the compressor stored it. */
function storedName(gz: Buffer): string | undefined {
  if (gz.length < 10 || !(gz[3] & 0x08)) return undefined;
  let p = 10;
  if (gz[3] & 0x04) p += 2 + gz.readUInt16LE(10);
  const end = gz.indexOf(0, p);
  return end > p ? gz.subarray(p, end).toString('latin1') : undefined;
}

const gzip: Extractor = {
  ...gzipFormat,
  async extract(input, ctx) {
    const { limits } = ctx;
    const gz = await ctx.readAll();
    // The whole stream is one member: its ratio and the file's inflation budget bound the output.
    const ratioCap = Math.max(RATIO_GRACE_BYTES, gz.length * limits.maxRatio);
    const cap = Math.min(ratioCap, limits.maxInflatedBytes);
    let data: Buffer;
    try {
      data = gunzipSync(gz, { maxOutputLength: cap + 1 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || (err as Error).name === 'RangeError') {
        const why =
          cap === ratioCap
            ? `compression ratio over ${limits.maxRatio}:1 (--max-ratio), a likely decompression bomb`
            : 'more than --max-inflated-bytes';
        throw new ExtractError('limit', `inflates to more than ${cap} bytes: ${why}; not read`);
      }
      throw new ExtractError('corrupt', `gzip data damaged or truncated: ${(err as Error).message}`);
    }
    if (data.length > cap) throw new ExtractError('limit', `inflates to more than ${cap} bytes; not read`);
    ctx.inflated(data.length);
    if (isTar(data)) {
      await extractTar(input, ctx, bufferSource(data));
      return;
    }
    const inner =
      storedName(gz) ??
      baseName(input.name).replace(/\.t?gz$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : ''));
    if (data.length > limits.maxExtractBytes) {
      ctx.error(
        'limit',
        `${data.length} bytes, more than --max-extract-bytes; not read`,
        memberRef(input.ref, inner),
      );
      return;
    }
    await ctx.child({
      ref: memberRef(input.ref, inner),
      name: baseName(inner),
      source: { kind: 'buffer', data },
    });
  },
};

export default gzip;

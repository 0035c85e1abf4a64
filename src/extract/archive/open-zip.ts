import { ExtractError } from '../../core/errors.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext } from '../api.js';
import { type ByteSource, openByteSource } from './byte-source.js';
import { readZipDirectory, type ZipDirectory, ZipFormatError } from './zip-reader.js';

/** Opens a zip and reads its directory, turning a broken one into an ExtractError of kind `corrupt`. */
export async function openZip(
  input: ItemInput,
  ctx: ExtractContext,
  what: string,
  maxEntries = ctx.limits.maxMembers,
): Promise<{ src: ByteSource; dir: ZipDirectory }> {
  const src = await openByteSource(input);
  try {
    const dir = await readZipDirectory(src, maxEntries);
    if (dir.recovered) {
      ctx.error(
        'corrupt',
        `${what} has no central directory (truncated?); ${dir.entries.length} member(s) recovered from local headers`,
      );
    }
    return { src, dir };
  } catch (err) {
    await src.close();
    if (err instanceof ZipFormatError)
      throw new ExtractError('corrupt', `not a readable ${what}: ${err.message}`);
    throw err;
  }
}

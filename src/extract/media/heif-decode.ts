import { existsSync } from 'node:fs';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ExtractError } from '../../core/errors.js';
import { fsPath } from '../../core/raw-path.js';
import { makeTempDir } from '../../core/run-temp.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext } from '../api.js';
import { run } from '../ocr/tesseract.js';

/**
 * HEIC (HEVC-coded HEIF) pictures, which neither tesseract nor sharp decodes here, decoded by libheif's
 * `heif-convert` (Debian's libheif-examples) into JPEG images: one process per picture, guarded and
 * killed like tesseract (see run), writing into a private temp folder removed afterwards. JPEG at
 * quality 92, not PNG: a 12-megapixel picture is written in half the CPU time (a photo pays this
 * decode and nothing more), sharp's look at it shrinks while decoding, and tesseract reads it as well.
 */
const QUALITY = '92';

/** What to install when heif-convert is missing (Debian package name). */
export const HEIF_INSTALL_HINT = 'install libheif-examples';

/**
 * The heif-convert binary: `DSR_HEIF_CONVERT` when set (a path, or empty to run without it), else the
 * first `heif-convert` on PATH. Undefined when there is none.
 */
export function heifConvertPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.DSR_HEIF_CONVERT;
  if (chosen !== undefined) return chosen && isAbsolute(chosen) && existsSync(chosen) ? chosen : undefined;
  return (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, 'heif-convert'))
    .find((p) => existsSync(p));
}

/**
 * The pictures of a HEIF file as JPEG images, the primary one first (heif-convert writes every
 * top-level picture: `out-1.jpg`, `out-2.jpg`, … when there are several). Throws an ExtractError:
 * `unsupported` without heif-convert, `corrupt` when it cannot decode, `timeout` past `timeoutMs`.
 */
export async function decodeHeif(
  input: ItemInput,
  ctx: ExtractContext,
  timeoutMs: number,
): Promise<Uint8Array[]> {
  const bin = heifConvertPath();
  if (!bin) throw new ExtractError('unsupported', `heif-convert not found (${HEIF_INSTALL_HINT})`);
  const dir = await makeTempDir('heif');
  try {
    const source = join(dir, 'in.heic');
    if (input.source.kind === 'file') await symlink(fsPath(input.source.absPath), source);
    else await writeFile(source, await ctx.readAll(), { mode: 0o600 });
    const out = join(dir, 'out.jpg');
    await run(bin, ['--quiet', '-q', QUALITY, source, out], undefined, timeoutMs, ctx.signal);
    const names = (await readdir(dir))
      .filter((n) => /^out(-\d+)?\.jpg$/.test(n))
      .sort((a, b) => pictureNumber(a) - pictureNumber(b));
    if (!names.length) throw new ExtractError('corrupt', 'heif-convert wrote no picture');
    return await Promise.all(names.map((n) => readFile(join(dir, n))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pictureNumber(name: string): number {
  const m = /-(\d+)\.jpg$/.exec(name);
  return m ? Number(m[1]) : 0;
}

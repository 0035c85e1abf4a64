import { readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { makeTempDir } from '../../core/run-temp.js';
import type { PictureTags } from '../../core/schemas/plan.js';
import type { MemberEdit } from '../container/nested.js';
import { ActionSkipped } from '../safety.js';
import { subjectTagChanges, writeTagChanges } from './face-tags.js';
import type { ActionContext } from './types.js';

/**
 * The member edits that remove the subject's face regions and person tags from pictures inside a
 * document (see editContainer): each picture is checked against its scanned sha256 (stale), edited as
 * a photo is (remove-face-tags) in a private temp copy, and put back; every other part stays as it was.
 */
export function pictureEdits(pictures: readonly PictureTags[], ctx: ActionContext): MemberEdit[] {
  return pictures.map((p) => ({
    itemPath: p.itemPath,
    sha256: p.fingerprint.sha256,
    change: { redact: (content: Buffer, name: string) => removePictureTags(content, name, ctx) },
  }));
}

/** A picture's bytes without the subject's tags (exiftool edits a private copy; the rest of it is kept). */
export async function removePictureTags(content: Buffer, name: string, ctx: ActionContext): Promise<Buffer> {
  const dir = await makeTempDir('erase-picture');
  try {
    const ext = extname(name)
      .replace(/[^A-Za-z0-9.]/g, '')
      .slice(0, 10);
    const path = join(dir, `picture${ext}`);
    await writeFile(path, content, { mode: 0o600 });
    const { changes, removed } = await subjectTagChanges(path, ctx);
    if (!removed)
      throw new ActionSkipped(
        'refused',
        `no face region or person tag of the subject found in the picture ${name}`,
      );
    await writeTagChanges(path, changes, ctx);
    if (ctx.execute) await ctx.hook('office:picture-tags-removed');
    return await readFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

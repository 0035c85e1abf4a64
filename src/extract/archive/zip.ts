import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { zipFormat } from '../formats.js';
import { extractOfficePackage } from '../office/office.js';
import type { ByteSource } from './byte-source.js';
import { memberLimitBreach, tooManyMembers } from './member-limits.js';
import { baseName, chargeInflated, memberRef } from './members.js';
import { openZip } from './open-zip.js';
import { readZipEntry, UnsupportedMethodError, type ZipDirectory } from './zip-reader.js';

/** Every member goes back through the extractors as a child item named `member <path>`. */
async function extractMembers(input: ItemInput, ctx: ExtractContext, src: ByteSource, dir: ZipDirectory) {
  const { limits } = ctx;
  if (dir.declared > limits.maxMembers || dir.entries.length > limits.maxMembers) {
    ctx.error('limit', tooManyMembers(limits, Math.max(dir.declared, dir.entries.length)));
  }
  for (const entry of dir.entries.slice(0, limits.maxMembers)) {
    if (entry.isDirectory) continue;
    ctx.signal.throwIfAborted();
    const ref = memberRef(input.ref, entry.name);
    if (entry.overlaps !== undefined) {
      ctx.error(
        'limit',
        `shares its bytes with member ${entry.overlaps}: an overlapping-entry zip bomb; not read`,
        ref,
      );
      continue;
    }
    if (entry.encrypted) {
      ctx.error('encrypted', 'member is encrypted; not read', ref);
      continue;
    }
    const breach = memberLimitBreach(limits, entry.compressedSize, entry.size);
    if (breach) {
      ctx.error('limit', breach, ref);
      continue;
    }
    // Only inflation counts against the file's budget: stored members are no bigger than the file itself.
    if (entry.method !== 0 && !chargeInflated(ctx, ref, entry.size)) return;
    let data: Buffer;
    try {
      data = await readZipEntry(src, entry);
    } catch (err) {
      const kind = err instanceof UnsupportedMethodError ? 'unsupported' : 'corrupt';
      ctx.error(kind, (err as Error).message, ref);
      continue;
    }
    await ctx.child({
      ref,
      name: baseName(entry.name),
      source: { kind: 'buffer', data },
      fingerprint: { offset: entry.localOffset, length: entry.compressedSize },
    });
  }
}

const zip: Extractor = {
  ...zipFormat,
  async extract(input, ctx) {
    const { src, dir } = await openZip(input, ctx, 'zip archive');
    try {
      // An Office or OpenDocument file without its usual name (an attachment called "file") is still read as one.
      if (await extractOfficePackage(input, ctx, src, dir)) return;
      await extractMembers(input, ctx, src, dir);
    } finally {
      await src.close();
    }
  },
};

export default zip;

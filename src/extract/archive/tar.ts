import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { tarFormat } from '../formats.js';
import { type ByteSource, openByteSource } from './byte-source.js';
import { tooManyMembers } from './member-limits.js';
import { baseName, memberRef } from './members.js';
import { paxPath, TAR_BLOCK, tarChecksumOk, tarField, tarName, tarSize, tarType } from './tar-header.js';

/**
 * Reads a tar (ustar, pax and GNU long names) header by header: each regular file becomes a member
 * child. Only one member is in memory at a time.
 */
export async function extractTar(input: ItemInput, ctx: ExtractContext, src: ByteSource): Promise<void> {
  const { limits } = ctx;
  let pos = 0;
  let members = 0;
  let longName: string | undefined;
  while (pos + TAR_BLOCK <= src.size) {
    ctx.signal.throwIfAborted();
    const h = await src.read(pos, TAR_BLOCK);
    if (h.every((b) => b === 0)) return;
    if (!tarChecksumOk(h)) {
      ctx.error('corrupt', `damaged tar header at offset ${pos}; the rest of the archive not read`);
      return;
    }
    const size = tarSize(h);
    const type = tarType(h);
    const dataAt = pos + TAR_BLOCK;
    pos = dataAt + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (type === 'x' || type === 'L') {
      const meta = await src.read(dataAt, Math.min(size, 1 << 20));
      longName = type === 'x' ? paxPath(meta) : tarField(meta, 0, meta.length);
      continue;
    }
    const name = tarName(h, longName);
    longName = undefined;
    if (type !== '0' && type !== '7') continue;
    if (++members > limits.maxMembers) {
      ctx.error('limit', tooManyMembers(limits, members));
      return;
    }
    const ref = memberRef(input.ref, name);
    if (size > limits.maxExtractBytes) {
      ctx.error(
        'limit',
        `${size} bytes, more than the ${limits.maxExtractBytes} allowed per member (--max-extract-bytes); not read`,
        ref,
      );
      continue;
    }
    const data = await src.read(dataAt, size);
    if (data.length < size) {
      ctx.error('corrupt', 'member cut short (truncated archive)', ref);
      return;
    }
    await ctx.child({
      ref,
      name: baseName(name),
      source: { kind: 'buffer', data },
      fingerprint: { offset: dataAt, length: size },
    });
  }
  if (pos > src.size) ctx.error('corrupt', 'tar archive cut short (truncated)');
}

const tar: Extractor = {
  ...tarFormat,
  async extract(input, ctx) {
    const src = await openByteSource(input);
    try {
      await extractTar(input, ctx, src);
    } finally {
      await src.close();
    }
  },
};

export default tar;

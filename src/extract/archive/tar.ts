import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { tarFormat } from '../formats.js';
import { type ByteSource, openByteSource } from './byte-source.js';
import { tooManyMembers } from './member-limits.js';
import { baseName, memberRef } from './members.js';

const BLOCK = 512;

function field(h: Buffer, start: number, len: number): string {
  const s = h.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString('utf8');
}

function sizeOf(h: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more.
  if (h[124] & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  return Number.parseInt(field(h, 124, 12).trim() || '0', 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = Number.parseInt(field(h, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

/** `path=` from a pax extended header ("<len> key=value\n" records). */
function paxPath(data: Buffer): string | undefined {
  for (const rec of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(rec);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Reads a tar (ustar, pax and GNU long names) header by header: each regular file becomes a member
 * child. Only one member is in memory at a time.
 */
export async function extractTar(input: ItemInput, ctx: ExtractContext, src: ByteSource): Promise<void> {
  const { limits } = ctx;
  let pos = 0;
  let members = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= src.size) {
    ctx.signal.throwIfAborted();
    const h = await src.read(pos, BLOCK);
    if (h.every((b) => b === 0)) return;
    if (!checksumOk(h)) {
      ctx.error('corrupt', `damaged tar header at offset ${pos}; the rest of the archive not read`);
      return;
    }
    const size = sizeOf(h);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataAt = pos + BLOCK;
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      const meta = await src.read(dataAt, Math.min(size, 1 << 20));
      longName = type === 'x' ? paxPath(meta) : field(meta, 0, meta.length);
      continue;
    }
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
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

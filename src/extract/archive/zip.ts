import type { Limits } from '../../core/limits.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { zipFormat } from '../formats.js';
import { extractOfficePackage, isOfficePackage } from '../office/office.js';
import type { ByteSource } from './byte-source.js';
import { memberLimitBreach, tooManyMembers } from './member-limits.js';
import { baseName, chargeInflated, memberRef } from './members.js';
import { openZip } from './open-zip.js';
import { readZipEntry, UnsupportedMethodError, type ZipDirectory, type ZipEntry } from './zip-reader.js';

/** Members `from` to `to` of the listed ones (a part of a huge zip, see `planZip`); all by default. */
interface MemberSlice {
  from: number;
  to: number;
  /** The archive's own limits are reported by the part that reads its first members. */
  first: boolean;
}

/** Every member goes back through the extractors as a child item named `member <path>`. */
async function extractMembers(
  input: ItemInput,
  ctx: ExtractContext,
  src: ByteSource,
  dir: ZipDirectory,
  slice: MemberSlice = { from: 0, to: Number.POSITIVE_INFINITY, first: true },
) {
  const { limits } = ctx;
  if (slice.first && (dir.declared > limits.maxMembers || dir.entries.length > limits.maxMembers)) {
    ctx.error('limit', tooManyMembers(limits, Math.max(dir.declared, dir.entries.length)));
  }
  for (const entry of dir.entries.slice(0, limits.maxMembers).slice(slice.from, slice.to)) {
    if (entry.isDirectory) continue;
    ctx.signal.throwIfAborted();
    const ref = memberRef(input.ref, entry.name);
    const refusal = refusalOf(entry, limits);
    if (refusal) {
      ctx.error(refusal.kind, refusal.message, ref);
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

/** Why a member is not read, known from the directory alone. */
function refusalOf(
  entry: ZipEntry,
  limits: Limits,
): { kind: 'limit' | 'encrypted'; message: string } | undefined {
  if (entry.overlaps !== undefined)
    return {
      kind: 'limit',
      message: `shares its bytes with member ${entry.overlaps}: an overlapping-entry zip bomb; not read`,
    };
  if (entry.encrypted) return { kind: 'encrypted', message: 'member is encrypted; not read' };
  const breach = memberLimitBreach(limits, entry.compressedSize, entry.size);
  return breach ? { kind: 'limit', message: breach } : undefined;
}

/** A part of a huge zip: members `from` to `to`, read after the members before it inflated `inflated` bytes. */
export interface ZipPart extends MemberSlice {
  index: number;
  inflated: number;
  /** What its own members inflate (not what is nested in them). */
  ownInflated: number;
  /** Compressed bytes of its members. */
  bytes: number;
  /** Where its last member's bytes end (progress). */
  end: number;
}

/**
 * Cuts a zip's members into parts of about `partBytes` compressed bytes for the workers to read at
 * once; undefined when the zip is read whole (an Office or OpenDocument package, an unreadable or
 * recovered directory, fewer than two parts). Each part carries the bytes the members before it
 * inflate themselves (the file's budget, see `chargeInflated`); parts stop where those reach the budget.
 */
export async function planZip(
  input: ItemInput,
  limits: Limits,
  partBytes: number,
): Promise<ZipPart[] | undefined> {
  let opened: { src: ByteSource; dir: ZipDirectory };
  const ctx = { limits, error: () => undefined } as unknown as ExtractContext;
  try {
    opened = await openZip(input, ctx, 'zip archive');
  } catch {
    return undefined;
  }
  const { src, dir } = opened;
  await src.close();
  if (dir.recovered || isOfficePackage(dir)) return undefined;
  const entries = dir.entries.slice(0, limits.maxMembers);
  const parts: ZipPart[] = [];
  let inflated = 0;
  let part: ZipPart | undefined;
  for (const [i, entry] of entries.entries()) {
    if (!part || part.bytes >= partBytes) {
      part = {
        index: parts.length,
        from: i,
        to: i + 1,
        first: i === 0,
        inflated,
        ownInflated: 0,
        bytes: 0,
        end: 0,
      };
      parts.push(part);
    }
    part.to = i + 1;
    part.bytes += entry.compressedSize;
    part.end = Math.max(part.end, entry.localOffset + entry.compressedSize);
    if (!entry.isDirectory && !refusalOf(entry, limits) && entry.method !== 0) {
      inflated += entry.size;
      part.ownInflated += entry.size;
    }
    // The member that breaks the budget is the last one any part reaches.
    if (inflated > limits.maxInflatedBytes) break;
  }
  return parts.length > 1 ? parts : undefined;
}

/** Reads part `part` of a zip (see `planZip`) as its extractor reads those members. */
export async function readZipPart(input: ItemInput, ctx: ExtractContext, part: ZipPart): Promise<void> {
  const { src, dir } = await openZip(
    input,
    part.first ? ctx : { ...ctx, error: () => undefined },
    'zip archive',
  );
  try {
    // What the members before it inflated (nested ones too, as far as the scan knows) is spent already.
    const first = dir.entries.slice(0, ctx.limits.maxMembers)[part.from];
    if (first && !chargeInflated(ctx, memberRef(input.ref, first.name), part.inflated)) return;
    await extractMembers(input, ctx, src, dir, part);
  } finally {
    await src.close();
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

import { once } from 'node:events';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { ByteSource } from './byte-source.js';

/** One file or folder in a zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header (after correcting for data prepended to the archive). */
  localOffset: number;
  isDirectory: boolean;
  encrypted: boolean;
  /** Set when this entry's bytes overlap an earlier entry's: the signature of an overlapping-entry zip bomb. */
  overlaps?: string;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Entries the archive declares; more than `entries.length` when the member limit cut the listing. */
  declared: number;
  /** The central directory was missing (truncated file); entries were recovered from local headers. */
  recovered: boolean;
}

/** The bytes are not a readable zip (no directory, bad signatures, out-of-range offsets). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const LOCAL_HEADER = 30;

/**
 * Reads the central directory (at most `maxEntries` + 1 entries, so a caller can tell the limit was
 * passed) and marks entries whose data overlaps another's. A file without a directory (truncated) is
 * read from its local headers as far as they go.
 */
export async function readZipDirectory(src: ByteSource, maxEntries: number): Promise<ZipDirectory> {
  const tailLen = Math.min(src.size, 22 + MAX_COMMENT);
  const tail = await src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) return recoverFromLocalHeaders(src, maxEntries);
  const eocdPos = src.size - tailLen + eocd;
  let declared = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let cdEnd = eocdPos;
  if (declared === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = await src.read(eocdPos - 20, 20);
    if (loc.length === 20 && loc.readUInt32LE(0) === ZIP64_LOCATOR) {
      const z64Pos = Number(loc.readBigUInt64LE(8));
      const z64 = await src.read(z64Pos, 56);
      if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD)
        throw new ZipFormatError('bad zip64 directory');
      declared = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
      cdEnd = z64Pos;
    }
  }
  // Data prepended to the archive (self-extractors) shifts every offset by the same amount.
  const shift = Math.max(0, cdEnd - cdSize - cdOffset);
  const start = cdOffset + shift;
  if (start + cdSize > src.size)
    throw new ZipFormatError('central directory lies beyond the end of the file (truncated?)');
  const reader = new WindowReader(src, start, start + cdSize);
  const entries: ZipEntry[] = [];
  let pos = start;
  while (pos + 46 <= start + cdSize && entries.length <= maxEntries) {
    const h = await reader.bytes(pos, 46);
    if (h.readUInt32LE(0) !== CENTRAL)
      throw new ZipFormatError(`bad central directory entry at offset ${pos}`);
    const flags = h.readUInt16LE(8);
    const nameLen = h.readUInt16LE(28);
    const extraLen = h.readUInt16LE(30);
    const commentLen = h.readUInt16LE(32);
    const rest = await reader.bytes(pos + 46, nameLen + extraLen);
    const entry: ZipEntry = {
      name: decodeName(rest.subarray(0, nameLen), flags),
      method: h.readUInt16LE(10),
      flags,
      compressedSize: h.readUInt32LE(20),
      size: h.readUInt32LE(24),
      localOffset: h.readUInt32LE(42),
      isDirectory: false,
      encrypted: (flags & 1) !== 0,
    };
    applyZip64(entry, rest.subarray(nameLen, nameLen + extraLen));
    entry.localOffset += shift;
    entry.isDirectory = entry.name.endsWith('/') || entry.name.endsWith('\\');
    entries.push(entry);
    pos += 46 + nameLen + extraLen + commentLen;
  }
  markOverlaps(entries);
  return { entries, declared: Math.max(declared, entries.length), recovered: false };
}

/** The member's bytes, inflated; never more than its declared size. */
export async function readZipEntry(src: ByteSource, entry: ZipEntry): Promise<Buffer> {
  const h = await src.read(entry.localOffset, LOCAL_HEADER);
  if (h.length < LOCAL_HEADER || h.readUInt32LE(0) !== LOCAL) {
    throw new ZipFormatError('local header missing (truncated or damaged archive)');
  }
  const dataStart = entry.localOffset + LOCAL_HEADER + h.readUInt16LE(26) + h.readUInt16LE(28);
  const raw = await src.read(dataStart, entry.compressedSize);
  if (raw.length < entry.compressedSize)
    throw new ZipFormatError('member data cut short (truncated archive)');
  let out: Buffer;
  if (entry.method === 0) out = raw;
  else if (entry.method === 8) {
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ZipFormatError(`inflates beyond its declared size of ${entry.size} bytes`);
      }
      throw new ZipFormatError(`deflate data damaged: ${(err as Error).message}`);
    }
  } else throw new UnsupportedMethodError(entry.method);
  if (out.length !== entry.size) {
    throw new ZipFormatError(`inflated to ${out.length} bytes, the directory says ${entry.size}`);
  }
  return out;
}

/** Compressed bytes read at a time when a member is streamed (at the 100:1 ratio limit, ~25 MB out). */
const STREAM_PIECE = 256 * 1024;

/**
 * A member's inflated bytes piece by piece, never more than its declared size: for a large part read
 * as it is parsed (a spreadsheet's sheet), instead of held whole.
 */
export async function* streamZipEntry(src: ByteSource, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const h = await src.read(entry.localOffset, LOCAL_HEADER);
  if (h.length < LOCAL_HEADER || h.readUInt32LE(0) !== LOCAL) {
    throw new ZipFormatError('local header missing (truncated or damaged archive)');
  }
  if (entry.method !== 0 && entry.method !== 8) throw new UnsupportedMethodError(entry.method);
  const dataStart = entry.localOffset + LOCAL_HEADER + h.readUInt16LE(26) + h.readUInt16LE(28);
  const stored = async function* () {
    for (let at = 0; at < entry.compressedSize; ) {
      const raw = await src.read(dataStart + at, Math.min(STREAM_PIECE, entry.compressedSize - at));
      if (raw.length === 0) throw new ZipFormatError('member data cut short (truncated archive)');
      at += raw.length;
      yield raw;
    }
  };
  let inflated = 0;
  for await (const piece of entry.method === 0 ? stored() : inflatePieces(stored())) {
    inflated += piece.length;
    // Stops a member that lies about its size while it inflates, not after.
    if (inflated > entry.size)
      throw new ZipFormatError(`inflates beyond its declared size of ${entry.size} bytes`);
    yield piece;
  }
  if (inflated !== entry.size) {
    throw new ZipFormatError(`inflated to ${inflated} bytes, the directory says ${entry.size}`);
  }
}

/**
 * Raw deflate data inflated piece by piece by zlib (native, several times faster than a JavaScript
 * inflater), fed as it is read and never ahead of what the consumer has taken.
 */
async function* inflatePieces(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw({ chunkSize: STREAM_PIECE });
  const stop = new AbortController();
  void (async () => {
    try {
      for await (const raw of compressed) {
        if (inflater.destroyed) return;
        if (!inflater.write(raw)) await once(inflater, 'drain', { signal: stop.signal });
      }
      inflater.end();
    } catch (err) {
      inflater.destroy(err as Error);
    }
  })();
  try {
    for await (const piece of inflater) yield piece as Buffer;
  } catch (err) {
    if (err instanceof ZipFormatError) throw err;
    throw new ZipFormatError(`deflate data damaged: ${(err as Error).message}`);
  } finally {
    stop.abort();
    inflater.destroy();
  }
}

export class UnsupportedMethodError extends Error {
  override name = 'UnsupportedMethodError';
  constructor(readonly method: number) {
    super(`compression method ${method} is not supported (only stored and deflate)`);
  }
}

function applyZip64(entry: ZipEntry, extra: Buffer): void {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let p = i + 4;
      const take = () => {
        if (p + 8 > i + 4 + len) return undefined;
        const v = Number(extra.readBigUInt64LE(p));
        p += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = take() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take() ?? entry.compressedSize;
      if (entry.localOffset === 0xffffffff) entry.localOffset = take() ?? entry.localOffset;
      return;
    }
    i += 4 + len;
  }
}

/**
 * A valid zip's members occupy disjoint byte ranges, each at least a local header plus its data.
 * Overlapping-entry bombs point many directory entries at the same (or nested) data; every entry
 * after the first to claim a range is marked.
 */
function markOverlaps(entries: ZipEntry[]): void {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let prev: ZipEntry | undefined;
  let prevEnd = -1;
  for (const e of sorted) {
    if (prev && e.localOffset < prevEnd) e.overlaps = prev.name;
    const end = e.localOffset + LOCAL_HEADER + e.compressedSize;
    if (end > prevEnd) {
      prevEnd = end;
      prev = e;
    }
  }
}

async function recoverFromLocalHeaders(src: ByteSource, maxEntries: number): Promise<ZipDirectory> {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (entries.length <= maxEntries && pos + LOCAL_HEADER <= src.size) {
    const h = await src.read(pos, LOCAL_HEADER);
    if (h.readUInt32LE(0) !== LOCAL) break;
    const flags = h.readUInt16LE(6);
    const compressedSize = h.readUInt32LE(18);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    // Sizes after the data (bit 3) cannot be known without the directory: stop here.
    if (flags & 8 && compressedSize === 0) break;
    const name = decodeName(await src.read(pos + LOCAL_HEADER, nameLen), flags);
    entries.push({
      name,
      method: h.readUInt16LE(8),
      flags,
      compressedSize,
      size: h.readUInt32LE(22),
      localOffset: pos,
      isDirectory: name.endsWith('/'),
      encrypted: (flags & 1) !== 0,
    });
    pos += LOCAL_HEADER + nameLen + extraLen + compressedSize;
  }
  if (!entries.length)
    throw new ZipFormatError('not a zip archive (no central directory and no readable member)');
  return { entries, declared: entries.length, recovered: true };
}

/**
 * A member name: UTF-8 when bit 11 (EFS) says so, or when the bytes are valid UTF-8 (many tools write
 * UTF-8 without the flag). Otherwise the name is in a DOS code page, as Windows' own zip writes it:
 * the spec names CP437, but Western European Windows (Danish included) writes CP850, which agrees with
 * CP437 on æ, å, Æ, Å and the other letters both have, and also has ø and Ø (CP437 has ¢ and ¥ there).
 */
function decodeName(bytes: Buffer, flags: number): string {
  const utf8 = bytes.toString('utf8');
  if (flags & 0x800 || !utf8.includes('\ufffd')) return utf8;
  return iconv.decode(bytes, 'cp850');
}

/** Reads a byte range in 1 MiB windows, so a large directory costs few system calls and bounded memory. */
class WindowReader {
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(
    private readonly src: ByteSource,
    readonly start: number,
    private readonly end: number,
  ) {}

  async bytes(offset: number, length: number): Promise<Buffer> {
    if (offset + length > this.end) throw new ZipFormatError('central directory entry runs past its end');
    if (offset < this.at || offset + length > this.at + this.buf.length) {
      this.at = offset;
      this.buf = await this.src.read(offset, Math.min(this.end - offset, Math.max(length, 1 << 20)));
    }
    return this.buf.subarray(offset - this.at, offset - this.at + length);
  }
}

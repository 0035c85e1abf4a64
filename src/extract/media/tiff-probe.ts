import { iptcHasFields } from './exif-iptc.js';
import { xmpHasFields } from './xmp.js';

/**
 * Whether a TIFF file (also DNG and the TIFF-based camera raws: CR2, NEF, ARW, PEF, …) may hold a field
 * dsr reads, from its directories alone: author tags in IFD0, the owner in the Exif IFD, and XMP, IPTC
 * or Photoshop resources in any directory (the main chain and SubIFDs). A reason when exiftool must
 * read the file (fields outside XMP, or anything unexpected); otherwise the XMP packets with fields,
 * which are read natively (none: nothing to read).
 */

type Read = (offset: number, length: number) => Uint8Array;

/** Why exiftool must read the file, or else the XMP packets with fields (read natively). */
export interface Look {
  exiftool?: string;
  xmp: Uint8Array[];
}

const EXIF_IFD = 0x8769;
const SUB_IFDS = 0x014a;
const XMP = 0x02bc;
const IPTC = 0x83bb;
const PHOTOSHOP = 0x8649;
/** IFD0 Artist, Copyright, XPAuthor, XPKeywords; Exif IFD OwnerName. */
const IFD0_AUTHOR = new Set([0x013b, 0x8298, 0x9c9d, 0x9c9e]);
const EXIF_AUTHOR = new Set([0xa430]);
/** Bytes per value of each TIFF type (1-13, BigTIFF 16-18); 0: unknown. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];
const MAX_IFDS = 64;
const MAX_ENTRIES = 1000;
const MAX_VALUE = 16 * 1024 * 1024;

type Kind = 'ifd0' | 'ifd' | 'exif';

export function tiffLook(size: number, read: Read): Look {
  const xmp: Uint8Array[] = [];
  const exiftool = (why: string): Look => ({ exiftool: why, xmp: [] });
  const header = read(0, 8);
  if (header.length < 8) return exiftool('truncated TIFF header');
  const le = header[0] === 0x49;
  const u16 = (b: Uint8Array, o: number) => (le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]);
  const u32 = (b: Uint8Array, o: number) =>
    le
      ? ((b[o + 3] << 24) >>> 0) + (b[o + 2] << 16) + (b[o + 1] << 8) + b[o]
      : ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
  const queue: [number, Kind][] = [[u32(header, 4), 'ifd0']];
  const seen = new Set<number>();
  while (queue.length) {
    const [offset, kind] = queue.shift()!;
    if (seen.has(offset)) return exiftool('looping TIFF directories');
    if (seen.size >= MAX_IFDS) return exiftool('too many TIFF directories');
    seen.add(offset);
    if (offset < 8 || offset + 2 > size) return exiftool('TIFF directory out of range');
    const count = u16(read(offset, 2), 0);
    if (count > MAX_ENTRIES) return exiftool('oversized TIFF directory');
    const table = read(offset + 2, count * 12 + 4);
    if (table.length < count * 12 + 4) return exiftool('truncated TIFF directory');
    const wanted = kind === 'ifd0' ? IFD0_AUTHOR : kind === 'exif' ? EXIF_AUTHOR : undefined;
    for (let i = 0; i < count; i++) {
      const e = i * 12;
      const tag = u16(table, e);
      const type = u16(table, e + 2);
      const n = u32(table, e + 4);
      const bytes = n * (TYPE_SIZE[type] ?? 0);
      const value = () => {
        if (bytes <= 4) return table.subarray(e + 8, e + 8 + bytes);
        const at = u32(table, e + 8);
        if (bytes > MAX_VALUE || at + bytes > size) return undefined;
        return read(at, bytes);
      };
      if (tag === EXIF_IFD && kind === 'ifd0') queue.push([u32(table, e + 8), 'exif']);
      else if (tag === SUB_IFDS && kind !== 'exif') {
        const offsets = n > 16 ? undefined : value();
        if (!offsets || (type !== 4 && type !== 13)) return exiftool('unexpected SubIFDs');
        for (let k = 0; k + 4 <= offsets.length; k += 4) queue.push([u32(offsets, k), 'ifd']);
      } else if (tag === XMP || tag === IPTC || tag === PHOTOSHOP || wanted?.has(tag)) {
        if (!TYPE_SIZE[type]) return exiftool('unknown TIFF value type');
        if (!bytes) continue;
        const v = value();
        if (!v) return exiftool('metadata value out of range');
        if (tag === PHOTOSHOP) return exiftool('Photoshop resources');
        if (tag === IPTC && iptcHasFields(v)) return exiftool('IPTC keyword or author fields');
        if (tag === XMP && v.includes(0)) return exiftool('XMP in UTF-16 or UTF-32');
        if (tag === XMP && xmpHasFields(latin1(v))) {
          if (xmp.length) return exiftool('several XMP packets');
          xmp.push(v);
        }
        if (tag !== IPTC && tag !== XMP && v.some((b) => b !== 0 && b !== 0x20))
          return exiftool('EXIF author fields');
      }
    }
    const next = u32(table, count * 12);
    if (next && kind !== 'exif') queue.push([next, 'ifd']);
  }
  return { xmp };
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

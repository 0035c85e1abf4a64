import { exifHasFields } from './exif-iptc.js';
import type { Look } from './tiff-probe.js';
import { xmpHasFields } from './xmp.js';

/**
 * Whether a HEIF file (HEIC, AVIF: ISO base media boxes) may hold a field dsr reads, from its `meta`
 * box alone: the items of type `Exif` and `mime` (`application/rdf+xml`, XMP), found through `iinf`
 * and `iloc`. A reason when exiftool must read the file (EXIF fields, or anything this reader does not
 * know — other boxes, item types, location methods); otherwise the XMP packets with fields, which are
 * read natively (none: nothing to read).
 */

type Read = (offset: number, length: number) => Uint8Array;

const TOP_LEVEL = new Set(['ftyp', 'meta', 'mdat', 'free', 'skip']);
const IN_META = new Set(['hdlr', 'dinf', 'pitm', 'iinf', 'iref', 'iprp', 'idat', 'iloc', 'grpl']);
/** Item types holding image data (coded, derived or auxiliary), never metadata. */
const IMAGE_ITEMS = new Set([
  'hvc1',
  'hvt1',
  'av01',
  'avc1',
  'jpeg',
  'j2k1',
  'unci',
  'grid',
  'iden',
  'iovl',
  'tmap',
]);
const MAX_META = 16 * 1024 * 1024;
const MAX_BOXES = 4096;

interface Box {
  type: string;
  /** Start of the payload and end of the box, in the buffer or file. */
  start: number;
  end: number;
}

export function heifLook(size: number, read: Read): Look {
  const why = heifReason(size, read);
  return typeof why === 'string' ? { exiftool: why, xmp: [] } : { xmp: why };
}

function heifReason(size: number, read: Read): string | Uint8Array[] {
  let meta: Uint8Array | undefined;
  let pos = 0;
  for (let n = 0; pos < size; n++) {
    if (n > MAX_BOXES) return 'too many boxes';
    const box = boxAt(read(pos, 16), 0, size - pos);
    if (!box) return 'malformed box';
    if (!TOP_LEVEL.has(box.type)) return `${box.type} box`;
    if (box.type === 'meta') {
      if (meta || box.start !== 8 || box.end > MAX_META) return 'unexpected meta box';
      meta = read(pos, box.end);
      if (meta.length < box.end) return 'truncated meta box';
    }
    pos += box.end;
  }
  return meta ? metaReason(meta, size, read) : [];
}

function metaReason(meta: Uint8Array, size: number, read: Read): string | Uint8Array[] {
  const children = boxesIn(meta, 12, meta.length);
  if (!children) return 'malformed meta box';
  const byType = new Map<string, Box>();
  for (const c of children) {
    if (!IN_META.has(c.type)) return `${c.type} box in meta`;
    if (byType.has(c.type)) return `several ${c.type} boxes`;
    byType.set(c.type, c);
  }
  const iinf = byType.get('iinf');
  if (!iinf) return [];
  const items = metadataItems(meta, iinf);
  if (typeof items === 'string') return items;
  if (!items.size) return [];
  const iloc = byType.get('iloc');
  if (!iloc) return 'metadata items without locations';
  const located = locations(meta, iloc, items);
  if (typeof located === 'string') return located;
  const idat = byType.get('idat');
  const xmp: Uint8Array[] = [];
  for (const item of located) {
    const data = itemData(item, size, read, idat && meta.subarray(idat.start, idat.end));
    if (!data) return 'metadata item out of range';
    if (item.kind === 'xmp' && data.includes(0)) return 'XMP in UTF-16 or UTF-32';
    if (item.kind === 'xmp' && xmpHasFields(latin1(data))) {
      if (xmp.length) return 'several XMP items';
      xmp.push(data);
    }
    if (item.kind === 'exif') {
      // The Exif item starts with the offset of its TIFF header.
      const tiff = data.length >= 4 ? 4 + u32(data, 0) : Number.POSITIVE_INFINITY;
      if (tiff > data.length) return 'malformed Exif item';
      if (exifHasFields(data.subarray(tiff))) return 'EXIF author fields';
    }
  }
  return xmp;
}

/** An item's bytes: its extents, from the file (construction method 0) or the idat box (1). */
function itemData(item: Located, size: number, read: Read, idat?: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [offset, length] of item.extents) {
    total += length;
    if (total > MAX_META) return undefined;
    if (item.method === 0) {
      if (offset + length > size) return undefined;
      parts.push(read(offset, length));
    } else {
      if (!idat || offset + length > idat.length) return undefined;
      parts.push(idat.subarray(offset, offset + length));
    }
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

type ItemKind = 'exif' | 'xmp';

/** Item ID -> kind, for the metadata items; a reason string for anything unknown. */
function metadataItems(meta: Uint8Array, iinf: Box): Map<number, ItemKind> | string {
  const v = meta[iinf.start];
  const countBytes = v === 0 ? 2 : 4;
  const entries = boxesIn(meta, iinf.start + 4 + countBytes, iinf.end);
  if (!entries) return 'malformed iinf box';
  const out = new Map<number, ItemKind>();
  for (const infe of entries) {
    if (infe.type !== 'infe') return `${infe.type} box in iinf`;
    const version = meta[infe.start];
    if (version < 2) return 'old item info entry';
    let p = infe.start + 4;
    const id = version === 2 ? u16(meta, p) : u32(meta, p);
    p += version === 2 ? 2 : 4;
    p += 2; // item_protection_index
    const type = ascii(meta, p, 4);
    p += 4;
    if (IMAGE_ITEMS.has(type)) continue;
    // item_name, a NUL-terminated string, comes first.
    const nameEnd = meta.indexOf(0, p);
    if (nameEnd === -1 || nameEnd >= infe.end) return 'malformed item info entry';
    p = nameEnd + 1;
    if (type === 'Exif') out.set(id, 'exif');
    else if (type === 'mime') {
      const z = meta.indexOf(0, p);
      if (z === -1 || z >= infe.end) return 'malformed mime item';
      const contentType = ascii(meta, p, z - p);
      const encoding = z + 1 < infe.end ? meta[z + 1] : 0;
      if (contentType !== 'application/rdf+xml' || encoding !== 0) return `${contentType} item`;
      out.set(id, 'xmp');
    } else return `${type} item`;
  }
  return out;
}

interface Located {
  kind: ItemKind;
  /** Construction method 0: file offsets; 1: offsets in idat. */
  method: number;
  extents: [offset: number, length: number][];
}

function locations(meta: Uint8Array, iloc: Box, items: Map<number, ItemKind>): Located[] | string {
  const version = meta[iloc.start];
  if (version > 2) return 'unknown iloc version';
  let p = iloc.start + 4;
  const offsetSize = meta[p] >> 4;
  const lengthSize = meta[p] & 15;
  const baseSize = meta[p + 1] >> 4;
  const indexSize = version > 0 ? meta[p + 1] & 15 : 0;
  p += 2;
  const count = version < 2 ? u16(meta, p) : u32(meta, p);
  p += version < 2 ? 2 : 4;
  const uint = (bytes: number) => {
    if (bytes !== 0 && bytes !== 4 && bytes !== 8) throw new Error('iloc field size');
    let v = 0;
    for (let i = 0; i < bytes; i++) v = v * 256 + meta[p + i];
    p += bytes;
    return v;
  };
  const out: Located[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = version < 2 ? uint2() : uint(4);
      const method = version > 0 ? uint2() & 15 : 0;
      uint2(); // data_reference_index
      const base = uint(baseSize);
      const extentCount = uint2();
      const extents: [number, number][] = [];
      for (let e = 0; e < extentCount; e++) {
        uint(indexSize);
        extents.push([base + uint(offsetSize), uint(lengthSize)]);
      }
      if (p > iloc.end) return 'malformed iloc box';
      const kind = items.get(id);
      if (!kind) continue;
      if (method > 1 || extents.some(([, len]) => len === 0)) return 'unusual item location';
      out.push({ kind, method, extents });
    }
  } catch {
    return 'malformed iloc box';
  }
  if (out.length !== items.size) return 'metadata items without locations';
  return out;

  function uint2() {
    const v = u16(meta, p);
    p += 2;
    return v;
  }
}

function boxAt(b: Uint8Array, at: number, room: number): Box | undefined {
  if (at + 8 > b.length) return undefined;
  let size = u32(b, at);
  let header = 8;
  if (size === 1) {
    if (at + 16 > b.length) return undefined;
    size = u32(b, at + 8) * 2 ** 32 + u32(b, at + 12);
    header = 16;
  } else if (size === 0) size = room;
  if (size < header || size > room) return undefined;
  return { type: ascii(b, at + 4, 4), start: header, end: size };
}

/** The boxes laid end to end in b[from, to), with absolute positions; undefined when they do not fit. */
function boxesIn(b: Uint8Array, from: number, to: number): Box[] | undefined {
  const out: Box[] = [];
  let pos = from;
  while (pos < to) {
    if (out.length > MAX_BOXES) return undefined;
    const box = boxAt(b, pos, to - pos);
    if (!box) return undefined;
    out.push({ type: box.type, start: pos + box.start, end: pos + box.end });
    pos += box.end;
  }
  return out;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
}

function ascii(b: Uint8Array, at: number, len: number): string {
  return at + len <= b.length ? Buffer.from(b.buffer, b.byteOffset + at, len).toString('latin1') : '';
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

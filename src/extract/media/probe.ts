import { inflateSync } from 'node:zlib';

/**
 * A cheap look at a JPEG, PNG or WebP file's metadata segments (no image decoding) that decides whether
 * exiftool needs to read it at all: most photos carry no person tags, author or caption fields. The
 * answer is conservative: anything unexpected (an unknown layout, a malformed segment) says "read",
 * and exiftool then gives the tags or the error.
 */

export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

export interface Probe {
  /** True when the file may hold a field that dsr reads (see media/tags.ts). */
  read: boolean;
  reason: string;
  /** The container, when the probe recognised it. */
  container?: Container;
  /**
   * XMP packets (raw bytes) holding such fields, when they are the only place that does: these are read
   * natively (media/xmp.ts). Undefined when exiftool must read the file.
   */
  xmp?: Uint8Array[];
}

export type Container = 'jpeg' | 'png' | 'webp' | 'other';

/** Property names (local names, case-sensitive) of the XMP fields dsr reads; `description` is dc's, not rdf:Description. */
const XMP_FIELDS =
  /:(?:RegionInfo|Regions|RegionList|PersonInImage|PersonInImageWDetails|hierarchicalSubject|TagsList|subject|creator|rights|description|Artist|OwnerName|CameraOwnerName|CreatorContactInfo)(?=[\s=>/])/;

/** IPTC IIM record 2 datasets dsr reads: Keywords, By-line, CopyrightNotice, Caption-Abstract. */
const IPTC_DATASETS = new Set([25, 80, 116, 120]);

/** EXIF tags dsr reads: IFD0 Artist, Copyright, XPAuthor, XPKeywords; ExifIFD OwnerName. */
const IFD0_TAGS = new Set([0x013b, 0x8298, 0x9c9d, 0x9c9e]);
const EXIF_IFD_TAGS = new Set([0xa430]);
const EXIF_IFD_POINTER = 0x8769;

/** PNG text keywords that exiftool reports as PNG:Author / PNG:Copyright. */
const PNG_KEYS = new Set(['Author', 'Copyright']);

const MAX_SEGMENTS = 4096;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

const READ = (reason: string): Probe => ({ read: true, reason });
const NONE: Probe = { read: false, reason: 'no person, author or caption fields' };

export function containerOf(head: Uint8Array): Container {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii(head, 1, 3) === 'PNG' && head[0] === 0x89 && head[4] === 0x0d) return 'png';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'webp';
  return 'other';
}

export async function probeMetadata(head: Uint8Array, size: number, read: ReadRange): Promise<Probe> {
  const container = containerOf(head);
  try {
    const probe =
      container === 'jpeg'
        ? await probeJpeg(size, read)
        : container === 'png'
          ? await probePng(size, read)
          : container === 'webp'
            ? await probeWebp(size, read)
            : READ('container read by exiftool');
    return { ...probe, container };
  } catch {
    return { ...READ('malformed metadata segments'), container };
  }
}

export function xmpHasFields(xmp: string): boolean {
  return XMP_FIELDS.test(xmp);
}

/** XMP packets with fields, collected while the other segments are checked. */
function found(xmp: Uint8Array[]): Probe {
  return xmp.length ? { read: true, reason: 'XMP person, keyword or author fields', xmp } : NONE;
}

async function probeJpeg(size: number, read: ReadRange): Promise<Probe> {
  const xmp: Uint8Array[] = [];
  let pos = 2;
  for (let n = 0; n < MAX_SEGMENTS; n++) {
    if (pos + 4 > size) return found(xmp);
    const hdr = await read(pos, 4);
    if (hdr[0] !== 0xff) return READ('unexpected JPEG layout');
    const marker = hdr[1];
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return found(xmp);
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const len = (hdr[2] << 8) | hdr[3];
    if (len < 2 || pos + 2 + len > size) return READ('malformed or truncated JPEG segment');
    if (marker === 0xe1 || marker === 0xed) {
      const data = await read(pos + 4, len - 2);
      const why = marker === 0xe1 ? app1(data, xmp) : app13(data);
      if (why) return READ(why);
    }
    pos += 2 + len;
  }
  return READ('too many JPEG segments');
}

const XMP_SIG = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXT_SIG = 'http://ns.adobe.com/xmp/extension/\0';

function app1(data: Uint8Array, xmp: Uint8Array[]): string | undefined {
  if (ascii(data, 0, 6) === 'Exif\0\0')
    return exifHasFields(data.subarray(6)) ? 'EXIF author fields' : undefined;
  if (ascii(data, 0, XMP_SIG.length) === XMP_SIG) {
    const packet = data.subarray(XMP_SIG.length);
    if (xmpHasFields(latin1(packet))) xmp.push(packet);
  } else if (ascii(data, 0, XMP_EXT_SIG.length) === XMP_EXT_SIG) {
    // Extended XMP (split over several segments): exiftool reassembles it.
    return xmpHasFields(latin1(data)) ? 'extended XMP' : undefined;
  }
  return undefined;
}

function app13(data: Uint8Array): string | undefined {
  if (ascii(data, 0, 14) !== 'Photoshop 3.0\0') return undefined;
  let pos = 14;
  while (pos + 12 <= data.length && ascii(data, pos, 4) === '8BIM') {
    const id = (data[pos + 4] << 8) | data[pos + 5];
    const nameLen = data[pos + 6];
    let p = pos + 6 + 1 + nameLen;
    if ((1 + nameLen) % 2) p++;
    if (p + 4 > data.length) return 'malformed Photoshop block';
    const len = be32(data, p);
    p += 4;
    if (p + len > data.length) return 'malformed Photoshop block';
    if (id === 0x0404 && iptcHasFields(data.subarray(p, p + len))) return 'IPTC keyword or author fields';
    pos = p + len + (len % 2);
  }
  return undefined;
}

function iptcHasFields(iim: Uint8Array): boolean {
  let pos = 0;
  while (pos + 5 <= iim.length && iim[pos] === 0x1c) {
    const record = iim[pos + 1];
    const dataset = iim[pos + 2];
    let len = (iim[pos + 3] << 8) | iim[pos + 4];
    let start = pos + 5;
    if (len & 0x8000) {
      // Extended length: the low bits say how many bytes hold the real length.
      const bytes = len & 0x7fff;
      if (bytes > 4 || start + bytes > iim.length) return true;
      len = 0;
      for (let i = 0; i < bytes; i++) len = len * 256 + iim[start + i];
      start += bytes;
    }
    if (record === 2 && IPTC_DATASETS.has(dataset) && len > 0) return true;
    pos = start + len;
  }
  return false;
}

/** True when IFD0 or the Exif IFD holds a non-blank value of a tag dsr reads. Loops and bad offsets are survived. */
export function exifHasFields(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return false;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff[o] | (tiff[o + 1] << 8) : (tiff[o] << 8) | tiff[o + 1]);
  const u32 = (o: number) => (le ? le32(tiff, o) : be32(tiff, o));
  const seen = new Set<number>();
  const walk = (ifd: number, wanted: Set<number>): boolean => {
    if (seen.has(ifd) || ifd < 8 || ifd + 2 > tiff.length) return false;
    seen.add(ifd);
    const count = Math.min(u16(ifd), 1000);
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > tiff.length) return false;
      const tag = u16(e);
      if (tag === EXIF_IFD_POINTER && wanted === IFD0_TAGS) {
        if (walk(u32(e + 8), EXIF_IFD_TAGS)) return true;
        continue;
      }
      if (!wanted.has(tag)) continue;
      const type = u16(e + 2);
      const bytes = u32(e + 4) * (type === 3 ? 2 : type === 4 ? 4 : 1);
      const at = bytes <= 4 ? e + 8 : u32(e + 8);
      if (at + bytes > tiff.length || bytes > tiff.length) continue;
      for (let b = at; b < at + bytes; b++) if (tiff[b] !== 0 && tiff[b] !== 0x20) return true;
    }
    return false;
  };
  return walk(u32(4), IFD0_TAGS);
}

async function probePng(size: number, read: ReadRange): Promise<Probe> {
  const xmp: Uint8Array[] = [];
  let pos = 8;
  for (let n = 0; n < MAX_SEGMENTS && pos + 8 <= size; n++) {
    const hdr = await read(pos, 8);
    const len = be32(hdr, 0);
    const type = ascii(hdr, 4, 4);
    if (type === 'IEND') return found(xmp);
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt' || type === 'eXIf') {
      if (len > MAX_SEGMENT_BYTES) return READ('large PNG text chunk');
      const data = await read(pos + 8, len);
      const why = pngChunk(type, data, xmp);
      if (why) return READ(why);
    }
    pos += 12 + len;
  }
  return found(xmp);
}

function pngChunk(type: string, data: Uint8Array, xmp: Uint8Array[]): string | undefined {
  if (type === 'eXIf') return exifHasFields(data) ? 'EXIF author fields' : undefined;
  const nul = data.indexOf(0);
  if (nul <= 0) return undefined;
  const key = latin1(data.subarray(0, nul));
  if (key.startsWith('Raw profile type')) return 'embedded metadata profile';
  if (PNG_KEYS.has(key)) return nul + 1 < data.length ? 'PNG author text' : undefined;
  if (key !== 'XML:com.adobe.xmp') return undefined;
  let text: Uint8Array = data.subarray(nul + 1);
  if (type === 'iTXt') {
    const compressed = text[0] === 1;
    let p = 2;
    for (let k = 0; k < 2; k++) {
      const z = text.indexOf(0, p);
      if (z === -1) return 'malformed PNG XMP';
      p = z + 1;
    }
    text = text.subarray(p);
    if (compressed) text = inflateSync(text, { maxOutputLength: MAX_SEGMENT_BYTES });
  } else if (type === 'zTXt') {
    text = inflateSync(text.subarray(1), { maxOutputLength: MAX_SEGMENT_BYTES });
  }
  if (xmpHasFields(latin1(text))) xmp.push(text);
  return undefined;
}

async function probeWebp(size: number, read: ReadRange): Promise<Probe> {
  const xmp: Uint8Array[] = [];
  let pos = 12;
  for (let n = 0; n < MAX_SEGMENTS && pos + 8 <= size; n++) {
    const hdr = await read(pos, 8);
    const type = ascii(hdr, 0, 4);
    const len = le32(hdr, 4);
    if (type === 'EXIF' || type === 'XMP ') {
      if (len > MAX_SEGMENT_BYTES) return READ('large WebP metadata chunk');
      const data = await read(pos + 8, len);
      if (type === 'XMP ' && xmpHasFields(latin1(data))) xmp.push(data);
      if (type === 'EXIF') {
        const tiff = ascii(data, 0, 6) === 'Exif\0\0' ? data.subarray(6) : data;
        if (exifHasFields(tiff)) return READ('EXIF author fields');
      }
    }
    pos += 8 + len + (len % 2);
  }
  return found(xmp);
}

function ascii(b: Uint8Array, at: number, len: number): string {
  return at + len <= b.length ? Buffer.from(b.buffer, b.byteOffset + at, len).toString('latin1') : '';
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
}

function le32(b: Uint8Array, o: number): number {
  return ((b[o + 3] << 24) >>> 0) + (b[o + 2] << 16) + (b[o + 1] << 8) + b[o];
}

import { inflateSync } from 'node:zlib';
import { ExtractError } from '../../core/errors.js';
import { ascii, type Container, containerOf, matches } from './container.js';
import { exifHasFields, exifTags, iptcHasFields, iptcTags, type NativeTags } from './exif-iptc.js';
import { heifLook } from './heif-probe.js';
import { type Look, tiffLook } from './tiff-probe.js';
import { xmpHasFields } from './xmp.js';

export { exifHasFields } from './exif-iptc.js';
export { xmpHasFields } from './xmp.js';

/**
 * A cheap look at a JPEG, PNG, WebP, TIFF or HEIF file's metadata segments (no image decoding) that decides whether
 * exiftool needs to read it at all: most photos carry no person tags, author or caption fields. The
 * answer is conservative: anything unexpected (an unknown layout, a malformed segment) says "read",
 * and exiftool then gives the tags or the error.
 */

/** Bytes of the file at an offset (fewer at its end); synchronous, see media.ts. */
export type ReadRange = (offset: number, length: number) => Uint8Array;

export interface Probe {
  /** True when the file may hold a field that dsr reads (see media/tags.ts). */
  read: boolean;
  reason: string;
  /** The container, when the probe recognised it. */
  container?: Container;
  /**
   * XMP packets (raw bytes) holding such fields, read natively (media/xmp.ts). With `tags`, the whole
   * answer: both undefined when exiftool must read the file.
   */
  xmp?: Uint8Array[];
  /** EXIF and IPTC fields decoded natively (media/exif-iptc.ts), exiftool-shaped. */
  tags?: NativeTags;
  /**
   * When exiftool must read the file: the XMP packets and fields the probe could still read natively,
   * for when exiftool cannot (a hostile file it stalls on).
   */
  reachable?: { xmp: Uint8Array[]; tags: NativeTags };
}

/** PNG text keywords that exiftool reports as PNG:Author / PNG:Copyright. */
const PNG_KEYS = new Set(['Author', 'Copyright']);

const MAX_SEGMENTS = 4096;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

const READ = (reason: string): Probe => ({ read: true, reason });
const NONE: Probe = { read: false, reason: 'no person, author or caption fields' };

export function probeMetadata(head: Uint8Array, size: number, read: ReadRange): Probe {
  const container = containerOf(head);
  try {
    const probe =
      container === 'jpeg'
        ? probeJpeg(size, read)
        : container === 'png'
          ? probePng(size, read)
          : container === 'webp'
            ? probeWebp(size, read)
            : container === 'tiff' || container === 'heif'
              ? fromLook(container === 'tiff' ? tiffLook(size, read) : heifLook(size, read))
              : READ('container read by exiftool');
    return { ...probe, container };
  } catch (err) {
    if (err instanceof ExtractError) throw err;
    return { ...READ('malformed metadata segments'), container };
  }
}

/** What the segments read so far hold: XMP packets with fields, EXIF/IPTC fields decoded natively. */
interface Found {
  xmp: Uint8Array[];
  tags: NativeTags;
  /** EXIF and IPTC blocks seen, and whether one had fields: ExifTool merges several its own way. */
  exif: { blocks: number; fields: boolean };
  iptc: { blocks: number; fields: boolean };
}

function collector(): Found {
  return { xmp: [], tags: {}, exif: { blocks: 0, fields: false }, iptc: { blocks: 0, fields: false } };
}

function found(f: Found): Probe {
  if (!f.xmp.length && !Object.keys(f.tags).length) return NONE;
  return { read: true, reason: 'person, keyword or author fields read natively', xmp: f.xmp, tags: f.tags };
}

/** Adds one EXIF (TIFF) block's fields; says why exiftool must read the file, or undefined. */
function exifBlock(tiff: Uint8Array, f: Found): string | undefined {
  return block(f.exif, exifHasFields(tiff), () => exifTags(tiff), f, 'EXIF');
}

function iptcBlock(iim: Uint8Array, f: Found): string | undefined {
  return block(f.iptc, iptcHasFields(iim), () => iptcTags(iim), f, 'IPTC');
}

function block(
  seen: { blocks: number; fields: boolean },
  fields: boolean,
  decode: () => NativeTags | undefined,
  f: Found,
  what: string,
): string | undefined {
  seen.blocks++;
  if (seen.blocks > 1 && (fields || seen.fields)) return `several ${what} blocks`;
  if (!fields) return undefined;
  seen.fields = true;
  const tags = decode();
  if (!tags) return `${what} fields that exiftool decodes`;
  Object.assign(f.tags, tags);
  return undefined;
}

function probeJpeg(size: number, read: ReadRange): Probe {
  const f = collector();
  // The first reason exiftool must read the file; the segments after it are still looked at for
  // what can be read natively (see Probe.reachable).
  let why: string | undefined;
  const done = (): Probe => (why ? { ...READ(why), reachable: { xmp: f.xmp, tags: f.tags } } : found(f));
  let pos = 2;
  for (let n = 0; n < MAX_SEGMENTS; n++) {
    if (pos + 4 > size) return done();
    const hdr = read(pos, 4);
    if (hdr[0] !== 0xff) return READ('unexpected JPEG layout');
    const marker = hdr[1];
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return done();
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const len = (hdr[2] << 8) | hdr[3];
    if (len < 2 || pos + 2 + len > size) {
      why ??= 'malformed or truncated JPEG segment';
      return done();
    }
    if (marker === 0xe1 || marker === 0xed) {
      // Once exiftool must read the file, only XMP packets are still gathered (EXIF/IPTC blocks are
      // merged by exiftool's rules, which need them all).
      if (!why) {
        const data = read(pos + 4, len - 2);
        why = marker === 0xe1 ? app1(data, f) : app13(data, f);
      } else if (marker === 0xe1 && matches(read(pos + 4, XMP_SIG.length), 0, XMP_SIG))
        xmpPacket(read(pos + 4 + XMP_SIG.length, len - 2 - XMP_SIG.length), f);
    }
    pos += 2 + len;
  }
  why ??= 'too many JPEG segments';
  return done();
}

const XMP_SIG = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXT_SIG = 'http://ns.adobe.com/xmp/extension/\0';

function app1(data: Uint8Array, f: Found): string | undefined {
  if (matches(data, 0, 'Exif\0\0')) return exifBlock(data.subarray(6), f);
  if (matches(data, 0, XMP_SIG)) {
    return xmpPacket(data.subarray(XMP_SIG.length), f);
  } else if (matches(data, 0, XMP_EXT_SIG)) {
    // Extended XMP (split over several segments): exiftool reassembles it.
    return xmpHasFields(latin1(data)) ? 'extended XMP' : undefined;
  }
  return undefined;
}

/** Photoshop image resources: IPTC (0x0404), and EXIF (0x0422/0x0423) or XMP (0x0424) kept there, which exiftool reads. */
function app13(data: Uint8Array, f: Found): string | undefined {
  if (!matches(data, 0, 'Photoshop 3.0\0')) return undefined;
  let pos = 14;
  while (pos + 12 <= data.length && matches(data, pos, '8BIM')) {
    const id = (data[pos + 4] << 8) | data[pos + 5];
    const nameLen = data[pos + 6];
    let p = pos + 6 + 1 + nameLen;
    if ((1 + nameLen) % 2) p++;
    if (p + 4 > data.length) return 'malformed Photoshop block';
    const len = be32(data, p);
    p += 4;
    if (p + len > data.length) return 'malformed Photoshop block';
    const block = data.subarray(p, p + len);
    const why =
      id === 0x0404
        ? iptcBlock(block, f)
        : (id === 0x0422 || id === 0x0423) && exifHasFields(block)
          ? 'EXIF in Photoshop resources'
          : id === 0x0424 && (block.includes(0) || xmpHasFields(latin1(block)))
            ? 'XMP in Photoshop resources'
            : undefined;
    if (why) return why;
    pos = p + len + (len % 2);
  }
  return undefined;
}

/** TIFF and HEIF: XMP fields are read natively, any other field by exiftool. */
function fromLook(look: Look): Probe {
  if (look.exiftool) return READ(look.exiftool);
  return look.xmp.length ? { read: true, reason: 'XMP fields read natively', xmp: look.xmp, tags: {} } : NONE;
}

function probePng(size: number, read: ReadRange): Probe {
  const f = collector();
  // The first reason exiftool must read the file; every chunk is still looked at, since exiftool
  // inflates every compressed one (see checkInflated).
  let why: string | undefined;
  let pos = 8;
  for (let n = 0; n < MAX_SEGMENTS && pos + 8 <= size; n++) {
    const hdr = read(pos, 8);
    const len = be32(hdr, 0);
    const type = ascii(hdr, 4, 4);
    if (type === 'IEND') break;
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt' || type === 'eXIf' || type === 'iCCP') {
      if (len > MAX_SEGMENT_BYTES) why ??= 'large PNG text chunk';
      else {
        const data = read(pos + 8, len);
        checkInflated(type, data);
        if (!why && type !== 'iCCP') why = pngChunk(type, data, f);
      }
    }
    pos += 12 + len;
  }
  return why ? READ(why) : found(f);
}

/**
 * exiftool inflates a PNG's compressed text chunks and ICC profile whole, in memory (a 0.5 MB
 * `zTXt` of 512 MiB took it 2 GB and 30 s), whether or not it was asked for them: one that inflates
 * past MAX_SEGMENT_BYTES makes the file a `limit` error before exiftool can see it.
 */
function checkInflated(type: string, data: Uint8Array): void {
  const nul = data.indexOf(0);
  if (nul <= 0) return;
  let at: number;
  if (type === 'zTXt' || type === 'iCCP') at = nul + 2;
  else if (type === 'iTXt' && data[nul + 1] === 1) {
    const lang = data.indexOf(0, nul + 3);
    const translated = lang === -1 ? -1 : data.indexOf(0, lang + 1);
    if (translated === -1) return;
    at = translated + 1;
  } else return;
  try {
    inflateSync(data.subarray(at), { maxOutputLength: MAX_SEGMENT_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ExtractError(
        'limit',
        `a compressed PNG ${type} chunk of ${data.length} bytes inflates past ${MAX_SEGMENT_BYTES} bytes, a likely decompression bomb; not read`,
      );
    // Damaged: exiftool reports it.
  }
}

function pngChunk(type: string, data: Uint8Array, f: Found): string | undefined {
  if (type === 'eXIf') return exifBlock(data, f);
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
  return xmpPacket(text, f);
}

/** Keeps a UTF-8 XMP packet with fields; UTF-16/32 XMP (NUL bytes), which the field test cannot see into, is exiftool's. */
function xmpPacket(packet: Uint8Array, f: Found): string | undefined {
  if (packet.includes(0)) return 'XMP in UTF-16 or UTF-32';
  if (xmpHasFields(latin1(packet))) f.xmp.push(packet);
  return undefined;
}

function probeWebp(size: number, read: ReadRange): Probe {
  const f = collector();
  let pos = 12;
  for (let n = 0; n < MAX_SEGMENTS && pos + 8 <= size; n++) {
    const hdr = read(pos, 8);
    const type = ascii(hdr, 0, 4);
    const len = le32(hdr, 4);
    if (type === 'EXIF' || type === 'XMP ') {
      if (len > MAX_SEGMENT_BYTES) return READ('large WebP metadata chunk');
      const data = read(pos + 8, len);
      const why =
        type === 'XMP '
          ? xmpPacket(data, f)
          : exifBlock(matches(data, 0, 'Exif\0\0') ? data.subarray(6) : data, f);
      if (why) return READ(why);
    }
    pos += 8 + len + (len % 2);
  }
  return found(f);
}

/** True when the bytes at `at` are this signature (one byte per character): no string is made. */
function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
}

function le32(b: Uint8Array, o: number): number {
  return ((b[o + 3] << 24) >>> 0) + (b[o + 2] << 16) + (b[o + 1] << 8) + b[o];
}

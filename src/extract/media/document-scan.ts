import { containerOf } from './container.js';
import type { ReadRange } from './probe.js';

/**
 * Whether an image file is a scanned document rather than a photo, from its headers alone (no pixel is
 * decoded). Without OCR its text cannot be read, and a photo must not be reported as unread text, so
 * only these cheap signals count (docs/formats.md, "Scanned documents", states the same rule):
 *
 * 1. a TIFF compressed for fax (CCITT RLE, Group 3 or Group 4);
 * 2. a bilevel image (one channel, one bit per pixel) of at least 500 x 500 pixels;
 * 3. a TIFF of several full-size pages;
 * 4. an image of at least 150 dpi whose size in inches is a sheet of paper (A4, US letter or legal,
 *    either way round, ±10 %) and that is grayscale or names a scanner in EXIF Software, Make or Model;
 * 5. EXIF or PNG Software naming a document-scanning program (ScanSnap, NAPS2, CamScanner, …).
 *
 * A colour photo from a camera or a phone meets none of them; nor does a film scanned by a photo lab
 * (its Make/Model may name a film scanner, but its size is not a sheet of paper). Returns the signal,
 * or undefined.
 */
export function documentScanSignal(size: number, read: ReadRange): string | undefined {
  try {
    const container = containerOf(read(0, 16));
    const facts =
      container === 'tiff'
        ? tiffFacts(size, read)
        : container === 'png'
          ? pngFacts(size, read)
          : container === 'jpeg'
            ? jpegFacts(size, read)
            : undefined;
    return facts && signalOf(facts);
  } catch {
    // A malformed header says nothing about what the image shows.
    return undefined;
  }
}

/** What the rule looks at; undefined where the file does not say. */
export interface ImageFacts {
  width?: number;
  height?: number;
  /** Channels and bits per channel of the pixels. */
  channels?: number;
  bits?: number;
  /** Dots per inch (horizontal, vertical). */
  dpi?: [number, number];
  fax?: boolean;
  pages?: number;
  /** EXIF Software (or PNG Software text). */
  software?: string;
  /** EXIF Make and Model, joined. */
  device?: string;
}

/** Document-scanning programs and drivers, as they name themselves in Software (and Make/Model). */
const SCAN_PROGRAM =
  /scansnap|naps2|camscanner|adobe scan|office lens|microsoft lens|genius scan|simple ?scan|xsane|\bsane\b|twain|\bwia\b|paperport/i;
/** A scanner's name in Software, Make or Model (film scanners included: rule 4 also needs a page size). */
const SCANNER = /scan/i;
/** Paper sizes in inches: A4, US letter, US legal. */
const PAPER: readonly [number, number][] = [
  [8.27, 11.69],
  [8.5, 11],
  [8.5, 14],
];
const MIN_BILEVEL_SIDE = 500;
const MIN_SCAN_DPI = 150;

export function signalOf(f: ImageFacts): string | undefined {
  if (f.fax) return 'TIFF with fax compression';
  const bilevel = f.channels === 1 && f.bits === 1;
  if (bilevel && (f.width ?? 0) >= MIN_BILEVEL_SIDE && (f.height ?? 0) >= MIN_BILEVEL_SIDE)
    return 'black-and-white bilevel image';
  if ((f.pages ?? 1) > 1) return `TIFF of ${f.pages} pages`;
  const software = f.software ?? '';
  if (SCAN_PROGRAM.test(software)) return `made by scanning software: ${software.slice(0, 60)}`;
  const gray = f.channels === 1;
  if ((gray || SCANNER.test(`${software} ${f.device ?? ''}`)) && isPaperSize(f))
    return `${gray ? 'grayscale ' : ''}page-sized image at ${Math.round(f.dpi![0])} dpi`;
  return undefined;
}

function isPaperSize(f: ImageFacts): boolean {
  if (!f.dpi || !f.width || !f.height) return false;
  const [dx, dy] = f.dpi;
  if (dx < MIN_SCAN_DPI || dy < MIN_SCAN_DPI) return false;
  const w = f.width / dx;
  const h = f.height / dy;
  const near = (a: number, b: number) => Math.abs(a - b) <= b * 0.1;
  return PAPER.some(([pw, ph]) => (near(w, pw) && near(h, ph)) || (near(w, ph) && near(h, pw)));
}

// ---------------------------------------------------------------- TIFF

const COMPRESSION = 0x0103;
const WIDTH = 0x0100;
const HEIGHT = 0x0101;
const BITS = 0x0102;
const SAMPLES = 0x0115;
const X_RES = 0x011a;
const Y_RES = 0x011b;
const RES_UNIT = 0x0128;
const MAKE = 0x010f;
const MODEL = 0x0110;
const SOFTWARE = 0x0131;
const NEW_SUBFILE_TYPE = 0x00fe;
const MAX_PAGES = 2;

interface Ifd {
  values: Map<number, number[] | string>;
  next: number;
}

/** A TIFF's first directory and how many full-size pages follow it in the main chain (up to two). */
function tiffFacts(size: number, read: ReadRange, base = 0): ImageFacts {
  const header = read(base, 8);
  const le = header[0] === 0x49;
  const ifd0 = readIfd(read, size, base, le, u32(header, 4, le));
  const num = (tag: number) => {
    const v = ifd0.values.get(tag);
    return Array.isArray(v) ? v : undefined;
  };
  const str = (tag: number) => {
    const v = ifd0.values.get(tag);
    return typeof v === 'string' ? v : '';
  };
  const width = num(WIDTH)?.[0];
  const height = num(HEIGHT)?.[0];
  let pages = 1;
  for (let next = ifd0.next, seen = 0; next && seen < MAX_PAGES; seen++) {
    const ifd = readIfd(read, size, base, le, next);
    const subfile = (ifd.values.get(NEW_SUBFILE_TYPE) as number[] | undefined)?.[0] ?? 0;
    const w = (ifd.values.get(WIDTH) as number[] | undefined)?.[0] ?? 0;
    // A reduced-resolution copy (a thumbnail) is not a page.
    if ((subfile & 1) === 0 && width && w >= width / 2) pages++;
    next = ifd.next;
  }
  const xr = num(X_RES);
  const yr = num(Y_RES);
  const perCm = num(RES_UNIT)?.[0] === 3;
  const compression = num(COMPRESSION)?.[0];
  return {
    width,
    height,
    channels: num(SAMPLES)?.[0] ?? 1,
    bits: num(BITS)?.[0] ?? 1,
    dpi: xr && yr ? [xr[0] * (perCm ? 2.54 : 1), yr[0] * (perCm ? 2.54 : 1)] : undefined,
    fax: compression === 2 || compression === 3 || compression === 4,
    pages,
    software: str(SOFTWARE),
    device: [str(MAKE), str(MODEL)].filter(Boolean).join(' '),
  };
}

const WANTED = new Set([
  COMPRESSION,
  WIDTH,
  HEIGHT,
  BITS,
  SAMPLES,
  X_RES,
  Y_RES,
  RES_UNIT,
  MAKE,
  MODEL,
  SOFTWARE,
  NEW_SUBFILE_TYPE,
]);
const MAX_ENTRIES = 1000;

function readIfd(read: ReadRange, size: number, base: number, le: boolean, offset: number): Ifd {
  const values = new Map<number, number[] | string>();
  if (offset < 8 || base + offset + 2 > size) return { values, next: 0 };
  const count = u16(read(base + offset, 2), 0, le);
  if (count > MAX_ENTRIES) return { values, next: 0 };
  const table = read(base + offset + 2, count * 12 + 4);
  for (let i = 0; i < count && (i + 1) * 12 <= table.length; i++) {
    const e = i * 12;
    const tag = u16(table, e, le);
    if (!WANTED.has(tag)) continue;
    const type = u16(table, e + 2, le);
    const n = u32(table, e + 4, le);
    const unit = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : type === 2 ? 1 : 0;
    if (!unit || n === 0 || n > 256) continue;
    const bytes = unit * n;
    const data =
      bytes <= 4 ? table.subarray(e + 8, e + 8 + bytes) : read(base + u32(table, e + 8, le), bytes);
    if (data.length < bytes) continue;
    if (type === 2) values.set(tag, Buffer.from(data).toString('latin1').replace(/\0.*$/s, '').trim());
    else if (type === 5) values.set(tag, [u32(data, 0, le) / (u32(data, 4, le) || 1)]);
    else
      values.set(
        tag,
        Array.from({ length: n }, (_, k) => (unit === 2 ? u16(data, k * 2, le) : u32(data, k * 4, le))),
      );
  }
  const next = table.length >= count * 12 + 4 ? u32(table, count * 12, le) : 0;
  return { values, next };
}

function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? ((b[o + 3] << 24) >>> 0) + (b[o + 2] << 16) + (b[o + 1] << 8) + b[o]
    : ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
}

// ---------------------------------------------------------------- PNG

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function pngFacts(size: number, read: ReadRange): ImageFacts {
  const ihdr = read(16, 13);
  const colour = ihdr[9];
  const facts: ImageFacts = {
    width: u32(ihdr, 0, false),
    height: u32(ihdr, 4, false),
    // A palette image counts as colour: its palette may hold any colours.
    channels: colour === 3 ? 3 : PNG_CHANNELS[colour],
    bits: ihdr[8],
  };
  const software: string[] = [];
  for (let at = 8, n = 0; at + 8 <= size && n < 64; n++) {
    const head = read(at, 8);
    const length = u32(head, 0, false);
    const type = Buffer.from(head.subarray(4, 8)).toString('latin1');
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'pHYs' && length === 9) {
      const p = read(at + 8, 9);
      if (p[8] === 1) facts.dpi = [u32(p, 0, false) * 0.0254, u32(p, 4, false) * 0.0254];
    } else if (type === 'tEXt' && length < 4096) {
      const [key, value] = Buffer.from(read(at + 8, length))
        .toString('latin1')
        .split('\0');
      if (key === 'Software' && value) software.push(value);
    }
    at += 12 + length;
  }
  facts.software = software.join(' ');
  return facts;
}

// ---------------------------------------------------------------- JPEG

function jpegFacts(size: number, read: ReadRange): ImageFacts {
  const facts: ImageFacts = {};
  for (let at = 2, n = 0; at + 4 <= size && n < 256; n++) {
    const m = read(at, 4);
    if (m[0] !== 0xff) break;
    const marker = m[1];
    const length = (m[2] << 8) | m[3];
    if (marker === 0xda || marker === 0xd9) break;
    if (marker === 0xe0 && length >= 16) {
      const app0 = read(at + 4, 12);
      if (Buffer.from(app0.subarray(0, 5)).toString('latin1') === 'JFIF\0' && app0[7]) {
        const scale = app0[7] === 2 ? 2.54 : 1;
        facts.dpi ??= [((app0[8] << 8) | app0[9]) * scale, ((app0[10] << 8) | app0[11]) * scale];
      }
    } else if (marker === 0xe1 && length > 14) {
      const app1 = read(at + 4, Math.min(length - 2, 65_533));
      if (Buffer.from(app1.subarray(0, 6)).toString('latin1') === 'Exif\0\0') {
        const exif = app1.subarray(6);
        const tiff = tiffFacts(exif.length, (o, l) => exif.subarray(o, o + l));
        if (tiff.dpi) facts.dpi = tiff.dpi;
        facts.software = tiff.software;
        facts.device = tiff.device;
      }
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const sof = read(at + 4, 6);
      facts.bits = sof[0];
      facts.height = (sof[1] << 8) | sof[2];
      facts.width = (sof[3] << 8) | sof[4];
      facts.channels = sof[5];
    }
    at += 2 + length;
  }
  return facts;
}

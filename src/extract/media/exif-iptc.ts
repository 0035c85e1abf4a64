/**
 * EXIF (IFD0, Exif IFD) and IPTC IIM fields that dsr reads, found and decoded natively, in the shape of
 * `exiftool -G1 -json` (`IFD0:Artist`, `IPTC:Keywords`, …), so that a photo whose author or keyword
 * fields are plain needs no exiftool process. The decoding follows ExifTool's own rules (Exif.pm
 * Artist/Copyright RawConv, IPTC.pm string handling, the `-json` writer); anything it does not cover
 * exactly (another value type, bytes that are not UTF-8, IPTC in a legacy character set, a value that
 * `-json` would print as a number, a structure ExifTool would warn about) gives `undefined`, and
 * exiftool reads the file.
 */

export type NativeTags = Record<string, string | string[]>;

const EXIF_IFD_POINTER = 0x8769;
/** IFD0 Artist, Copyright, XPAuthor, XPKeywords; Exif IFD OwnerName. */
const IFD0_TAGS = new Map([
  [0x013b, 'IFD0:Artist'],
  [0x8298, 'IFD0:Copyright'],
  [0x9c9d, 'IFD0:XPAuthor'],
  [0x9c9e, 'IFD0:XPKeywords'],
]);
const EXIF_IFD_TAGS = new Map([[0xa430, 'ExifIFD:OwnerName']]);
const MAX_ENTRIES = 1000;

/** IPTC record 2 datasets dsr reads; Keywords and By-line repeat (lists), the others do not. */
const IPTC_DATASETS = new Map<number, { key: string; list: boolean }>([
  [25, { key: 'IPTC:Keywords', list: true }],
  [80, { key: 'IPTC:By-line', list: true }],
  [116, { key: 'IPTC:CopyrightNotice', list: false }],
  [120, { key: 'IPTC:Caption-Abstract', list: false }],
]);

interface ExifValue {
  key: string;
  type: number;
  bytes: Uint8Array;
}

/**
 * The non-blank values of the tags dsr reads in IFD0 and the Exif IFD. `odd` is set when the structure
 * holds something ExifTool would warn about or resolve its own way (a loop, an offset out of range, a
 * tag given twice). Loops and bad offsets are survived.
 */
function exifValues(tiff: Uint8Array): { values: ExifValue[]; odd: boolean } {
  const values: ExifValue[] = [];
  let odd = false;
  if (tiff.length < 8) return { values, odd: true };
  const le = tiff[0] === 0x49 && tiff[1] === 0x49; // II
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return { values, odd: true };
  const u16 = (o: number) => (le ? tiff[o] | (tiff[o + 1] << 8) : (tiff[o] << 8) | tiff[o + 1]);
  const u32 = (o: number) =>
    le
      ? ((tiff[o + 3] << 24) >>> 0) + (tiff[o + 2] << 16) + (tiff[o + 1] << 8) + tiff[o]
      : ((tiff[o] << 24) >>> 0) + (tiff[o + 1] << 16) + (tiff[o + 2] << 8) + tiff[o + 3];
  const seen = new Set<number>();
  const walk = (ifd: number, wanted: Map<number, string>) => {
    if (seen.has(ifd) || ifd < 8 || ifd + 2 > tiff.length) {
      odd = true;
      return;
    }
    seen.add(ifd);
    const count = u16(ifd);
    if (count > MAX_ENTRIES) odd = true;
    const tags = new Set<number>();
    for (let i = 0; i < Math.min(count, MAX_ENTRIES); i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > tiff.length) {
        odd = true;
        return;
      }
      const tag = u16(e);
      if (tag === EXIF_IFD_POINTER && wanted === IFD0_TAGS) {
        walk(u32(e + 8), EXIF_IFD_TAGS);
        continue;
      }
      const key = wanted.get(tag);
      if (!key) continue;
      if (tags.has(tag)) odd = true;
      tags.add(tag);
      const type = u16(e + 2);
      const bytes = u32(e + 4) * (type === 3 ? 2 : type === 4 ? 4 : 1);
      const at = bytes <= 4 ? e + 8 : u32(e + 8);
      if (at + bytes > tiff.length || bytes > tiff.length) {
        odd = true;
        continue;
      }
      const value = tiff.subarray(at, at + bytes);
      if (value.some((b) => b !== 0 && b !== 0x20)) values.push({ key, type, bytes: value });
    }
  };
  walk(u32(4), IFD0_TAGS);
  return { values, odd };
}

/** True when IFD0 or the Exif IFD holds a non-blank value of a tag dsr reads. */
export function exifHasFields(tiff: Uint8Array): boolean {
  return exifValues(tiff).values.length > 0;
}

/** The EXIF fields dsr reads as exiftool gives them, or undefined when exiftool must read them. */
export function exifTags(tiff: Uint8Array): NativeTags | undefined {
  const { values, odd } = exifValues(tiff);
  if (!values.length) return {};
  if (odd) return undefined;
  const out: NativeTags = {};
  for (const { key, type, bytes } of values) {
    let raw: string;
    if (key === 'IFD0:Copyright') {
      if (type !== 2 && type !== 7) return undefined;
      // Exif.pm: the first NUL separates photographer and editor, a second one ends the value.
      raw = latin1(bytes)
        .replace(/ *\0/, '\n')
        .replace(/ *\0[\s\S]*/, '')
        .replace(/\n$/, '');
    } else if (key === 'IFD0:Artist' || key === 'ExifIFD:OwnerName') {
      if (type !== 2) return undefined;
      raw = latin1(bytes).replace(/\0[\s\S]*/, '');
      // Perl's \s on bytes: ASCII white space only.
      if (key === 'IFD0:Artist') raw = raw.replace(/[\t\n\v\f\r ]+$/, '');
    } else {
      // XPAuthor, XPKeywords: bytes of UCS-2 text.
      if (type !== 1 && type !== 7) return undefined;
      const text = ucs2(bytes);
      if (text === undefined) return undefined;
      raw = latin1(Buffer.from(text, 'utf8'));
    }
    const text = jsonText(raw);
    if (text === undefined) return undefined;
    out[key] = text;
  }
  return out;
}

/**
 * Windows' UCS-2 fields as ExifTool decodes them (Charset.pm): little-endian unless a byte-order mark
 * says otherwise, an odd last byte dropped, cut at the first NUL. A surrogate (UTF-16 beyond UCS-2)
 * becomes `?` there: undefined, exiftool reads it.
 */
function ucs2(bytes: Uint8Array): string | undefined {
  let le = true;
  let at = 0;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) [le, at] = [false, 2];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) at = 2;
  let out = '';
  for (let i = at; i + 1 < bytes.length; i += 2) {
    const unit = le ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1];
    if (unit === 0) break;
    if (unit >= 0xd800 && unit <= 0xdfff) return undefined;
    out += String.fromCharCode(unit);
  }
  return out;
}

/** True when an IPTC IIM block holds a non-empty dataset dsr reads. */
export function iptcHasFields(iim: Uint8Array): boolean {
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

/** The IPTC fields dsr reads as exiftool gives them, or undefined when exiftool must read them. */
export function iptcTags(iim: Uint8Array): NativeTags | undefined {
  const found = new Map<string, string[]>();
  let utf8 = false;
  let pos = 0;
  while (pos + 5 <= iim.length) {
    if (iim[pos] !== 0x1c) {
      // IPTC.pm stops quietly at NUL padding and warns about anything else.
      if (iim.subarray(pos).some((b) => b !== 0)) return undefined;
      break;
    }
    const record = iim[pos + 1];
    const dataset = iim[pos + 2];
    const len = (iim[pos + 3] << 8) | iim[pos + 4];
    const start = pos + 5;
    if (len & 0x8000 || start + len > iim.length || (record !== 1 && record !== 2)) return undefined;
    // Strings lose trailing NULs (IPTC.pm); the record 1 CodedCharacterSet says whether they are UTF-8.
    const value = latin1(iim.subarray(start, start + len)).replace(/\0+$/, '');
    if (record === 1 && dataset === 90) utf8 = value === '\x1b%G';
    const field = record === 2 ? IPTC_DATASETS.get(dataset) : undefined;
    if (field) {
      // Other bytes than ASCII are Latin-1/cp1252 to ExifTool unless the block says UTF-8.
      if (!utf8 && /[\x80-\xff]/.test(value)) return undefined;
      const text = jsonText(value);
      if (text === undefined) return undefined;
      const list = found.get(field.key) ?? [];
      if (list.length && !field.list) return undefined;
      list.push(text);
      found.set(field.key, list);
    }
    pos = start + len;
  }
  const out: NativeTags = {};
  for (const [key, list] of found) out[key] = list.length === 1 ? list[0] : list;
  return out;
}

/**
 * A value (bytes as a Latin-1 string) as it reaches dsr through `exiftool -json`: UTF-8 text without
 * NULs. Undefined for what the JSON writer changes (invalid UTF-8 is repaired, a number or `true` is
 * printed unquoted) and for control characters other than tab and line breaks.
 */
function jsonText(raw: string): string | undefined {
  const bytes = Buffer.from(raw.replace(/\0/g, ''), 'latin1');
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  // (ExifTool's UTF-8 check also refuses U+FFFE and U+FFFF.)
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/.test(text)) return undefined;
  if (/^(?:true|false)$/i.test(text)) return undefined;
  if (/^-?(?:\d|[1-9]\d{1,14})(?:\.\d{1,16})?(?:e[-+]?\d{1,3})?$/i.test(text)) return undefined;
  return text;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

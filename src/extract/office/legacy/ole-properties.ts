import iconv from 'iconv-lite';

/**
 * Names of the properties read from `\x05SummaryInformation` (FMTID F29F85E0-…) and
 * `\x05DocumentSummaryInformation` (D5CDD502-…): the people and titles a legacy Office file carries.
 */
const SUMMARY: Record<number, string> = {
  2: 'title',
  3: 'subject',
  4: 'author',
  5: 'keywords',
  6: 'comments',
  7: 'template',
  8: 'last modified by',
};
const DOCUMENT_SUMMARY: Record<number, string> = { 2: 'category', 14: 'manager', 15: 'company' };

const VT_I2 = 0x02;
const VT_LPSTR = 0x1e;
const VT_LPWSTR = 0x1f;
const CODEPAGE = 1;
const DICTIONARY = 0;
/** Properties listed in one section at most: a damaged count must not become a long loop. */
const MAX_PROPERTIES = 10_000;

/**
 * `name: value` lines for the text properties of an OLE property set stream: author, last modified
 * by, title, company, manager, and the user-defined properties of the document summary's second
 * section (named through its dictionary). A damaged stream yields what could be read before the damage.
 */
export function propertySetLines(stream: Uint8Array, kind: 'summary' | 'document'): string[] {
  const b = Buffer.from(stream.buffer, stream.byteOffset, stream.length);
  if (b.length < 28 || b.readUInt16LE(0) !== 0xfffe) return [];
  const sections = Math.min(b.readUInt32LE(24), 2);
  const lines: string[] = [];
  for (let s = 0; s < sections; s++) {
    const at = 28 + s * 20;
    if (at + 20 > b.length) break;
    const offset = b.readUInt32LE(at + 16);
    const names = s === 0 ? (kind === 'summary' ? SUMMARY : DOCUMENT_SUMMARY) : undefined;
    lines.push(...sectionLines(b, offset, names));
  }
  return lines;
}

/** One section's text properties: the named ones, or (no names given) every one the dictionary names. */
function sectionLines(b: Buffer, start: number, names: Record<number, string> | undefined): string[] {
  if (start + 8 > b.length) return [];
  const size = Math.min(b.readUInt32LE(start), b.length - start);
  const section = b.subarray(start, start + size);
  if (section.length < 8) return [];
  const count = Math.min(section.readUInt32LE(4), MAX_PROPERTIES, Math.floor((section.length - 8) / 8));
  const offsets = new Map<number, number>();
  for (let i = 0; i < count; i++)
    offsets.set(section.readUInt32LE(8 + i * 8), section.readUInt32LE(12 + i * 8));
  const codepage = codepageOf(section, offsets.get(CODEPAGE));
  const labels = names ?? dictionary(section, offsets.get(DICTIONARY), codepage);
  const lines: string[] = [];
  for (const [id, offset] of offsets) {
    const label = labels[id];
    if (!label) continue;
    const value = stringAt(section, offset, codepage)?.trim();
    if (value) lines.push(`${label}: ${value}`);
  }
  return lines;
}

function codepageOf(section: Buffer, offset: number | undefined): number {
  if (offset === undefined || offset + 6 > section.length) return 1252;
  if (section.readUInt16LE(offset) !== VT_I2) return 1252;
  return section.readUInt16LE(offset + 4);
}

/** A typed string property (VT_LPSTR in the section's code page, or VT_LPWSTR), else undefined. */
function stringAt(section: Buffer, offset: number, codepage: number): string | undefined {
  if (offset + 8 > section.length) return undefined;
  const type = section.readUInt16LE(offset);
  const count = section.readUInt32LE(offset + 4);
  if (type === VT_LPSTR) return decode(section.subarray(offset + 8, offset + 8 + count), codepage);
  if (type === VT_LPWSTR)
    return cString(section.toString('utf16le', offset + 8, Math.min(section.length, offset + 8 + count * 2)));
  return undefined;
}

/** The user-defined section's dictionary: property id to name. */
function dictionary(section: Buffer, offset: number | undefined, codepage: number): Record<number, string> {
  const names: Record<number, string> = {};
  if (offset === undefined || offset + 4 > section.length) return names;
  const entries = Math.min(section.readUInt32LE(offset), MAX_PROPERTIES);
  let p = offset + 4;
  for (let i = 0; i < entries && p + 8 <= section.length; i++) {
    const id = section.readUInt32LE(p);
    const length = section.readUInt32LE(p + 4);
    p += 8;
    if (codepage === 1200) {
      names[id] = cString(section.toString('utf16le', p, Math.min(section.length, p + length * 2)));
      p += length * 2;
      p += (4 - (p % 4)) % 4; // UTF-16 names are padded to 4 bytes
    } else {
      names[id] = decode(section.subarray(p, p + length), codepage);
      p += length;
    }
  }
  return names;
}

function decode(bytes: Buffer, codepage: number): string {
  if (codepage === 1200) return cString(bytes.toString('utf16le'));
  const encoding = codepage === 65001 ? 'utf8' : `cp${codepage}`;
  return cString(iconv.encodingExists(encoding) ? iconv.decode(bytes, encoding) : bytes.toString('latin1'));
}

/** Up to the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

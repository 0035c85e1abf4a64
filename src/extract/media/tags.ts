import type { Location } from '../../core/types.js';

/**
 * What dsr reads from exiftool's `-G1 -struct -json` output, as (group:tag) pairs, and how each becomes
 * text: one entry per tagged person (a face tag, with its region when there is one) and one per author,
 * rights or caption field (ordinary structured text). exiftool's types for structures are generic, so
 * every value is validated here.
 */

export type Region = NonNullable<Location['region']>;

export interface MetaEntry {
  /** Standard and field, e.g. `XMP-mwg-rs RegionList[2]`, `IFD0 Artist`. */
  field: string;
  text: string;
  faceTag: boolean;
  region?: Region;
}

type Reader = (value: unknown, group: string) => MetaEntry[];

const PERSON_KEYWORDS: Record<string, Reader> = {
  'XMP-mwg-rs:RegionInfo': mwgRegions,
  'XMP-MP:RegionInfoMP': mpRegions,
  'XMP-iptcExt:PersonInImage': (v, g) => list(v).map((t, i) => face(`${g} PersonInImage[${i + 1}]`, t)),
  'XMP-iptcExt:PersonInImageWDetails': personDetails,
  'XMP-lr:HierarchicalSubject': (v, g) =>
    leaves(v, '|').map((t, i) => face(`${g} HierarchicalSubject[${i + 1}]`, t)),
  'XMP-digiKam:TagsList': (v, g) => leaves(v, '/').map((t, i) => face(`${g} TagsList[${i + 1}]`, t)),
  'XMP-dc:Subject': (v, g) => list(v).map((t, i) => face(`${g} Subject[${i + 1}]`, t)),
  'IPTC:Keywords': (v, g) => list(v).map((t, i) => face(`${g} Keywords[${i + 1}]`, t)),
  'IFD0:XPKeywords': (v, g) =>
    list(v)
      .flatMap((s) => s.split(';'))
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t, i) => face(`${g} XPKeywords[${i + 1}]`, t)),
};

/** Author, rights and caption fields: `name` findings (and CPR/e-mail/phone), never `face`. */
const TEXT_FIELDS = [
  'IFD0:Artist',
  'IFD0:XPAuthor',
  'IFD0:Copyright',
  'ExifIFD:OwnerName',
  'XMP-tiff:Artist',
  'XMP-dc:Creator',
  'XMP-dc:Rights',
  'XMP-dc:Description',
  'XMP-aux:OwnerName',
  'XMP-exifEX:CameraOwnerName',
  'XMP-iptcCore:CreatorContactInfo',
  'IPTC:By-line',
  'IPTC:CopyrightNotice',
  'IPTC:Caption-Abstract',
  'PNG:Author',
  'PNG:Copyright',
  'ItemList:Author',
  'ItemList:Artist',
  'ItemList:Copyright',
  'UserData:Author',
  'UserData:Artist',
  'UserData:Copyright',
  'Keys:Author',
  'Keys:Artist',
  'Keys:Copyright',
];

/** exiftool arguments: group/tag names, structures as structures, nothing else. */
export const EXIFTOOL_ARGS: readonly string[] = [
  // Do not scan a big JPEG to its end for trailers (none of the fields above live there).
  '-fast',
  '-G1',
  '-struct',
  '-ExifTool:Error',
  '-ExifTool:Warning',
  ...Object.keys(PERSON_KEYWORDS).map((k) => `-${k}`),
  ...TEXT_FIELDS.map((k) => `-${k}`),
];

/**
 * exiftool's complaint about a file that could not be read, or was read only in part (a truncated or
 * corrupt structure); minor warnings (`[minor] …`) and unrelated notes are not problems.
 */
export function problemOf(tags: Record<string, unknown>): string | undefined {
  const error = tags['ExifTool:Error'];
  if (typeof error === 'string' && error.trim()) return error;
  const warning = tags['ExifTool:Warning'];
  if (typeof warning !== 'string' || warning.startsWith('[minor]')) return undefined;
  return /truncated|corrupt|bad |invalid|error|missing/i.test(warning)
    ? `partly read: ${warning}`
    : undefined;
}

/** Turns exiftool's JSON for one file into entries, in a stable order. Unknown keys are ignored. */
export function entriesFromTags(tags: Record<string, unknown>): MetaEntry[] {
  const out: MetaEntry[] = [];
  for (const [key, read] of Object.entries(PERSON_KEYWORDS)) {
    if (key in tags) out.push(...read(tags[key], groupOf(key)));
  }
  for (const key of TEXT_FIELDS) {
    if (!(key in tags)) continue;
    const text = strings(tags[key]).join('\n');
    if (text.trim()) out.push({ field: `${groupOf(key)} ${tagOf(key)}`, text, faceTag: false });
  }
  return out;
}

function groupOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

function tagOf(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

function face(field: string, text: string, region?: Region): MetaEntry {
  return { field, text, faceTag: true, ...(region ? { region } : {}) };
}

/** MWG regions: `Area` is the centre (X, Y) and size (W, H), normalised or in pixels of AppliedToDimensions. */
function mwgRegions(value: unknown, group: string): MetaEntry[] {
  if (!isObject(value)) return [];
  const dims = isObject(value.AppliedToDimensions) ? value.AppliedToDimensions : {};
  const out: MetaEntry[] = [];
  asArray(value.RegionList).forEach((r, i) => {
    if (!isObject(r)) return;
    const names = strings(r.Name);
    if (!names.length) return;
    const type = typeof r.Type === 'string' ? r.Type : 'Face';
    if (type.toLowerCase() !== 'face') return;
    const region = mwgArea(r.Area, dims);
    for (const n of names) out.push(face(`${group} RegionList[${i + 1}]`, n, region));
  });
  return out;
}

export function mwgArea(area: unknown, dims: Record<string, unknown>): Region | undefined {
  if (!isObject(area)) return undefined;
  let [x, y, w, h] = [num(area.X), num(area.Y), num(area.W), num(area.H)];
  if ([x, y, w, h].some((n) => n === undefined)) return undefined;
  const unit = typeof area.Unit === 'string' ? area.Unit.toLowerCase() : 'normalized';
  if (unit === 'pixel') {
    const dw = num(dims.W);
    const dh = num(dims.H);
    if (!dw || !dh) return undefined;
    [x, y, w, h] = [x! / dw, y! / dh, w! / dw, h! / dh];
  }
  return rect(x! - w! / 2, y! - h! / 2, w!, h!);
}

/** Microsoft Photo regions: `Rectangle` is "left, top, width, height", normalised. */
function mpRegions(value: unknown, group: string): MetaEntry[] {
  if (!isObject(value)) return [];
  const out: MetaEntry[] = [];
  asArray(value.Regions).forEach((r, i) => {
    if (!isObject(r)) return;
    const names = strings(r.PersonDisplayName);
    if (!names.length) return;
    const region = mpRectangle(r.Rectangle);
    for (const n of names) out.push(face(`${group} Regions[${i + 1}]`, n, region));
  });
  return out;
}

export function mpRectangle(value: unknown): Region | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined;
  return rect(parts[0], parts[1], parts[2], parts[3]);
}

function personDetails(value: unknown, group: string): MetaEntry[] {
  const out: MetaEntry[] = [];
  asArray(value).forEach((p, i) => {
    if (!isObject(p)) return;
    for (const n of strings(p.PersonName))
      out.push(face(`${group} PersonInImageWDetails[${i + 1}] PersonName`, n));
  });
  return out;
}

/** Keyword paths (`People|Søren Østergård`): the leaf of each path, which names the person. */
function leaves(value: unknown, sep: string): string[] {
  return list(value)
    .map((s) => s.split(sep).pop()?.trim() ?? '')
    .filter(Boolean);
}

/** A rectangle clamped to the image and rounded (exiftool gives 6 decimals at most). */
export function rect(x: number, y: number, w: number, h: number): Region | undefined {
  if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) return undefined;
  const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
  const cx = Math.min(1, Math.max(0, x));
  const cy = Math.min(1, Math.max(0, y));
  return {
    x: r6(cx),
    y: r6(cy),
    w: r6(Math.min(1, x + w) - cx),
    h: r6(Math.min(1, y + h) - cy),
  };
}

function list(value: unknown): string[] {
  return strings(value).filter((s) => s.trim());
}

/** Every string in a value (strings, numbers, arrays, structures, language alternatives). */
function strings(value: unknown, depth = 0): string[] {
  if (depth > 8 || value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, depth + 1));
  if (isObject(value)) return Object.values(value).flatMap((v) => strings(v, depth + 1));
  return [];
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

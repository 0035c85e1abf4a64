/** A media file's container, known from its first bytes (light: the registry sniffs with it). */

export type Container = 'jpeg' | 'png' | 'webp' | 'tiff' | 'heif' | 'other';

/** HEIF major brands (still images and their sequences, HEVC and AV1). */
export const HEIF_BRANDS = new Set([
  'heic',
  'heix',
  'heim',
  'heis',
  'hevc',
  'hevx',
  'mif1',
  'mif2',
  'msf1',
  'avif',
  'avis',
]);

export function containerOf(head: Uint8Array): Container {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (matches(head, 1, 'PNG') && head[0] === 0x89 && head[4] === 0x0d) return 'png';
  if (matches(head, 0, 'RIFF') && matches(head, 8, 'WEBP')) return 'webp';
  if (matches(head, 0, 'II*\0') || matches(head, 0, 'MM\0*')) return 'tiff';
  if (matches(head, 4, 'ftyp') && HEIF_BRANDS.has(ascii(head, 8, 4))) return 'heif';
  return 'other';
}

export function matches(b: Uint8Array, at: number, sig: string): boolean {
  if (at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig.charCodeAt(i)) return false;
  return true;
}

export function ascii(b: Uint8Array, at: number, len: number): string {
  return at + len <= b.length ? Buffer.from(b.buffer, b.byteOffset + at, len).toString('latin1') : '';
}

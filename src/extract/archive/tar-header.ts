/**
 * The parts of a tar header block that both reading (the extractor) and rewriting (the erasure of a
 * member) need: ustar fields, GNU base-256 sizes, the checksum, and the member's name from ustar's
 * prefix or a pax/GNU long name before it.
 */
export const TAR_BLOCK = 512;

export function tarField(h: Buffer, start: number, len: number): string {
  const s = h.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString('utf8');
}

export function tarSize(h: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more.
  if (h[124] & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  return Number.parseInt(tarField(h, 124, 12).trim() || '0', 8);
}

/** The checksum a header block should carry: its bytes summed with the checksum field as spaces. */
export function tarChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum;
}

export function tarChecksumOk(h: Buffer): boolean {
  return Number.parseInt(tarField(h, 148, 8).trim(), 8) === tarChecksum(h);
}

/** The entry type ('0' regular file, 'x' pax header, 'L' GNU long name, …). */
export function tarType(h: Buffer): string {
  return String.fromCharCode(h[156] || 0x30);
}

/** `path=` from a pax extended header ("<len> key=value\n" records). */
export function paxPath(data: Buffer): string | undefined {
  return /(?:^|\n)\d+ path=([^\n]*)/.exec(data.toString('utf8'))?.[1];
}

/** The member's name: a long name read before its header, else ustar's prefix and name. */
export function tarName(h: Buffer, longName: string | undefined): string {
  if (longName !== undefined) return longName;
  const prefix = tarField(h, 345, 155);
  return prefix ? `${prefix}/${tarField(h, 0, 100)}` : tarField(h, 0, 100);
}

import { ActionSkipped } from '../safety.js';
import type { MemberChanges } from './zip-write.js';

const BLOCK = 512;

/** One regular file of a tar: its header block(s) (pax and GNU long-name headers before it included) and data. */
export interface TarMember {
  name: string;
  /** Where its first header block starts. */
  start: number;
  /** Its own (last) header block. */
  header: number;
  dataAt: number;
  size: number;
  /** Where its padded data ends. */
  end: number;
  /** A pax header before it sets its size (then the header's size field is not the one to change). */
  paxSize: boolean;
}

function field(h: Buffer, start: number, len: number): string {
  const s = h.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString('utf8');
}

function sizeOf(h: Buffer): number {
  if (h[124] & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  return Number.parseInt(field(h, 124, 12).trim() || '0', 8);
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum;
}

export function isTar(data: Buffer): boolean {
  if (data.length < BLOCK) return false;
  const h = data.subarray(0, BLOCK);
  return Number.parseInt(field(h, 148, 8).trim(), 8) === checksum(h);
}

/** The regular files of a tar, named as the extractor names them. */
export function readTarMembers(data: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let pos = 0;
  let start = 0;
  let longName: string | undefined;
  let paxSize = false;
  while (pos + BLOCK <= data.length) {
    const h = data.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (Number.parseInt(field(h, 148, 8).trim(), 8) !== checksum(h))
      throw new ActionSkipped('refused', `the tar has a damaged header at offset ${pos}`);
    const size = sizeOf(h);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataAt = pos + BLOCK;
    const end = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (end > data.length) throw new ActionSkipped('refused', 'the tar is cut short');
    if (type === 'x' || type === 'L') {
      const meta = data.subarray(dataAt, dataAt + size);
      if (type === 'x') {
        const text = meta.toString('utf8');
        longName = /(?:^|\n)\d+ path=([^\n]*)/.exec(text)?.[1] ?? longName;
        paxSize ||= /(?:^|\n)\d+ size=/.test(text);
      } else longName = field(meta, 0, meta.length);
      pos = end;
      continue;
    }
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (type === '0' || type === '7') members.push({ name, start, header: pos, dataAt, size, end, paxSize });
    longName = undefined;
    paxSize = false;
    pos = end;
    start = pos;
  }
  return members;
}

/**
 * The tar with the changed members written anew (header copied, its size and checksum set; owner,
 * mode and time stamp kept) and every other block copied exactly.
 */
export function rewriteTar(data: Buffer, members: TarMember[], changes: MemberChanges): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (const m of members) {
    const change = changes.get(m.name);
    if (change === undefined) continue;
    out.push(data.subarray(at, m.start));
    at = m.end;
    if (change === null) continue;
    if (m.paxSize)
      throw new ActionSkipped(
        'refused',
        `tar member ${m.name} has its size in a pax header; edit it by hand`,
      );
    if (change.length >= 8 ** 11)
      throw new ActionSkipped('refused', `tar member ${m.name} would be too large for its header`);
    const header = Buffer.from(data.subarray(m.header, m.header + BLOCK));
    header.write(`${change.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write(`${checksum(header).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const padding = Buffer.alloc((BLOCK - (change.length % BLOCK)) % BLOCK);
    out.push(data.subarray(m.start, m.header), header, change, padding);
  }
  out.push(data.subarray(at));
  return Buffer.concat(out);
}

import {
  paxPath,
  TAR_BLOCK,
  tarChecksum,
  tarChecksumOk,
  tarField,
  tarName,
  tarSize,
  tarType,
} from '../../extract/archive/tar-header.js';
import { ActionSkipped } from '../safety.js';
import type { MemberChanges } from './zip-write.js';

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

export function isTar(data: Buffer): boolean {
  return data.length >= TAR_BLOCK && tarChecksumOk(data.subarray(0, TAR_BLOCK));
}

/** The regular files of a tar, named as the extractor names them. */
export function readTarMembers(data: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let pos = 0;
  let start = 0;
  let longName: string | undefined;
  let paxSize = false;
  while (pos + TAR_BLOCK <= data.length) {
    const h = data.subarray(pos, pos + TAR_BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!tarChecksumOk(h))
      throw new ActionSkipped('refused', `the tar has a damaged header at offset ${pos}`);
    const size = tarSize(h);
    const type = tarType(h);
    const dataAt = pos + TAR_BLOCK;
    const end = dataAt + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (end > data.length) throw new ActionSkipped('refused', 'the tar is cut short');
    if (type === 'x' || type === 'L') {
      const meta = data.subarray(dataAt, dataAt + size);
      if (type === 'x') {
        const text = meta.toString('utf8');
        longName = paxPath(meta) ?? longName;
        paxSize ||= /(?:^|\n)\d+ size=/.test(text);
      } else longName = tarField(meta, 0, meta.length);
      pos = end;
      continue;
    }
    const name = tarName(h, longName);
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
    const header = Buffer.from(data.subarray(m.header, m.header + TAR_BLOCK));
    header.write(`${change.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write(`${tarChecksum(header).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const padding = Buffer.alloc((TAR_BLOCK - (change.length % TAR_BLOCK)) % TAR_BLOCK);
    out.push(data.subarray(m.start, m.header), header, change, padding);
  }
  out.push(data.subarray(at));
  return Buffer.concat(out);
}

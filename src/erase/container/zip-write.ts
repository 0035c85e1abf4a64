import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ActionSkipped } from '../safety.js';

/** One member of a zip as its central directory record describes it, with where its bytes lie. */
export interface ZipMember {
  name: string;
  /** The central directory record, as written (name, extra field and comment included). */
  record: Buffer;
  localOffset: number;
  /** Where this member's local header, data and data descriptor end: the next member's header, or the directory. */
  localEnd: number;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
}

export interface ZipLayout {
  members: ZipMember[];
  directoryStart: number;
  directoryEnd: number;
  /** The end-of-central-directory record and its comment. */
  end: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const LOCAL_HEADER = 30;

/**
 * Reads a zip's layout for a rewrite. Only the plain case is rewritten: one disk, no zip64, no bytes
 * before the first member, no members sharing bytes; anything else is refused (left for a person).
 */
export function readZipLayout(data: Buffer): ZipLayout {
  const refuse = (why: string): never => {
    throw new ActionSkipped('refused', `the zip cannot be rewritten safely: ${why}`);
  };
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) refuse('no central directory');
  const count = data.readUInt16LE(eocd + 10);
  const cdSize = data.readUInt32LE(eocd + 12);
  const cdStart = data.readUInt32LE(eocd + 16);
  if (data.readUInt16LE(eocd + 4) !== 0 || data.readUInt16LE(eocd + 8) !== count)
    refuse('it spans several disks');
  if (count === 0xffff || cdSize === 0xffffffff || cdStart === 0xffffffff) refuse('it is a zip64 archive');
  if (cdStart + cdSize !== eocd) refuse('its directory is not where its end record says');
  const members: ZipMember[] = [];
  let pos = cdStart;
  for (let n = 0; n < count; n++) {
    if (pos + 46 > eocd || data.readUInt32LE(pos) !== CENTRAL) refuse(`bad directory entry ${n}`);
    const nameLen = data.readUInt16LE(pos + 28);
    const length = 46 + nameLen + data.readUInt16LE(pos + 30) + data.readUInt16LE(pos + 32);
    const record = data.subarray(pos, pos + length);
    const m: ZipMember = {
      name: record.subarray(46, 46 + nameLen).toString('utf8'),
      record,
      localOffset: record.readUInt32LE(42),
      localEnd: 0,
      method: record.readUInt16LE(10),
      flags: record.readUInt16LE(8),
      compressedSize: record.readUInt32LE(20),
      size: record.readUInt32LE(24),
    };
    if (m.compressedSize === 0xffffffff || m.size === 0xffffffff || m.localOffset === 0xffffffff)
      refuse('it is a zip64 archive');
    if (m.localOffset + LOCAL_HEADER > cdStart || data.readUInt32LE(m.localOffset) !== LOCAL)
      refuse(`member ${m.name} has no local header`);
    members.push(m);
    pos += length;
  }
  const byOffset = [...members].sort((a, b) => a.localOffset - b.localOffset);
  if ((byOffset[0]?.localOffset ?? cdStart) !== 0) refuse('data comes before its first member');
  for (const [i, m] of byOffset.entries()) {
    m.localEnd = byOffset[i + 1]?.localOffset ?? cdStart;
    const dataEnd = dataStart(data, m) + m.compressedSize;
    if (m.localEnd === m.localOffset || dataEnd > m.localEnd) refuse(`member ${m.name} shares its bytes`);
  }
  return { members, directoryStart: cdStart, directoryEnd: eocd, end: data.subarray(eocd) };
}

function dataStart(data: Buffer, m: ZipMember): number {
  return (
    m.localOffset +
    LOCAL_HEADER +
    data.readUInt16LE(m.localOffset + 26) +
    data.readUInt16LE(m.localOffset + 28)
  );
}

/** A member's content, inflated. */
export function readMember(data: Buffer, m: ZipMember): Buffer {
  if (m.flags & 1) throw new ActionSkipped('refused', `member ${m.name} is encrypted`);
  const raw = data.subarray(dataStart(data, m), dataStart(data, m) + m.compressedSize);
  if (m.method === 0) return raw;
  if (m.method !== 8)
    throw new ActionSkipped('refused', `member ${m.name} uses compression method ${m.method}`);
  try {
    const out = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
    if (out.length === m.size) return out;
  } catch {
    // Damaged, or inflating past its declared size: refused below.
  }
  throw new ActionSkipped('refused', `member ${m.name} does not inflate to its declared size (damaged?)`);
}

/** What becomes of a member: new content, or null to remove it. Members not named are copied as they are. */
export type MemberChanges = Map<string, Buffer | null>;

/**
 * The zip with the changed members written anew and every other member's bytes (local header,
 * compressed data, data descriptor) copied exactly, in the same order; the directory keeps every
 * record's fields but the sizes, CRC and offset. A changed member keeps its name, time stamps, extra
 * fields and compression method (stored stays stored, as an OpenDocument mimetype must).
 */
export function rewriteZip(data: Buffer, layout: ZipLayout, changes: MemberChanges): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  const newOffset = new Map<ZipMember, number>();
  const newRecord = new Map<ZipMember, Buffer>();
  for (const m of [...layout.members].sort((a, b) => a.localOffset - b.localOffset)) {
    const change = changes.get(m.name);
    if (change === null) continue;
    newOffset.set(m, at);
    if (change === undefined) {
      const piece = data.subarray(m.localOffset, m.localEnd);
      out.push(piece);
      at += piece.length;
      newRecord.set(m, m.record);
      continue;
    }
    const body = m.method === 0 ? change : deflateRawSync(change);
    const crc = crc32(change);
    const header = Buffer.from(data.subarray(m.localOffset, dataStart(data, m)));
    const flags = m.flags & ~0x08;
    header.writeUInt16LE(flags, 6);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(change.length, 22);
    out.push(header, body);
    at += header.length + body.length;
    const record = Buffer.from(m.record);
    record.writeUInt16LE(flags, 8);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(body.length, 20);
    record.writeUInt32LE(change.length, 24);
    newRecord.set(m, record);
  }
  const cdStart = at;
  let kept = 0;
  for (const m of layout.members) {
    const record = newRecord.get(m);
    if (!record) continue;
    const copy = Buffer.from(record);
    copy.writeUInt32LE(newOffset.get(m)!, 42);
    out.push(copy);
    at += copy.length;
    kept++;
  }
  const end = Buffer.from(layout.end);
  end.writeUInt16LE(kept, 8);
  end.writeUInt16LE(kept, 10);
  end.writeUInt32LE(at - cdStart, 12);
  end.writeUInt32LE(cdStart, 16);
  out.push(end);
  return Buffer.concat(out);
}

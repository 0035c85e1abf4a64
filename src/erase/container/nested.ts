import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import { sha256Hex } from '../../core/ids.js';
import { ActionSkipped } from '../safety.js';
import { isTar, readTarMembers, rewriteTar } from './tar-write.js';
import { type MemberChanges, readMember, readZipLayout, rewriteZip } from './zip-write.js';

/** What is done to one member: removed, or its content replaced by what `redact` returns. */
export interface MemberEdit {
  /** `member a.zip`, `member docs/notes.docx`: the scan's item path inside the top-level file. */
  itemPath: string[];
  /** The member's sha256 as scanned: a member that differs now makes the edit stale. */
  sha256?: string;
  change: 'remove' | { redact: (content: Buffer, name: string) => Promise<Buffer> };
}

const LARGEST_MEMBER = 256 * 1024 * 1024;

/**
 * Applies member edits to a zip, tar or gzip (and to the containers nested in it, a DOCX in a zip in a
 * zip): each container on an edited path is rewritten with only the edited members changed and every
 * other member's bytes copied as they are.
 */
export async function editContainer(data: Buffer, edits: MemberEdit[], where = ''): Promise<Buffer> {
  const byMember = new Map<string, MemberEdit[]>();
  for (const e of edits) {
    const label = e.itemPath[0] ?? '';
    if (!label.startsWith('member '))
      throw new ActionSkipped('refused', `${where}${label || 'the file itself'} is not an archive member`);
    const name = label.slice('member '.length);
    byMember.set(name, [...(byMember.get(name) ?? []), { ...e, itemPath: e.itemPath.slice(1) }]);
  }
  const container = openContainer(data, where);
  const changes: MemberChanges = new Map();
  for (const [name, list] of byMember) {
    const content = container.read(name);
    if (!content) throw new ActionSkipped('stale', `${where}member ${name} is no longer in the archive`);
    const here = list.filter((e) => !e.itemPath.length);
    const inside = list.filter((e) => e.itemPath.length);
    const edit = here[0];
    // A member redacted in place may have edits inside it too (an Office member and its pictures).
    if (here.length > 1 || (edit && inside.length && edit.change === 'remove'))
      throw new ActionSkipped('refused', `${where}member ${name} is planned twice`);
    if (!edit) {
      changes.set(name, await editContainer(content, list, `${where}${name} › `));
      continue;
    }
    if (edit.sha256 && sha256Hex(content) !== edit.sha256)
      throw new ActionSkipped('stale', `${where}member ${name} changed since the scan`);
    if (edit.change === 'remove') {
      changes.set(name, null);
      continue;
    }
    const edited = inside.length ? await editContainer(content, inside, `${where}${name} › `) : content;
    changes.set(name, await edit.change.redact(edited, name));
  }
  return container.write(changes);
}

interface Container {
  read(name: string): Buffer | undefined;
  write(changes: MemberChanges): Buffer;
}

function openContainer(data: Buffer, where: string): Container {
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) {
    const layout = readZipLayout(data);
    return {
      read(name) {
        const m = layout.members.find((x) => x.name === name);
        if (m && m.size > LARGEST_MEMBER)
          throw new ActionSkipped('refused', `${where}member ${name} is too large to rewrite`);
        return m && readMember(data, m);
      },
      write: (changes) => rewriteZip(data, layout, changes),
    };
  }
  if (data.length >= 10 && data[0] === 0x1f && data[1] === 0x8b && data[2] === 8)
    return gzipContainer(data, where);
  if (isTar(data)) {
    const members = readTarMembers(data);
    return {
      read(name) {
        const m = members.find((x) => x.name === name);
        return m && data.subarray(m.dataAt, m.dataAt + m.size);
      },
      write: (changes) => rewriteTar(data, members, changes),
    };
  }
  throw new ActionSkipped(
    'refused',
    `${where || 'the file'} is not a zip, tar or gzip archive dsr can rewrite`,
  );
}

/**
 * A gzip stream: a .tar.gz's members are the tar's, anything else is the one file inside. It is
 * compressed again behind its own header (stored name, time stamp and flags kept).
 */
function gzipContainer(data: Buffer, where: string): Container {
  let inner: Buffer;
  try {
    inner = gunzipSync(data, { maxOutputLength: LARGEST_MEMBER });
  } catch (err) {
    throw new ActionSkipped(
      'refused',
      `${where || 'the file'}: gzip data cannot be read (${(err as Error).message})`,
    );
  }
  const header = gzipHeader(data);
  const pack = (content: Buffer): Buffer => {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(content), 0);
    trailer.writeUInt32LE(content.length % 2 ** 32, 4);
    return Buffer.concat([header, deflateRawSync(content), trailer]);
  };
  if (isTar(inner)) {
    const tar = openContainer(inner, where);
    return { read: (name) => tar.read(name), write: (changes) => pack(tar.write(changes)) };
  }
  return {
    // The scan names the one file by the name stored in the header, or the file's own name less .gz.
    read: () => inner,
    write(changes) {
      const [change] = changes.values();
      if (change === null)
        throw new ActionSkipped('refused', 'removing the only file in a gzip means deleting the file');
      return pack(change ?? inner);
    },
  };
}

function gzipHeader(data: Buffer): Buffer {
  const flags = data[3];
  let p = 10;
  if (flags & 0x04) p += 2 + data.readUInt16LE(10);
  if (flags & 0x08) p = data.indexOf(0, p) + 1;
  if (flags & 0x10) p = data.indexOf(0, p) + 1;
  if (flags & 0x02) p += 2;
  if (p <= 0 || p > data.length) throw new ActionSkipped('refused', 'damaged gzip header');
  return data.subarray(0, p);
}

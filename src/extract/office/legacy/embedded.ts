import CFB from 'cfb';

/** An object embedded in a legacy Office file, as a file of its own. */
export interface EmbeddedObject {
  /** Where it is in the container (`ObjectPool/_1234567`, `MBD0001A2B3`). */
  storage: string;
  name: string;
  data: Buffer;
}

const STORAGE = /^[^/]+\/(ObjectPool\/_[^/]+|MBD[0-9A-Fa-f]+)\/$/;
const KINDS: [stream: string, ext: string][] = [
  ['WordDocument', '.doc'],
  ['Workbook', '.xls'],
  ['PowerPoint Document', '.ppt'],
];

/**
 * Objects embedded in a Word document (`ObjectPool`) or a workbook (`MBD…` storages): an Office
 * 2007+ document (its `Package` stream, a zip), a Word, Excel or PowerPoint 97-2003 object (its
 * storage written out as an OLE file of its own), or a packaged file (`\x01Ole10Native`, named as it
 * was when it was embedded).
 */
export function embeddedObjects(container: CFB.CFB$Container): EmbeddedObject[] {
  const out: EmbeddedObject[] = [];
  container.FullPaths.forEach((path, i) => {
    const m = STORAGE.exec(path);
    if (!m || container.FileIndex[i].type !== 1) return;
    const streams = container.FullPaths.map((p, j) => ({
      rel: p.slice(path.length),
      entry: container.FileIndex[j],
    })).filter(
      ({ rel, entry }, j) =>
        container.FullPaths[j].startsWith(path) && rel && entry.type === 2 && entry.content,
    );
    const stream = (name: string) =>
      streams.find((s) => s.rel === name)?.entry.content as Uint8Array | undefined;
    const storage = m[1];
    const label = storage.split('/').pop() as string;
    const pkg = stream('Package');
    if (pkg) {
      out.push({ storage, name: label, data: Buffer.from(pkg) });
      return;
    }
    const native = stream('\u0001Ole10Native');
    if (native) {
      const file = ole10Native(Buffer.from(native));
      if (file) out.push({ storage, name: file.name || label, data: file.data });
      return;
    }
    const kind = KINDS.find(([s]) => stream(s));
    if (!kind) return;
    const copy = CFB.utils.cfb_new();
    for (const { rel, entry } of streams) CFB.utils.cfb_add(copy, `/${rel}`, entry.content as Uint8Array);
    out.push({
      storage,
      name: `${label}${kind[1]}`,
      data: Buffer.from(CFB.write(copy, { type: 'buffer' }) as Uint8Array),
    });
  });
  return out;
}

/** A packaged file: size, a flag, its name, its source path, then its bytes (MS-OLEDS 2.3.6, informal). */
function ole10Native(b: Buffer): { name: string; data: Buffer } | undefined {
  if (b.length < 8) return undefined;
  let p = 6;
  const cstring = () => {
    const end = b.indexOf(0, p);
    if (end === -1) throw new RangeError('unterminated');
    const s = b.toString('latin1', p, end);
    p = end + 1;
    return s;
  };
  try {
    const name = cstring();
    cstring(); // where it came from
    p += 4; // reserved
    const tempLength = b.readUInt32LE(p);
    p += 4 + tempLength;
    const size = b.readUInt32LE(p);
    p += 4;
    if (p + size > b.length) return undefined;
    return { name: name.split(/[\\/]/).pop() ?? name, data: b.subarray(p, p + size) };
  } catch {
    return undefined;
  }
}

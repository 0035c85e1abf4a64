/**
 * File names that are not valid UTF-8 (Latin-1 or Windows-1252 names from old Samba shares, CP437 from
 * old zips). Node turns such bytes into U+FFFD when it reads a name as a string, and that string then
 * names no file at all. dsr reads folders as bytes and holds each byte that is not part of valid UTF-8
 * as the lone surrogate U+DC80–U+DCFF (`0xF8` -> `\udcf8`), as Python does for POSIX names (PEP 383,
 * "surrogateescape"). The string is exact: it goes into the scan file as it is (JSON writes it as
 * `\udcf8`), and every file operation turns it back into the same bytes (`fsPath`). People see it
 * escaped: `s\xF8ren.txt` (`displayPath`).
 */

const LOW = 0xdc80;
const HIGH = 0xdcff;

/** A name read as bytes, as a string: valid UTF-8 decoded, every other byte escaped as U+DC80+byte. */
export function nameFromBytes(bytes: Uint8Array): string {
  // Most names are valid UTF-8: decoded in one call.
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(LOW + bytes[i] - 0x80);
      i++;
    } else {
      out += Buffer.from(bytes.buffer, bytes.byteOffset + i, n).toString('utf8');
      i += n;
    }
  }
  return out;
}

/** True when the string holds an escaped byte (see nameFromBytes). */
export function hasRawBytes(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= LOW && c <= HIGH) return true;
  }
  return false;
}

/** The path as the file system knows it: the string itself, or its exact bytes when it holds escaped bytes. */
export function fsPath(path: string): string | Buffer {
  return hasRawBytes(path) ? toBytes(path) : path;
}

/** The path's exact bytes. */
export function toBytes(path: string): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < LOW || c > HIGH) continue;
    if (i > from) parts.push(Buffer.from(path.slice(from, i), 'utf8'));
    parts.push(Buffer.from([c - LOW + 0x80]));
    from = i + 1;
  }
  if (from < path.length) parts.push(Buffer.from(path.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** The path for people: each escaped byte shown as `\xF8`. Paths without them are returned as they are. */
export function displayPath(path: string): string {
  if (!hasRawBytes(path)) return path;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    out +=
      c >= LOW && c <= HIGH ? `\\x${(c - LOW + 0x80).toString(16).toUpperCase().padStart(2, '0')}` : path[i];
  }
  return out;
}

function isUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** Length of the valid UTF-8 sequence at `i` (no overlong forms, surrogates or code points past U+10FFFF), or 0. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if (c === 0xe0 && c1 < 0xa0) return 0;
    if (c === 0xed && c1 >= 0xa0) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if (c === 0xf0 && c1 < 0x90) return 0;
    if (c === 0xf4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

import { closeSync, openSync, readSync } from 'node:fs';
import { ExtractError } from '../../core/errors.js';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput } from '../../core/types.js';
import type { Extractor } from '../api.js';
import { isEncryptedOoxml, startsWith, UNOPENED_ARCHIVES, unopenedFormat } from '../formats.js';
import { extensionOf, readHead } from '../read.js';

/** Bytes of a 7z file's header looked at for its coders. */
const SEVEN_ZIP_HEADER_BYTES = 64 * 1024;
/** The 7z coder id of AES-256 + SHA-256. */
const SEVEN_ZIP_AES = Buffer.from([0x06, 0xf1, 0x07, 0x01]);

/**
 * Containers dsr cannot open yet are never a silent skip: each is an error entry, `encrypted` where the
 * container's own header says so (a 7z or RAR archive with encrypted headers or members, an encrypted
 * Office package), else `unsupported`, so that the scan's exit code (3) and the report say they were not
 * searched.
 */
const unopened: Extractor = {
  ...unopenedFormat,
  async extract(input) {
    const head = await readHead(input, 64 * 1024);
    if (isEncryptedOoxml(head))
      throw new ExtractError('encrypted', 'password-protected Office document; not read');
    const ext = extensionOf(input.name);
    const archive =
      UNOPENED_ARCHIVES.find((a) => startsWith(head, a.magic)) ??
      UNOPENED_ARCHIVES.find((a) => a.extensions.some((e) => ext.endsWith(e)));
    if (!archive) throw new ExtractError('unsupported', 'a container dsr cannot open; not read');
    if (archive.name === '7z') {
      const encrypted = sevenZipEncrypted(head, (at, length) => readRange(input, at, length));
      if (encrypted)
        throw new ExtractError('encrypted', `7z archive is password-protected (${encrypted}); not read`);
    }
    if (archive.name === 'RAR') {
      const encrypted = rarEncrypted(head);
      if (encrypted)
        throw new ExtractError('encrypted', `RAR archive is password-protected (${encrypted}); not read`);
    }
    throw new ExtractError(
      'unsupported',
      `${archive.name} archive: dsr cannot open this format yet; not read`,
    );
  },
};

/**
 * Whether a 7z archive is encrypted, as far as its header shows without decompressing: an encrypted
 * header ("encrypted file names") lists the AES coder for the header itself; a plain header lists it
 * for the members. A compressed header hides the members' coders: then this cannot tell.
 */
function sevenZipEncrypted(
  head: Uint8Array,
  read: (at: number, length: number) => Buffer,
): string | undefined {
  if (head.length < 32) return undefined;
  const start = Buffer.from(head.buffer, head.byteOffset, 32);
  const offset = Number(start.readBigUInt64LE(12));
  const size = Number(start.readBigUInt64LE(20));
  if (!Number.isSafeInteger(offset + 32) || size <= 0) return undefined;
  const header = read(32 + offset, Math.min(size, SEVEN_ZIP_HEADER_BYTES));
  if (!header.includes(SEVEN_ZIP_AES)) return undefined;
  // 0x17: kEncodedHeader (the header is itself packed, here with AES); 0x01: kHeader (plain).
  return header[0] === 0x17 ? 'encrypted file names' : 'encrypted members';
}

/** Up to `length` bytes of the item from `at` (fewer at its end). */
function readRange(input: ItemInput, at: number, length: number): Buffer {
  if (input.source.kind === 'buffer') {
    const d = input.source.data;
    return Buffer.from(d.buffer, d.byteOffset, d.length).subarray(at, at + length);
  }
  const fd = openSync(fsPath(input.source.absPath), 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, input.source.size - at)));
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, at));
  } finally {
    closeSync(fd);
  }
}

/** Whether a RAR archive says it is encrypted in its first header (RAR 5 and RAR 4). */
function rarEncrypted(head: Uint8Array): string | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.length);
  if (b.length >= 8 && b[6] === 0x01 && b[7] === 0x00) {
    // RAR 5: CRC32, then the header size and type as variable-length integers; type 4 is the
    // archive encryption header, present when file names are encrypted.
    let p = 12;
    while (p < b.length && b[p] & 0x80) p++;
    p++;
    return b[p] === 0x04 ? 'encrypted file names' : undefined;
  }
  // RAR 4: the main header (type 0x73) carries MHD_PASSWORD (0x0080) in its flags.
  if (b.length >= 12 && b[6] === 0x00 && b[9] === 0x73 && b.readUInt16LE(10) & 0x0080)
    return 'encrypted file names';
  return undefined;
}

export default unopened;

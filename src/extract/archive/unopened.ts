import { ExtractError } from '../../core/errors.js';
import type { Extractor } from '../api.js';
import { isEncryptedOoxml, startsWith, UNOPENED_ARCHIVES, unopenedFormat } from '../formats.js';
import { extensionOf, readHead } from '../read.js';

/**
 * Containers dsr cannot open yet are never a silent skip: each is an error entry, `encrypted` where the
 * container's own header says so (a RAR archive with encrypted headers or members, an encrypted
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

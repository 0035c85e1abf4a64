import { ExtractError } from '../../core/errors.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import type { ByteSource } from '../archive/byte-source.js';
import { openZip } from '../archive/open-zip.js';
import type { ZipDirectory } from '../archive/zip-reader.js';
import { officeFormat } from '../formats.js';
import { readHead } from '../read.js';
import { readOdf } from './odf.js';
import { readDocx, readPptx, readXlsx } from './ooxml.js';
import { OfficePackage } from './package.js';

const READERS: [part: string, read: (pkg: OfficePackage) => Promise<void>][] = [
  ['word/document.xml', readDocx],
  ['xl/workbook.xml', readXlsx],
  ['ppt/presentation.xml', readPptx],
  ['content.xml', readOdf],
];

/**
 * Reads a zip as an Office Open XML or OpenDocument package when its parts say it is one; false
 * (nothing read) when it is some other zip.
 */
export async function extractOfficePackage(
  input: ItemInput,
  ctx: ExtractContext,
  src: ByteSource,
  dir: ZipDirectory,
): Promise<boolean> {
  const parts = packageParts(dir);
  const reader = READERS.find(([part]) => parts.has(part));
  if (!reader) return false;
  const pkg = new OfficePackage(input, ctx, src, parts);
  await reader[1](pkg);
  await pkg.pictures();
  return true;
}

/** Whether `extractOfficePackage` reads this zip as an Office or OpenDocument file. */
export function isOfficePackage(dir: ZipDirectory): boolean {
  const parts = packageParts(dir);
  return READERS.some(([part]) => parts.has(part));
}

function packageParts(dir: ZipDirectory) {
  return new Map(dir.entries.filter((e) => !e.isDirectory && !e.overlaps).map((e) => [e.name, e]));
}

/**
 * Parts of one Office file listed at most. Parts are not members a user counts (`--max-members`):
 * a small workbook has dozens, so only this fixed bound on the directory applies.
 */
const MAX_PARTS = 50_000;

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const office: Extractor = {
  ...officeFormat,
  async extract(input, ctx) {
    const head = await headOf(input);
    if (CFB_MAGIC.every((b, i) => head[i] === b)) {
      // Password-protected OOXML is an OLE compound file holding an "EncryptedPackage" stream.
      if (head.includes(Buffer.from('EncryptedPackage', 'utf16le'))) {
        throw new ExtractError('encrypted', 'password-protected Office document; not read');
      }
      // Word, Excel and PowerPoint 97-2003; their readers load only when such a file is met.
      const { readLegacyOffice } = await import('./legacy/legacy.js');
      await readLegacyOffice(input, ctx);
      return;
    }
    const { src, dir } = await openZip(input, ctx, 'Office document', MAX_PARTS);
    if (dir.entries.length > MAX_PARTS)
      ctx.error('limit', `more than ${MAX_PARTS} parts; only the first ${MAX_PARTS} read`);
    try {
      if (!(await extractOfficePackage(input, ctx, src, dir))) {
        throw new ExtractError('corrupt', 'a zip without Word, Excel, PowerPoint or OpenDocument content');
      }
    } finally {
      await src.close();
    }
  },
};

async function headOf(input: ItemInput): Promise<Buffer> {
  const head = await readHead(input, 1 << 16);
  return Buffer.from(head.buffer, head.byteOffset, head.length);
}

export default office;

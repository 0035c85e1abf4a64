/**
 * What the engine needs to choose an extractor: each format's id, file name suffixes and first-bytes
 * test. Kept apart from the extractors themselves, which the registry loads on first use, so that a
 * worker reading plain text never loads the PDF, mail, archive and media code.
 */
import type { ExtractorFormat } from './api.js';
import { isMaildirFile, looksLikeMbox, looksLikeMessage } from './mail/sniff.js';
import { containerOf } from './media/container.js';

export function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** A file named .pdf may carry some junk before `%PDF-`, within the first KiB (as viewers accept). */
export function looksLikePdf(head: Uint8Array, within = 1024): boolean {
  return Buffer.from(head.subarray(0, within + 5)).includes('%PDF-');
}

/** Image and video files read for person tags and author fields. */
export const MEDIA_EXTENSIONS = [
  // Photos
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jps',
  '.mpo',
  '.png',
  '.tif',
  '.tiff',
  '.btf',
  '.webp',
  '.heic',
  '.heif',
  '.avif',
  '.gif',
  '.jxl',
  '.jp2',
  '.jpx',
  '.j2c',
  '.jxr',
  '.hdp',
  '.wdp',
  '.psd',
  '.psb',
  '.bmp',
  '.psp',
  '.pspimage',
  '.xcf',
  '.miff',
  '.flif',
  '.bpg',
  '.exr',
  '.djvu',
  '.djv',
  '.mie',
  // Camera raw
  '.dng',
  '.cr2',
  '.cr3',
  '.crw',
  '.nef',
  '.nrw',
  '.arw',
  '.sr2',
  '.srf',
  '.orf',
  '.rw2',
  '.rwl',
  '.raf',
  '.pef',
  '.srw',
  '.x3f',
  '.3fr',
  '.iiq',
  '.erf',
  '.kdc',
  '.dcr',
  '.mrw',
  // Video
  '.mp4',
  '.m4v',
  '.mov',
  '.qt',
  '.3gp',
  '.3g2',
  '.mkv',
  '.webm',
  '.avi',
  '.wmv',
  '.asf',
  '.mts',
  '.m2ts',
  '.flv',
];

export const SUPPLEMENTAL = '.supplemental-metadata';
const TRUNCATED = Array.from(
  { length: SUPPLEMENTAL.length - 1 },
  (_, i) => `${SUPPLEMENTAL.slice(0, i + 2)}.json`,
);

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export const mediaFormat: ExtractorFormat = {
  id: 'media',
  description:
    'Photo and video metadata (JPEG, PNG, TIFF, HEIC/HEIF, WebP, MP4/MOV and other types exiftool reads) and XMP sidecars',
  extensions: [...MEDIA_EXTENSIONS, '.xmp'],
  sniff(head) {
    if (containerOf(head) !== 'other') return true;
    const tag = Buffer.from(head.subarray(0, 12)).toString('latin1');
    if (tag.startsWith('II*\0') || tag.startsWith('MM\0*')) return true;
    return tag.slice(4, 8) === 'ftyp';
  },
};

export const picasaFormat: ExtractorFormat = {
  id: 'picasa',
  description:
    'Picasa `.picasa.ini` face tags (rect64 regions, contacts resolved through [Contacts2] or contacts.xml)',
  extensions: ['.ini'],
};

export const takeoutFormat: ExtractorFormat = {
  id: 'takeout',
  description: 'Google Photos Takeout JSON sidecars (people[].name as face tags)',
  extensions: [...MEDIA_EXTENSIONS.map((e) => `${e}.json`), ...TRUNCATED],
};

export const pdfFormat: ExtractorFormat = {
  id: 'pdf',
  description:
    'PDF: text per page (findings point at `page N`) and the document info (Author, Title, Subject, Keywords)',
  extensions: ['.pdf'],
  // Unnamed items are claimed only when they start as a PDF does, not for a text that mentions one.
  sniff: (head) => looksLikePdf(head, 4),
};

/** Word, Excel and PowerPoint 97-2003 files: OLE compound files read by office/legacy/. */
export const LEGACY_OFFICE_EXTENSIONS = ['.doc', '.dot', '.xls', '.xlt', '.xlw', '.ppt', '.pps', '.pot'];

const LEGACY_STREAMS = ['WordDocument', 'Workbook', 'PowerPoint Document'].map((n) =>
  Buffer.from(n, 'utf16le'),
);

/**
 * An OLE compound file whose directory, where the first bytes hold it (as in most small files), names
 * a Word, Excel or PowerPoint stream.
 */
function isLegacyOffice(head: Uint8Array): boolean {
  if (!startsWith(head, CFB_MAGIC)) return false;
  const b = Buffer.from(head.buffer, head.byteOffset, head.length);
  return LEGACY_STREAMS.some((name) => b.includes(name));
}

export const officeFormat: ExtractorFormat = {
  id: 'office',
  description:
    'Word, Excel, PowerPoint (DOCX/XLSX/PPTX and macro/template variants, and the 97-2003 binary DOC/XLS/PPT) and OpenDocument (ODT/ODS/ODP): text, headers and footers, notes, comments, cells, properties',
  extensions: [
    ...LEGACY_OFFICE_EXTENSIONS,
    '.docx',
    '.docm',
    '.dotx',
    '.dotm',
    '.xlsx',
    '.xlsm',
    '.xltx',
    '.xltm',
    '.pptx',
    '.pptm',
    '.potx',
    '.ppsx',
    '.odt',
    '.ott',
    '.ods',
    '.ots',
    '.odp',
    '.otp',
    '.odg',
  ],
  sniff: isLegacyOffice,
};

export const zipFormat: ExtractorFormat = {
  id: 'zip',
  description:
    'Zip archives (and nested zips): every member read through the extractors, with depth, member, ratio and size limits',
  extensions: ['.zip', '.jar', '.epub'],
  sniff(head) {
    return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
  },
};

export const gzipFormat: ExtractorFormat = {
  id: 'gzip',
  description:
    'gzip (.gz) and gzipped tar (.tgz, .tar.gz): inflated under the ratio and size limits, then read as tar or as the single file inside',
  extensions: ['.gz', '.tgz', '.tar.gz'],
  sniff: (head) => head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8,
};

export const sevenZipFormat: ExtractorFormat = {
  id: '7z',
  description:
    '7z archives (LZMA, LZMA2, PPMd, BZip2, Deflate, BCJ filters), xz and bzip2 streams (.xz, .bz2, .tar.xz, .tar.bz2, .txz, .tbz2): read by 7-Zip compiled to WebAssembly (7z-wasm) into a private spool under the ratio, size, member and depth limits; password-protected ones are `encrypted` errors',
  extensions: ['.7z', '.xz', '.txz', '.tar.xz', '.bz2', '.tbz', '.tbz2', '.tar.bz2'],
  sniff: (head) =>
    startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) ||
    startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) ||
    // "BZh" and a block size digit, then the block magic (pi): a text starting "BZh" is not claimed.
    (startsWith(head, [0x42, 0x5a, 0x68]) &&
      head[3] >= 0x31 &&
      head[3] <= 0x39 &&
      head[4] === 0x31 &&
      head[5] === 0x41),
};

export const tarFormat: ExtractorFormat = {
  id: 'tar',
  description: 'Tar archives (ustar, pax, GNU): every regular file read through the extractors',
  extensions: ['.tar'],
  sniff: isTar,
};

export const maildirFormat: ExtractorFormat = {
  id: 'maildir',
  description: 'Maildir message file (cur/new/tmp, sub-folders such as .Sent): one RFC 822 message per file',
  extensions: [],
  sniff(head, input) {
    return (
      input.depth === 0 &&
      input.source.kind === 'file' &&
      isMaildirFile(input.source.absPath) &&
      looksLikeMessage(head)
    );
  },
};

export const mboxFormat: ExtractorFormat = {
  id: 'mbox',
  description:
    'mbox mailbox (.mbox, .mbx, extensionless files starting with a From line), streamed message by message',
  extensions: ['.mbox', '.mbx'],
  sniff(head) {
    return looksLikeMbox(head);
  },
};

export const emlFormat: ExtractorFormat = {
  id: 'eml',
  description:
    'E-mail message (.eml, RFC 822/MIME): address headers with display names, subject, text and HTML bodies; attachments and attached messages as child items',
  extensions: ['.eml'],
  sniff(head, input) {
    return input.contentType === 'message/rfc822' || looksLikeMessage(head);
  },
};

export const msgFormat: ExtractorFormat = {
  id: 'msg',
  description:
    'Outlook message (.msg): sender and recipients with display names, subject, bodies; attachments and embedded messages as child items',
  extensions: ['.msg'],
  sniff(head, input) {
    return input.contentType === 'application/vnd.ms-outlook' && CFB_MAGIC.every((b, i) => head[i] === b);
  },
};

export const pstFormat: ExtractorFormat = {
  id: 'pst',
  description: 'Outlook data file (.pst, .ost): every folder, message and attachment',
  extensions: ['.pst', '.ost'],
  sniff(head) {
    return head[0] === 0x21 && head[1] === 0x42 && head[2] === 0x44 && head[3] === 0x4e; // !BDN
  },
};

export const tnefFormat: ExtractorFormat = {
  id: 'tnef',
  description:
    "Outlook's TNEF attachment (winmail.dat, application/ms-tnef): the wrapped message's subject, sender, recipients and plain, HTML and RTF bodies; its attachments as child items",
  extensions: ['.tnef'],
  // winmail.dat says nothing by its name: the signature 0x223E9F78 claims it.
  sniff: (head) => startsWith(head, [0x78, 0x9f, 0x3e, 0x22]),
};

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export function isSqlite(head: Uint8Array): boolean {
  return startsWith(head, [...SQLITE_MAGIC]);
}

export const sqliteFormat: ExtractorFormat = {
  id: 'sqlite',
  description:
    "SQLite databases (.sqlite, .sqlite3, .db, or any file starting `SQLite format 3`; UTF-8 and UTF-16): every table's text and number columns, row by row (`table T` › `row N`), read from a private copy so the database is never locked or written",
  extensions: ['.sqlite', '.sqlite3', '.db'],
  sniff: isSqlite,
};

/** The content type of a database row handed on as a child item (see database/row.ts). */
export const SQLITE_ROW_TYPE = 'application/x-dsr-database-row';

export const sqliteRowFormat: ExtractorFormat = {
  id: 'sqlite-row',
  description:
    'One row of a SQLite table: each column searched as its own field (`location.field` is the column)',
  extensions: [],
  sniff: (_head, input) => input.contentType === SQLITE_ROW_TYPE && input.source.kind === 'buffer',
};

/** Archive and compressed formats dsr knows by name or first bytes but cannot open (see unopened.ts). */
export const UNOPENED_ARCHIVES: readonly { name: string; extensions: string[]; magic: number[] }[] = [
  { name: 'RAR', extensions: ['.rar'], magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: 'Zstandard', extensions: ['.zst', '.tzst'], magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'lzip', extensions: ['.lz'], magic: [0x4c, 0x5a, 0x49, 0x50] },
  { name: 'LZMA', extensions: ['.lzma'], magic: [] },
  { name: 'Microsoft Cabinet', extensions: ['.cab'], magic: [0x4d, 0x53, 0x43, 0x46, 0, 0, 0, 0] },
  { name: 'ARJ', extensions: ['.arj'], magic: [0x60, 0xea] },
  { name: 'LHA', extensions: ['.lzh', '.lha'], magic: [] },
];

export function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.length > 0 && head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** An OLE compound file holding an encrypted OOXML package (Office's password protection). */
export function isEncryptedOoxml(head: Uint8Array): boolean {
  return (
    startsWith(head, CFB_MAGIC) &&
    Buffer.from(head.buffer, head.byteOffset, head.length).includes(ENCRYPTED_PACKAGE)
  );
}

const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

export const unopenedFormat: ExtractorFormat = {
  id: 'unopened',
  description:
    'Containers dsr recognises but cannot open yet (RAR, Zstandard, lzip, cab, ARJ, LHA): an `unsupported` error, or `encrypted` where the container says it is',
  extensions: UNOPENED_ARCHIVES.flatMap((a) => a.extensions),
  sniff(head) {
    return UNOPENED_ARCHIVES.some((a) => startsWith(head, a.magic)) || isEncryptedOoxml(head);
  },
};

export const htmlFormat: ExtractorFormat = {
  id: 'html',
  description:
    'HTML: visible text with tags stripped and entities decoded, plus data-bearing attributes (mailto links, titles, alt texts)',
  extensions: ['.html', '.htm', '.xhtml'],
  sniff(head) {
    const start = Buffer.from(head.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
    return start.startsWith('<!doctype html') || start.startsWith('<html');
  },
};

export const jsonFormat: ExtractorFormat = {
  id: 'json',
  description: 'JSON and JSON Lines, `\\uXXXX` escapes decoded',
  extensions: ['.json', '.jsonl', '.ndjson', '.geojson'],
};

export const textFormat: ExtractorFormat = {
  id: 'text',
  description:
    'Plain text (txt, csv, tsv, md, log, xml, yaml, ini, vcf, ics, sql, and text files without a known extension); RTF with its control words stripped; vCard and iCalendar lines unfolded and quoted-printable values decoded',
  extensions: [
    '.txt',
    '.csv',
    '.tsv',
    '.md',
    '.markdown',
    '.log',
    '.xml',
    '.yaml',
    '.yml',
    '.ini',
    '.cfg',
    '.conf',
    '.vcf',
    '.vcard',
    '.ics',
    '.ifb',
    '.vcs',
    '.sql',
    '.rtf',
    '.tex',
    '.text',
  ],
};

/**
 * The customer export of bench part `export` in the other shapes a big single file takes: an HTML
 * report, a Word document, a gzipped dump and a mail with the export attached. Each holds the same
 * kind of rows with the subject on one of them; the bench holds their peak memory to the bound.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { zipSync } from 'fflate';

export interface BigFile {
  label: string;
  /** The folder scanned: the file alone in it. */
  dir: string;
  bytes: number;
}

interface Manifest {
  version: number;
  source: number;
  files: BigFile[];
}

const VERSION = 2;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * Writes the four files from `csv` (the export's rows, `;`-separated) unless they are there already
 * for a CSV of the same size.
 */
export async function bigFiles(root: string, csvPath: string, csvBytes: number): Promise<BigFile[]> {
  const manifest = join(root, 'manifest.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    if (m.version === VERSION && m.source === csvBytes && m.files.every((f) => existsSync(f.dir)))
      return m.files;
  }
  rmSync(root, { recursive: true, force: true });
  const csv = readFileSync(csvPath, 'utf8');
  const rows = csv.split('\n').filter(Boolean);
  const files: BigFile[] = [];
  /** `bytes`: what is read, for the MB/s figure (a Word file's body, not its compressed size). */
  const write = (label: string, name: string, data: string | Uint8Array, bytes?: number) => {
    const dir = join(root, label);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), data);
    files.push({
      label,
      dir,
      bytes: bytes ?? (typeof data === 'string' ? Buffer.byteLength(data) : data.length),
    });
  };

  const cells = (row: string) => row.split(';');
  const html = [
    '<!doctype html><html><head><title>Kunder</title><style>td{padding:2px}</style></head><body><table>\n',
  ];
  for (const row of rows) {
    const [id, name, email, phone, cpr, street] = cells(row).map(escapeXml);
    html.push(
      `<tr><td>${id}</td><td><a href="mailto:${email}" title="${name}">${name}</a></td><td>${phone}</td><td>${cpr}</td><td>${street}</td></tr>\n`,
    );
  }
  html.push('</table></body></html>\n');
  write('html', 'kunder.html', html.join(''));

  const body = rows.map(
    (row) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(cells(row).join(', '))}</w:t></w:r></w:p>`,
  );
  const documentXml = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body.join('')}</w:body></w:document>`;
  write(
    'docx',
    'kunder.docx',
    zipSync({
      '[Content_Types].xml': new TextEncoder().encode(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      'word/document.xml': new TextEncoder().encode(documentXml),
    }),
    Buffer.byteLength(documentXml),
  );

  // Half the rows: in base64 the whole export would pass the 100 MiB a message is read up to.
  const half = rows.slice(rows.length / 4, (rows.length * 3) / 4).join('\n');
  const attached = Buffer.from(`${half}\n`).toString('base64').replace(/.{76}/g, '$&\r\n');
  write(
    'eml',
    'kunder.eml',
    [
      'From: Regnskab <regnskab@example.com>',
      'To: kontor@example.com',
      'Subject: Kundeliste',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Kundelisten er vedhæftet.',
      '--b1',
      'Content-Type: text/csv; name="kunder.csv"',
      'Content-Disposition: attachment; filename="kunder.csv"',
      'Content-Transfer-Encoding: base64',
      '',
      attached,
      '--b1--',
      '',
    ].join('\r\n'),
  );

  const gzDir = join(root, 'gz');
  mkdirSync(gzDir, { recursive: true });
  const gzPath = join(gzDir, 'kunder.csv.gz');
  await pipeline(createReadStream(csvPath), createGzip(), createWriteStream(gzPath));
  files.push({ label: 'gz', dir: gzDir, bytes: csvBytes });

  writeFileSync(manifest, JSON.stringify({ version: VERSION, source: csvBytes, files } satisfies Manifest));
  return files;
}

import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';
import { filler, pngWithTextBomb } from '../helpers/hostile-files.js';

const MiB = 1024 * 1024;
const enc = (s: string) => new TextEncoder().encode(s);

function fileIn(name: string, data: Uint8Array): string {
  const path = join(tempTree(), name);
  writeFileSync(path, data);
  return path;
}

/** Every format that inflates, each with a bomb: the limits hold, the rest of the file is read. */
describe('decompression bombs in every format that inflates', () => {
  it('an Office part: a `limit` naming that part (--max-ratio), the other parts read', async () => {
    const docx = zipSync(
      {
        '[Content_Types].xml': enc(
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        ),
        'word/document.xml': filler(64 * MiB),
        'docProps/core.xml': enc(
          '<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>CPR 150387-1236</dc:creator></cp:coreProperties>',
        ),
      },
      { level: 9 },
    );
    expect(docx.length).toBeLessThan(MiB);
    const r = await scanFile(fileIn('brev.docx', docx));
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/^part word\/document\.xml: .*--max-ratio/);
    expect(findingLines(r).some((l) => l.includes('150387-1236'))).toBe(true);
  });

  it('a PNG text chunk: a `limit` before exiftool inflates it (it took 2 GB for 512 MiB)', async () => {
    const png = pngWithTextBomb('Søren Kjærgaard Østergård', 256 * MiB);
    expect(png.length).toBeLessThan(MiB);
    const r = await scanFile(fileIn('foto.png', png));
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/zTXt chunk .* inflates past/);
  });

  it('a gzip attached to a mail: a `limit` on the attachment (--max-ratio), the message read', async () => {
    const gz = gzipSync(filler(128 * MiB), { level: 9 });
    const b64 = gz.toString('base64').replace(/.{76}/g, '$&\r\n');
    const eml = [
      'From: Søren <soren.ostergard@example.dk>',
      'To: hr@example.dk',
      'Subject: dump',
      'Message-ID: <bomb@example.dk>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'CPR 150387-1236',
      '--b',
      'Content-Type: application/gzip; name="dump.sql.gz"',
      'Content-Disposition: attachment; filename="dump.sql.gz"',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--b--',
      '',
    ].join('\r\n');
    const r = await scanFile(fileIn('mail.eml', enc(eml)));
    expect(errorLines(r)).toEqual(['attachment dump.sql.gz | limit']);
    expect(r.errors[0].message).toMatch(/--max-ratio/);
    expect(findingLines(r).some((l) => l.includes('| cpr | 150387-1236'))).toBe(true);
  });
});

describe("the worker's heap cap", () => {
  it('an item that runs a worker out of its heap is a `limit` error; the worker is replaced and the scan goes on', () => {
    // A workbook of 1.5 million shared strings (~30 MB of XML): its string table outgrows a 48 MB heap.
    const strings = Array.from({ length: 1_500_000 }, (_, i) => `<si><t>v${i}</t></si>`).join('');
    const xlsx = zipSync(
      {
        '[Content_Types].xml': enc(
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        ),
        'xl/workbook.xml': enc('<workbook><sheets/></workbook>'),
        'xl/sharedStrings.xml': enc(`<sst>${strings}</sst>`),
      },
      { level: 1 },
    );
    const dir = tempTree({
      'a-ok.txt': 'CPR 150387-1236\n',
      'big.xlsx': xlsx,
      'z-ok.txt': 'Tlf. 21 43 65 87\n',
    });
    const out = join(tempTree(), 'scan.json');
    const r = runCli(
      ['scan', dir, '--subject', writeSubject(tempTree()), '--out', out, '-j', '1', '--no-progress'],
      {
        env: { ...process.env, DSR_WORKER_HEAP_MB: '48' },
      },
    );
    expect(r.code, r.stderr).toBe(3);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanFile;
    expect(scan.errors.map((e) => `${basename(e.path)} ${e.kind} ${e.message}`)).toEqual([
      "big.xlsx limit ran out of the worker's memory cap of 48 MB; not read",
    ]);
    expect(scan.findings.map((f) => `${basename(f.path)} ${f.detector}`).sort()).toEqual([
      'a-ok.txt cpr',
      'z-ok.txt phone',
    ]);
  }, 60_000);
});

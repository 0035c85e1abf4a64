import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { strToU8, unzipSync, Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { editContainer, type MemberEdit } from '../../src/erase/container/nested.js';
import { redactXml } from '../../src/erase/container/office-redact.js';
import { readTarMembers } from '../../src/erase/container/tar-write.js';
import { readZipLayout } from '../../src/erase/container/zip-write.js';
import { findSubjectSpans } from '../../src/erase/identifiers.js';
import { ActionSkipped } from '../../src/erase/safety.js';
import { compileSubject } from '../../src/match/subject.js';
import { tempTree } from '../helpers/cli.js';
import { SUBJECT, sha256 } from '../helpers/erase.js';

const subject = compileSubject(SUBJECT);
const find = (text: string, structured?: boolean) => findSubjectSpans(text, subject, structured);
const placeholder = (s: { detector: string }) => `[REDACTED-${s.detector.toUpperCase()}]`;
const upper: MemberEdit['change'] = { redact: async (c) => Buffer.from(c.toString().toUpperCase()) };

/** A zip written as a stream: every member followed by a data descriptor (flag bit 3), as many tools write. */
function streamedZip(files: Record<string, string>, stored: string[] = []): Buffer {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    chunks.push(data);
  });
  for (const [name, text] of Object.entries(files)) {
    const f = stored.includes(name) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    f.mtime = new Date('2026-03-02T09:00:00Z');
    zip.add(f);
    f.push(strToU8(text), true);
  }
  zip.end();
  return Buffer.concat(chunks);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ActionSkipped) return `${err.result}: ${err.message}`;
    throw err;
  }
  return 'not refused';
}

describe('zip rewrite', () => {
  it('copies every other member byte for byte (data descriptors too), keeps a stored member stored, and 7z tests it clean', async () => {
    const data = streamedZip(
      { mimetype: 'application/x-test', 'a.txt': 'alpha', 'b.txt': 'beta', 'c.txt': 'gamma' },
      ['mimetype'],
    );
    const before = readZipLayout(data);
    expect(before.members.every((m) => m.flags & 8)).toBe(true);
    const out = await editContainer(data, [
      { itemPath: ['member a.txt'], change: upper },
      { itemPath: ['member mimetype'], change: upper },
      { itemPath: ['member c.txt'], change: 'remove' },
    ]);
    const after = readZipLayout(out);
    expect(after.members.map((m) => m.name)).toEqual(['mimetype', 'a.txt', 'b.txt']);
    const raw = (buf: Buffer, l: typeof before, name: string) => {
      const m = l.members.find((x) => x.name === name)!;
      return sha256(buf.subarray(m.localOffset, m.localEnd));
    };
    expect(raw(out, after, 'b.txt')).toBe(raw(data, before, 'b.txt'));
    expect(after.members.find((m) => m.name === 'mimetype')!.method).toBe(0);
    expect(after.members.find((m) => m.name === 'a.txt')!.method).toBe(8);
    // Time stamp of the changed member kept.
    const time = (buf: Buffer, l: typeof before) => {
      const m = l.members.find((x) => x.name === 'a.txt')!;
      return buf.subarray(m.localOffset + 10, m.localOffset + 14).toString('hex');
    };
    expect(time(out, after)).toBe(time(data, before));
    const files = unzipSync(out);
    expect(Buffer.from(files['a.txt']).toString()).toBe('ALPHA');
    expect(Buffer.from(files['b.txt']).toString()).toBe('beta');
    const path = join(tempTree(), 'out.zip');
    writeFileSync(path, out);
    const t = spawnSync('7z', ['t', path], { encoding: 'utf8' });
    expect(t.status, t.stdout).toBe(0);
    expect(t.stdout).toContain('Everything is Ok');
  });

  it('refuses what it cannot rewrite safely: zip64, data before the first member, an encrypted or lying member, a member changed since the scan', async () => {
    const data = Buffer.from(zipSync({ 'a.txt': strToU8('alpha'), 'b.txt': strToU8('beta') }));
    const zip64 = Buffer.from(data);
    const eocd = zip64.lastIndexOf(Buffer.from([0x50, 0x4b, 5, 6]));
    zip64.writeUInt16LE(0xffff, eocd + 8);
    zip64.writeUInt16LE(0xffff, eocd + 10);
    expect(await refusal(editContainer(zip64, [{ itemPath: ['member a.txt'], change: upper }]))).toMatch(
      /^refused: .*zip64/,
    );
    const prefixed = Buffer.concat([Buffer.from('MZ self-extractor stub'), data]);
    expect(await refusal(editContainer(prefixed, [{ itemPath: ['member a.txt'], change: upper }]))).toMatch(
      /^refused/,
    );
    const encrypted = Buffer.from(data);
    const layout = readZipLayout(encrypted);
    const a = layout.members.find((m) => m.name === 'a.txt')!;
    encrypted.writeUInt16LE(a.flags | 1, a.localOffset + 6);
    encrypted.writeUInt16LE(a.flags | 1, layout.directoryStart + 8);
    expect(await refusal(editContainer(encrypted, [{ itemPath: ['member a.txt'], change: upper }]))).toMatch(
      /^refused: .*encrypted/,
    );
    const lying = Buffer.from(zipSync({ 'a.txt': strToU8('alpha '.repeat(50)) }));
    lying.writeUInt32LE(10, readZipLayout(lying).directoryStart + 24);
    expect(await refusal(editContainer(lying, [{ itemPath: ['member a.txt'], change: upper }]))).toMatch(
      /^refused: .*declared size/,
    );
    expect(
      await refusal(
        editContainer(data, [{ itemPath: ['member a.txt'], sha256: sha256('other'), change: upper }]),
      ),
    ).toMatch(/^stale: .*changed since the scan/);
    expect(await refusal(editContainer(data, [{ itemPath: ['member gone.txt'], change: 'remove' }]))).toMatch(
      /^stale: .*no longer in the archive/,
    );
  });
});

function ustar(name: string, body: string, type = '0'): Buffer {
  const data = Buffer.from(body);
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('15000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

describe('tar and gzip rewrite', () => {
  it('rewrites a tar member (size and checksum set, the rest of its header kept) and removes another; GNU tar reads it', async () => {
    const data = Buffer.concat([
      ustar('a.txt', 'alpha'),
      ustar('b.txt', 'beta'),
      ustar('c.txt', 'x'.repeat(700)),
      Buffer.alloc(1024),
    ]);
    const out = await editContainer(data, [
      { itemPath: ['member c.txt'], change: upper },
      { itemPath: ['member a.txt'], change: 'remove' },
    ]);
    const members = readTarMembers(out);
    expect(members.map((m) => [m.name, m.size])).toEqual([
      ['b.txt', 4],
      ['c.txt', 700],
    ]);
    expect(out.subarray(0, 1024)).toEqual(data.subarray(1024, 2048));
    const path = join(tempTree(), 'out.tar');
    writeFileSync(path, out);
    const t = spawnSync('tar', ['-tvf', path], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/c\.txt/);
  });

  it('refuses a tar member whose size a pax header sets', async () => {
    const pax = '20 size=0000000005\n';
    const data = Buffer.concat([
      ustar('PaxHeader/a.txt', pax, 'x'),
      ustar('a.txt', 'alpha'),
      Buffer.alloc(1024),
    ]);
    expect(await refusal(editContainer(data, [{ itemPath: ['member a.txt'], change: upper }]))).toMatch(
      /pax header/,
    );
  });

  it('redacts the one file in a .gz behind its own header (stored name, time stamp); removing it is refused', async () => {
    const gz = gzipSync('Mail soren.ostergard@example.dk\n');
    // A header with a stored file name (FNAME) and a time stamp, as gzip writes it.
    const header = Buffer.from([0x1f, 0x8b, 8, 8, 1, 2, 3, 4, 0, 3, ...Buffer.from('mail.txt\0')]);
    const data = Buffer.concat([header, gz.subarray(10)]);
    const out = await editContainer(data, [{ itemPath: ['member mail.txt'], change: upper }]);
    expect(out.subarray(0, header.length)).toEqual(header);
    expect(gunzipSync(out).toString()).toBe('MAIL SOREN.OSTERGARD@EXAMPLE.DK\n');
    expect(await refusal(editContainer(data, [{ itemPath: ['member mail.txt'], change: 'remove' }]))).toMatch(
      /deleting the file/,
    );
  });
});

describe('Office XML redaction', () => {
  it('replaces a name split over runs at its first run and cuts the rest, keeping the spaces left; other text and markup stay', () => {
    const xml =
      '<w:p><w:r><w:t xml:space="preserve">Deltager: </w:t></w:r><w:r><w:t>Sø</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ren Kjærgaard Østergård og Jens</w:t></w:r></w:p>';
    const found: unknown[] = [];
    const out = redactXml(xml, find, placeholder, found as never[]);
    expect(out).toBe(
      '<w:p><w:r><w:t xml:space="preserve">Deltager: </w:t></w:r><w:r><w:t>[REDACTED-NAME]</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> og Jens</w:t></w:r></w:p>',
    );
    expect(found).toHaveLength(1);
  });

  it('redacts comment and revision authors and mailto: targets (percent-encoded too), and leaves formulas alone', () => {
    const found: never[] = [];
    expect(
      redactXml(
        '<w:comment w:id="0" w:author="Søren Kjærgaard Østergård" w:date="2026"/>',
        find,
        placeholder,
        found,
      ),
    ).toBe('<w:comment w:id="0" w:author="[REDACTED-NAME]" w:date="2026"/>');
    expect(
      redactXml(
        '<Relationship Id="rId1" Target="mailto:soren.ostergard%40example.dk" TargetMode="External"/>',
        find,
        placeholder,
        found,
      ),
    ).toBe('<Relationship Id="rId1" Target="mailto:[REDACTED-EMAIL]" TargetMode="External"/>');
    // A sheet name may not hold brackets; a threaded comment's person is named in displayName.
    expect(redactXml('<sheet name="Søren Kjærgaard Østergård" sheetId="2"/>', find, placeholder, found)).toBe(
      '<sheet name="REDACTED-NAME" sheetId="2"/>',
    );
    expect(
      redactXml('<person displayName="Søren Kjærgaard Østergård" id="{1}"/>', find, placeholder, found),
    ).toBe('<person displayName="[REDACTED-NAME]" id="{1}"/>');
    const formula = '<c r="A1"><f>"soren.ostergard@example.dk"</f></c>';
    expect(redactXml(formula, find, placeholder, found)).toBe(formula);
  });
});

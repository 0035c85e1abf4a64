import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { DOCS, errorLines, findingLines, HOSTILE, scanFile } from '../helpers/documents-scan.js';
import { inPrivateTmpdir } from '../helpers/private-tmpdir.js';

const NAME = 'Søren Kjærgaard Østergård';
const EMAIL = 'soren.ostergard@example.dk';
const PHONE = '+4521436587';
const CPR = '150387-1236';
const enc = (s: string) => new TextEncoder().encode(s);

describe('zip', () => {
  it('reads every member, nested zips and documents inside them, naming each `member <path>`', async () => {
    const r = await scanFile(join(DOCS, 'bundle.zip'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      `member docs/notes.docx | cpr | ${CPR} | body`,
      `member docs/notes.docx | email | ${EMAIL} | header1`,
      `member docs/notes.docx | email | ${EMAIL} | links`,
      'member docs/notes.docx | name | Søren K. Østergård | comments',
      `member docs/notes.docx | name | ${NAME} | body`,
      `member docs/notes.docx | name | ${NAME} | properties`,
      `member docs/notes.docx | phone | ${PHONE} | footnotes`,
      `member inner.zip › member cv.pdf | name | ${NAME} | pdf:info`,
      `member inner.zip › member cv.pdf › page 2 | cpr | ${CPR} | page 2`,
      `member inner.zip › member cv.pdf › page 2 | name | ${NAME} | page 2`,
      `member inner.zip › member cv.pdf › page 3 | email | ${EMAIL} | page 3`,
      `member inner.zip › member deep/contact.txt | email | ${EMAIL} | body`,
    ]);
    expect(r.items.map((i) => `${i.itemPath.join(' › ')} ${i.format}`).sort()).toEqual([
      'member docs/notes.docx office',
      'member inner.zip › member cv.pdf pdf',
      'member inner.zip › member deep/contact.txt text',
    ]);
    // A member's fingerprint says where its bytes sit in the archive.
    const docx = r.items.find((i) => i.itemPath[0] === 'member docs/notes.docx')!;
    expect(docx.fingerprint.offset).toBe(0);
    expect(docx.fingerprint.length).toBeGreaterThan(1000);
    expect(docx.fingerprint.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.itemCount).toBe(6);
  });

  it('reads no more than --max-members members and says so', async () => {
    const r = await scanFile(join(DOCS, 'bundle.zip'), { limits: { maxMembers: 1 } });
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/more than 1 members/);
    expect(new Set(r.findings.map((f) => f.itemPath[0]))).toEqual(new Set(['member docs/notes.docx']));
  });
});

describe('tar and gzip', () => {
  it('.tar.gz: members by their path in the tar', async () => {
    const r = await scanFile(join(DOCS, 'backup.tar.gz'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      `member home/soren/todo.txt | cpr | ${CPR} | body`,
      `member home/soren/todo.txt | name | ${NAME} | body`,
    ]);
    expect(r.itemCount).toBe(3);
  });

  it('.gz: the one file inside, named from the gzip header', async () => {
    const r = await scanFile(join(DOCS, 'letter.txt.gz'));
    expect(findingLines(r)).toEqual([
      `member letter.txt | name | ${NAME} | body`,
      `member letter.txt | phone | ${PHONE} | body`,
    ]);
  });
});

describe('a large .gz', () => {
  const lines = Array.from(
    { length: 60_000 },
    (_, i) => `2024-03-01 INFO kunde ${i} logget ind fra 10.0.${i % 256}.1`,
  );
  const text = `${lines.join('\n')}\nCPR ${CPR}\n`;
  const gz = gzipSync(enc(text), { level: 6 });

  it('is inflated to a private temporary file, not into memory: plain text over --max-extract-bytes is read', async () => {
    const dir = tempTree({ 'app.log.gz': gz });
    const { result: r, left } = await inPrivateTmpdir(() =>
      scanFile(join(dir, 'app.log.gz'), { limits: { maxExtractBytes: 1024 * 1024 } }),
    );
    expect(errorLines(r)).toEqual([]);
    const cpr = r.findings.find((f) => f.detector === 'cpr');
    expect(cpr?.itemPath).toEqual(['member app.log']);
    expect(cpr?.location).toMatchObject({ line: 60_001, column: 5, offset: text.indexOf(CPR) });
    // The member is fingerprinted as nested bytes (length and hash of the content), not as the temporary file.
    const item = r.items.find((i) => i.itemPath[0] === 'member app.log')!;
    expect(item.fingerprint).toEqual({
      length: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    // And the temporary file is gone.
    expect(left).toEqual([]);
  });

  it('stops at the inflation budget', async () => {
    const dir = tempTree({ 'app.log.gz': gz });
    const r = await scanFile(join(dir, 'app.log.gz'), { limits: { maxInflatedBytes: 1024 * 1024 } });
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.findings.filter((f) => f.location.field !== 'path')).toEqual([]);
  });
});

describe('archive limits: each breach an error naming the member, the rest still read', () => {
  it('a member over the compression ratio (zip bomb) is refused; its sibling is read', async () => {
    const r = await scanFile(join(HOSTILE, 'bomb.zip'));
    expect(errorLines(r)).toEqual(['member zeros.bin | limit']);
    expect(r.errors[0].message).toMatch(/compression ratio 1024:1 exceeds 100:1/);
    expect(findingLines(r)).toEqual([`member ok.txt | cpr | ${CPR} | body`]);
  });

  it('with a higher --max-ratio the same member is read', async () => {
    const r = await scanFile(join(HOSTILE, 'bomb.zip'), { limits: { maxRatio: 2000 } });
    expect(errorLines(r)).toEqual([]);
    expect(r.itemCount).toBe(3);
  });

  it('past --max-inflated-bytes for the top-level file, the member that would pass it is named', async () => {
    const r = await scanFile(join(HOSTILE, 'bomb.zip'), {
      limits: { maxRatio: 2000, maxInflatedBytes: 1 << 20 },
    });
    expect(errorLines(r)).toEqual(['member zeros.bin | limit']);
    expect(r.errors[0].message).toMatch(/more than 1048576 bytes inflated/);
  });

  it('overlapping-entry bomb: entries sharing bytes are refused, the distinct ones read', async () => {
    const r = await scanFile(join(HOSTILE, 'overlap.zip'));
    expect(errorLines(r)).toEqual(['member copy1.txt | limit', 'member copy2.txt | limit']);
    expect(r.errors[0].message).toMatch(/overlapping-entry zip bomb/);
    expect(findingLines(r)).toEqual([`member ok.txt | phone | ${PHONE} | body`]);
    expect(r.itemCount).toBe(3);
  });

  it('nesting deeper than --max-depth is refused at the level that passes it', async () => {
    const r = await scanFile(join(HOSTILE, 'deep.zip'));
    expect(errorLines(r)).toEqual([
      'member d1.zip › member d2.zip › member d3.zip › member d4.zip › member d5.zip › member d6.zip | limit',
    ]);
    expect(findingLines(r)).toEqual([`member note.txt | email | ${EMAIL} | body`]);
    const deeper = await scanFile(join(HOSTILE, 'deep.zip'), { limits: { maxDepth: 7 } });
    expect(errorLines(deeper)).toEqual([]);
    expect(findingLines(deeper)).toContain(
      `member d1.zip › member d2.zip › member d3.zip › member d4.zip › member d5.zip › member d6.zip › member secret.txt | cpr | ${CPR} | body`,
    );
  });

  it('a truncated zip: members before the cut are recovered, the cut one and the archive are errors', async () => {
    const r = await scanFile(join(HOSTILE, 'truncated.zip'));
    expect(errorLines(r)).toEqual([' | corrupt', 'member c.txt | corrupt']);
    expect(findingLines(r)).toEqual([`member a.txt | cpr | ${CPR} | body`]);
  });
});

describe('archive members that cannot be read', () => {
  it('an encrypted zip member is an `encrypted` error on that member; the others are read', async () => {
    const zip = Buffer.from(
      zipSync(
        { 'secret.txt': enc('CPR 150387-1236'), 'open.txt': enc(`Mail ${EMAIL}`) },
        { mtime: new Date('2026-01-01') },
      ),
    );
    // Set the "encrypted" flag of secret.txt in its local header and its directory entry.
    zip[6] |= 1;
    zip[zip.indexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 8] |= 1;
    const dir = tempTree({ 'locked.zip': zip });
    const r = await scanFile(join(dir, 'locked.zip'));
    expect(errorLines(r)).toEqual(['member secret.txt | encrypted']);
    expect(findingLines(r)).toEqual([`member open.txt | email | ${EMAIL} | body`]);
  });

  it('a gzip bomb is refused by the ratio limit; a truncated gzip is corrupt', async () => {
    const bomb = gzipSync(new Uint8Array(20 * 1024 * 1024), { level: 9 });
    const ok = gzipSync(enc(`CPR ${CPR}`));
    const dir = tempTree({ 'zeros.bin.gz': bomb, 'cut.txt.gz': ok.subarray(0, ok.length - 6) });
    const r = await scanFile(join(dir, 'zeros.bin.gz'));
    expect(errorLines(r)).toEqual([' | limit']);
    expect(r.errors[0].message).toMatch(/ratio over 100:1/);
    expect(errorLines(await scanFile(join(dir, 'cut.txt.gz')))).toEqual([' | corrupt']);
  });
});

describe('zip layout variants', () => {
  it('a zip with data prepended (a self-extractor stub) is read, offsets corrected', async () => {
    const zip = readFileSync(join(DOCS, 'bundle.zip'));
    const dir = tempTree({ 'setup.zip': Buffer.concat([Buffer.alloc(4096, 0x90), zip]) });
    const r = await scanFile(join(dir, 'setup.zip'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual(findingLines(await scanFile(join(DOCS, 'bundle.zip'))));
  });

  it('an item without a name is recognised as zip, Office or PDF by its first bytes', async () => {
    const dir = tempTree({
      attachment1: readFileSync(join(DOCS, 'notes.docx')),
      attachment2: readFileSync(join(DOCS, 'bundle.zip')),
      attachment3: readFileSync(join(DOCS, 'cv.pdf')),
    });
    expect((await scanFile(join(dir, 'attachment1'))).items.map((i) => i.format)).toEqual(['zip']);
    expect(findingLines(await scanFile(join(dir, 'attachment1')))).toContain(` | cpr | ${CPR} | body`);
    expect((await scanFile(join(dir, 'attachment2'))).findings.length).toBeGreaterThan(5);
    expect((await scanFile(join(dir, 'attachment3'))).items.map((i) => i.format)).toEqual(['pdf']);
  });
});

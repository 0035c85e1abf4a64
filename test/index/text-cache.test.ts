import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { type OpenIndex, textCacheOf } from '../../src/index/index-file.js';
import { loadKey } from '../../src/index/keys.js';
import { SealedFolder, type SealedFolderRef } from '../../src/io/sealed-folder.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * The index keeps the text of costly documents (PDF, Office) in `INDEX.text/`, so that `scan --index`
 * answers an unchanged candidate from it instead of parsing the file again; its findings stay those of
 * a full scan. What is kept is sealed: the folder holds no identifier, text or name in clear.
 */

const DOCUMENTS = [
  'documents/cv.pdf',
  'documents/report-xmp.pdf',
  'documents/notes.docx',
  'documents/customers.xlsx',
  'documents/slides.pptx',
  'documents/minutes.odt',
  'documents/budget.ods',
  'documents/talk.odp',
  'documents/bundle.zip',
  'formats/notes.doc',
  'formats/kunder.xls',
  'formats/slides.ppt',
];
/** Top-level files of a costly format (the zip is not one: its members are read as they are). */
const COSTLY = DOCUMENTS.length - 1;

function setup() {
  const dir = tempTree();
  const root = join(dir, 'tree');
  mkdirSync(root);
  for (const rel of DOCUMENTS) copyFileSync(join(PROJECT, 'fixtures', rel), join(root, rel.split('/')[1]));
  return { dir, root, subject: writeSubject(dir), index: join(dir, 'idx.db') };
}

function scan(root: string, subject: string, out: string, index?: string): ScanFile {
  const r = runCli([
    'scan',
    root,
    '--subject',
    subject,
    '--out',
    out,
    '--no-progress',
    ...(index ? ['--index', index] : []),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as ScanFile;
}

/** Findings whole (ids, locations, contexts), in a stable order. */
function findings(s: ScanFile): string[] {
  return s.findings.map((f) => JSON.stringify(f)).sort();
}

function items(s: ScanFile): string[] {
  return s.items.map(({ scannedAt: _at, ...rest }) => JSON.stringify(rest)).sort();
}

async function cacheOf(
  index: string,
): Promise<{ ref: SealedFolderRef; folder: SealedFolder; names: string[] }> {
  const key = await loadKey(`${index}.key`);
  const ref = textCacheOf({ path: index, key } as OpenIndex);
  return { ref, folder: new SealedFolder(ref), names: readdirSync(ref.dir).sort() };
}

interface Kept {
  format: string;
  texts: { text?: string; pieces?: string[] }[];
}

/** An entry's kept text (deflated, then sealed). */
function opened(folder: SealedFolder, name: string): Kept | undefined {
  const sealed = folder.get(name);
  return sealed && (JSON.parse(inflateRawSync(sealed).toString('utf8')) as Kept);
}

function keep(folder: SealedFolder, name: string, kept: Kept): void {
  folder.put(name, deflateRawSync(JSON.stringify(kept)));
}

/** The name of the entry whose text holds `marker`. */
function entryHolding(folder: SealedFolder, names: string[], marker: string): string {
  const found = names.filter((n) => JSON.stringify(opened(folder, n)).includes(marker));
  expect(found).toHaveLength(1);
  return found[0];
}

/** Replaces an entry's text with one line naming the subject and `planted`. */
function plant(folder: SealedFolder, name: string): void {
  const kept = opened(folder, name)!;
  kept.texts = [{ text: 'planted: Søren Kjærgaard Østergård, CPR 150387-1236' }];
  keep(folder, name, kept);
}

const planted = (s: ScanFile) => s.findings.filter((f) => f.context.includes('planted')).length;

describe('the text of costly documents kept by the index (built CLI)', { timeout: 240_000 }, () => {
  it('answers unchanged document candidates from their kept text, with the findings of a full scan', async () => {
    const { dir, root, subject, index } = setup();
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const { ref, folder, names } = await cacheOf(index);
    expect(names).toHaveLength(COSTLY);
    expect(statSync(ref.dir).mode & 0o777).toBe(0o700);
    for (const n of names) expect(statSync(join(ref.dir, n)).mode & 0o777).toBe(0o600);

    const full = scan(root, subject, join(dir, 'full.json'));
    const fast = scan(root, subject, join(dir, 'fast.json'), index);
    expect(full.findings.length).toBeGreaterThan(40);
    expect(fast.index).toEqual({ candidates: DOCUMENTS.length, changed: 0, added: 0, unchanged: 0 });
    expect(findings(fast)).toEqual(findings(full));
    expect(items(fast)).toEqual(items(full));
    expect(fast.stats).toEqual(full.stats);

    // The query read the kept text, not the file: text planted in the entry is what it finds.
    plant(folder, entryHolding(folder, names, 'Curriculum vitae'));
    const answered = scan(root, subject, join(dir, 'planted.json'), index);
    expect(planted(answered)).toBeGreaterThan(0);
    expect(answered.findings.some((f) => f.path.endsWith('cv.pdf') && f.context.includes('Curriculum'))).toBe(
      false,
    );
  });

  it('reads a changed file again, even when its size, mtime and inode are those indexed', async () => {
    const { dir, root, subject, index } = setup();
    // A whole second: set again exactly after the change.
    const cv = join(root, 'cv.pdf');
    utimesSync(cv, 1_700_000_000, 1_700_000_000);
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const { folder, names } = await cacheOf(index);
    plant(folder, entryHolding(folder, names, 'Curriculum vitae'));
    // One byte of the PDF's binary comment line: the same size, the same text, other bytes.
    const before = statSync(cv);
    const bytes = readFileSync(cv);
    expect(bytes[10]).toBe(0x81);
    bytes[10] = 0x82;
    writeFileSync(cv, bytes);
    utimesSync(cv, 1_700_000_000, 1_700_000_000);
    expect(statSync(cv).ino).toBe(before.ino);
    expect(statSync(cv).mtimeMs).toBe(before.mtimeMs);

    const fast = scan(root, subject, join(dir, 'fast.json'), index);
    expect(fast.index).toEqual({ candidates: DOCUMENTS.length, changed: 0, added: 0, unchanged: 0 });
    expect(planted(fast)).toBe(0);
    expect(findings(fast)).toEqual(findings(scan(root, subject, join(dir, 'full.json'))));
  });

  it('reads a file again when its entry is damaged or sealed under another key, and keeps it anew', async () => {
    const { dir, root, subject, index } = setup();
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const { ref, folder, names } = await cacheOf(index);
    const cvEntry = entryHolding(folder, names, 'Curriculum vitae');
    const odpEntry = entryHolding(folder, names, 'Oplæg ved');
    // Foreign: text planted under the right name, but sealed with another key.
    const plain = opened(folder, cvEntry)!;
    plain.texts = [{ text: 'planted: Søren Kjærgaard Østergård, CPR 150387-1236' }];
    keep(new SealedFolder({ dir: ref.dir, key: randomBytes(32).toString('hex') }), cvEntry, plain);
    // Damaged: one byte of the sealed text flipped.
    const path = join(ref.dir, odpEntry);
    const sealed = readFileSync(path);
    sealed[sealed.length - 5] ^= 0xff;
    writeFileSync(path, sealed);
    // Moved: an entry under another entry's name.
    const [a, b] = names.filter((n) => n !== cvEntry && n !== odpEntry);
    copyFileSync(join(ref.dir, a), join(ref.dir, b));
    for (const n of [cvEntry, odpEntry, b]) expect(folder.get(n)).toBeUndefined();

    const fast = scan(root, subject, join(dir, 'fast.json'), index);
    expect(planted(fast)).toBe(0);
    expect(findings(fast)).toEqual(findings(scan(root, subject, join(dir, 'full.json'))));
    // Read again, they are kept again.
    for (const n of [cvEntry, odpEntry, b]) expect(folder.get(n)).toBeDefined();
  });

  it('holds no identifier, text or file name in clear', async () => {
    const { root, index } = setup();
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const { ref, names } = await cacheOf(index);
    expect(names.length).toBe(COSTLY);
    const bytes = Buffer.concat([
      Buffer.from(names.join('\n')),
      ...names.map((n) => readFileSync(join(ref.dir, n))),
    ]);
    const needles = [
      'Søren',
      'Soeren',
      'Østergård',
      'Ostergard',
      'ostergard',
      'Kjærgaard',
      'Mette',
      'Hansen',
      '150387',
      '1503871236',
      '21436587',
      '21 43 65 87',
      'example.dk',
      'example.com',
      'Curriculum',
      'Anbefalet',
      'cv.pdf',
      'notes',
      'docx',
    ];
    for (const needle of needles)
      for (const enc of ['utf8', 'utf16le', 'latin1'] as const)
        expect(bytes.includes(Buffer.from(needle, enc)), `${needle} (${enc}) in the text cache`).toBe(false);
  });

  it('goes with its index: a new index at the same path starts without the old one’s entries', async () => {
    const { root, index } = setup();
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const old = await cacheOf(index);
    expect(old.names).toHaveLength(COSTLY);
    writeFileSync(join(old.ref.dir, 'not-an-entry'), 'kept');
    for (const f of [index, `${index}.key`, `${index}-wal`, `${index}-shm`]) rmSync(f, { force: true });
    expect(runCli(['index', root, '--index', index, '--no-progress']).code).toBe(0);
    const fresh = await cacheOf(index);
    expect(fresh.names.filter((n) => n !== 'not-an-entry')).toHaveLength(COSTLY);
    expect(fresh.names.filter((n) => old.names.includes(n))).toEqual([]);
    expect(fresh.names).toContain('not-an-entry');
  });
});

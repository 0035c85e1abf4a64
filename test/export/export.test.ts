import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CV, itemAt, MBOX, type ScannedTree, scannedTree, writeReview } from '../helpers/report-tree.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

interface Manifest {
  schema: string;
  scanId: string;
  items: {
    id: string;
    file: string;
    original: { path: string; itemPath: string[] };
    categories: string[];
    sha256: string;
    sourceSha256: string;
    size: number;
    changed: string | null;
    copy: string;
    note: string;
  }[];
  unredacted: boolean;
  notExported: { id: string; reason: string; message: string; original: { path: string } }[];
}

function unzip(path: string): { files: Record<string, Uint8Array>; manifest: Manifest } {
  const files = unzipSync(readFileSync(path));
  return { files, manifest: JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')) as Manifest };
}

describe('dsr export', () => {
  let tree: ScannedTree;
  beforeAll(() => {
    tree = scannedTree();
    // Reviewed: the report is no draft, so nothing needs a warning.
    writeReview(tree, {
      [itemAt(tree, 'misc/meeting.txt').id]: 'exclude',
      [itemAt(tree, 'misc/namesake.txt').id]: 'namesake',
    });
  });

  it('--unredacted zips a copy of every reported item in its natural form, with manifest and report', () => {
    const out = join(tree.dir, 'subject-export.zip');
    const r = runCli(['export', tree.scanPath, '--out', out, '--unredacted']);
    expect(r.stderr).toBe(
      'Warning: --unredacted: the copies are raw and may disclose other people\'s CPR numbers, e-mail addresses and phone numbers (GDPR art. 15(4)); manifest.json says "unredacted": true.\n',
    );
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const { files, manifest } = unzip(out);
    expect(manifest.schema).toBe('dsr.export/1');
    expect(manifest.scanId).toBe(tree.scan.scanId);
    expect(manifest.notExported).toEqual([]);
    expect(manifest.unredacted).toBe(true);
    for (const i of manifest.items)
      expect([i.copy, i.note]).toEqual([
        'raw',
        "raw copy: other people's identifiers not masked (--unredacted)",
      ]);
    const report = JSON.parse(Buffer.from(files['report.json']).toString('utf8'));
    expect(report.schema).toBe('dsr.report/1');
    expect(Buffer.from(files['report.html']).toString('utf8')).toContain('<!doctype html>');
    // Exactly the reported items: confirmed ones; the possible and namesake ones stay out.
    expect(manifest.items.map((i) => i.id).sort()).toEqual(
      report.items.map((i: { id: string }) => i.id).sort(),
    );
    expect(manifest.items).toHaveLength(4);

    for (const entry of manifest.items) {
      const copy = files[entry.file];
      expect(copy, entry.file).toBeDefined();
      expect(sha(copy)).toBe(entry.sha256);
      expect(copy.length).toBe(entry.size);
      const scanned = tree.scan.items.find((i) => i.id === entry.id)!;
      expect(entry.sourceSha256).toBe(scanned.fingerprint.sha256);
    }
    const byPath = (rel: string, itemPath: string[] = []) => {
      const id = itemAt(tree, rel, itemPath).id;
      return manifest.items.find((i) => i.id === id)!;
    };
    // A file as is.
    const contract = byPath('hr/contract.txt');
    expect(contract.file).toMatch(/^items\/\d{3}-contract\.txt$/);
    expect(contract.sha256).toBe(sha(readFileSync(join(tree.root, 'hr/contract.txt'))));
    expect(contract.categories).toEqual(['name', 'email', 'phone', 'cpr']);
    // An archive member as its own file, byte for byte.
    const member = byPath('archive/old.zip', ['member docs/cv.txt']);
    expect(member.file).toMatch(/^items\/\d{3}-cv\.txt$/);
    expect(Buffer.from(files[member.file]).toString('utf8')).toBe(CV);
    expect(member.sha256).toBe(sha(CV));
    // An mbox message as .eml: its bytes in the mbox without the `From ` separator line.
    const message = byPath('mail/inbox.mbox', ['message <ferie-1@example.dk>']);
    expect(message.file).toMatch(/^items\/\d{3}-ferie-1@example\.dk\.eml$/);
    const fp = itemAt(tree, 'mail/inbox.mbox', ['message <ferie-1@example.dk>']).fingerprint;
    const raw = readFileSync(join(tree.root, 'mail/inbox.mbox')).subarray(
      fp.offset!,
      fp.offset! + fp.length!,
    );
    expect(sha(raw)).toBe(message.sourceSha256);
    const eml = Buffer.from(files[message.file]).toString('utf8');
    expect(eml.startsWith('From: =?utf-8?Q?S=C3=B8ren?= <soren.ostergard@example.dk>\n')).toBe(true);
    expect(eml).toContain('Hej, ring på 21 43 65 87');
    expect(eml).not.toContain('Frokost');
    expect(MBOX.indexOf(eml)).toBeGreaterThan(0);
  });

  it('leaves out a changed item, lists it and exits 3; --allow-changed copies it as it is now', () => {
    const contractPath = join(tree.root, 'hr/contract.txt');
    appendFileSync(contractPath, 'Tilføjet efter scanningen.\n');
    const contract = itemAt(tree, 'hr/contract.txt');

    const out = join(tree.dir, 'changed.zip');
    const r = runCli(['export', tree.scanPath, '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('changed');
    expect(r.stderr).toContain(contractPath);
    expect(r.stderr).toContain('--allow-changed');
    const { files, manifest } = unzip(out);
    expect(manifest.notExported).toEqual([
      expect.objectContaining({
        id: contract.id,
        reason: 'changed',
        message: expect.stringContaining('size'),
      }),
    ]);
    expect(manifest.items.map((i) => i.id)).not.toContain(contract.id);
    expect(Object.keys(files).some((f) => f.endsWith('contract.txt'))).toBe(false);
    expect(manifest.items).toHaveLength(3);

    // The zip exists now: no overwrite without --force.
    const again = runCli(['export', tree.scanPath, '--out', out, '--allow-changed']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');

    const allowed = runCli(['export', tree.scanPath, '--out', out, '--allow-changed', '--force']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    const after = unzip(out);
    const copy = after.manifest.items.find((i) => i.id === contract.id)!;
    expect(copy.changed).toMatch(/size \d+ -> \d+ bytes/);
    // Copied as it is now, a colleague's identifiers masked.
    expect(copy.sourceSha256).toBe(sha(readFileSync(contractPath)));
    expect(copy.copy).toBe('masked');
    expect(Buffer.from(after.files[copy.file]).toString('utf8')).toContain('Tilføjet efter scanningen.');
    expect(sha(after.files[copy.file])).toBe(copy.sha256);
    expect(after.manifest.notExported).toEqual([]);
  });
});

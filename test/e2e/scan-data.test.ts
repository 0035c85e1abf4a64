import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/** Every file under `dir` with its bytes' hash, size and mtime. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f} ${createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex')} ${st.size} ${st.mtimeMs}`;
    });
}

it('databases and 7z/xz/bzip2 archives (built CLI): every file searched or an error; none changed', () => {
  const root = join(tempTree(), 'share');
  cpSync(join(PROJECT, 'fixtures/data'), root, { recursive: true, preserveTimestamps: true });
  const before = snapshot(root);
  const out = join(tempTree(), 'scan.json');
  const r = runCli(['scan', root, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress']);
  expect(r.code, r.stderr).toBe(3);
  const scan: ScanFile = JSON.parse(readFileSync(out, 'utf8'));
  const errors = scan.errors.map((e) => `${basename(e.path)} ${[...e.itemPath, e.kind].join(' › ')}`).sort();
  expect(errors).toEqual([
    'bomb.7z member zeros.bin › limit',
    'encrypted-names.7z encrypted',
    'encrypted.7z member letter.txt › encrypted',
    'zeros.bin.bz2 limit',
    'zeros.bin.xz limit',
  ]);
  const found = new Set(scan.findings.map((f) => basename(f.path)));
  const withErrors = new Set(scan.errors.map((e) => basename(e.path)));
  for (const f of readdirSync(root)) expect(found.has(f) || withErrors.has(f), f).toBe(true);
  // Each row is an item: the subject's row in every copy of the CRM database is confirmed.
  const rows = scan.items.filter((i) => i.itemPath.at(-1) === 'row 17').map((i) => basename(i.path));
  expect(rows.sort()).toEqual(['bundle.7z', 'crm.sqlite', 'kunder-utf16.db', 'wal.sqlite3']);
  expect(snapshot(root)).toEqual(before);
});

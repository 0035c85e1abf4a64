import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTextAtomic } from '../../src/report/atomic.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-atomic-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('writeTextAtomic', () => {
  it('creates a new file whole, mode 0600, and leaves no temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'key');
    await writeTextAtomic(path, 'secret\n', { overwrite: false });
    expect(readFileSync(path, 'utf8')).toBe('secret\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('refuses to replace an existing file when overwrite is false, and keeps it as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'key');
    writeFileSync(path, 'old');
    await expect(writeTextAtomic(path, 'new', { overwrite: false })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('replaces an existing file by default', async () => {
    const dir = tempDir();
    const path = join(dir, 'report');
    writeFileSync(path, 'old');
    await writeTextAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['report']);
  });
});

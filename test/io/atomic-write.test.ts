import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AtomicWriteStep, writeFileAtomic, writeTextAtomic } from '../../src/io/atomic-write.js';

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

describe('writeFileAtomic: the one atomic write (reports, plans, keys, the index, erase rewrites)', () => {
  it('never replaces a symlink or a folder under the name, and leaves no temp file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target'), 'kept');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    mkdirSync(join(dir, 'folder'));
    await expect(writeTextAtomic(join(dir, 'link'), 'new')).rejects.toThrow(/is a symbolic link/);
    await expect(writeTextAtomic(join(dir, 'folder'), 'new')).rejects.toThrow(/is a folder/);
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('kept');
    expect(readdirSync(dir).sort()).toEqual(['folder', 'link', 'target']);
  });

  it('removes its temp file and keeps the old content when the write or the last check fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'plan.json');
    writeFileSync(path, 'old');
    const failing = writeFileAtomic(path, async (fh) => {
      await fh.writeFile('half');
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    const refused = writeTextAtomic(path, 'new', {
      beforeRename: async () => {
        throw new Error('changed meanwhile');
      },
    });
    await expect(refused).rejects.toThrow('changed meanwhile');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('writes at a temp path the caller chose, lets a tool edit it by path, hashes it and reports each step', async () => {
    const dir = tempDir();
    const path = join(dir, 'photo.jpg');
    writeFileSync(path, 'old');
    const temp = join(dir, '.photo.jpg.dsr-0123abcd.jpg');
    const steps: string[] = [];
    const written = await writeFileAtomic(
      path,
      async (fh) => {
        await fh.writeFile('pixels');
      },
      {
        temp,
        edit: async (at) => {
          steps.push(`edit ${readFileSync(at, 'utf8')}`);
          writeFileSync(at, 'pixels, tags removed');
        },
        hash: true,
        beforeRename: async (w) => {
          steps.push(`before rename ${w.size}`);
        },
        onStep: async (step: AtomicWriteStep) => {
          steps.push(step);
        },
      },
    );
    const content = 'pixels, tags removed';
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(written).toEqual({
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(steps).toEqual([
      'edit pixels',
      'temp-written',
      'temp-synced',
      `before rename ${content.length}`,
      'renamed',
      'dir-synced',
    ]);
    expect(readdirSync(dir)).toEqual(['photo.jpg']);
  });
});

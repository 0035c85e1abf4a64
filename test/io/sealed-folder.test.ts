import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SealedFolder } from '../../src/io/sealed-folder.js';
import { tempTree } from '../helpers/cli.js';

const keyHex = () => randomBytes(32).toString('hex');

describe('SealedFolder', () => {
  it('gives back what was put, from a private folder that holds nothing of it in clear', () => {
    const dir = join(tempTree(), 'cache');
    const folder = new SealedFolder({ dir, key: keyHex() });
    const name = folder.name('text', 1, 'Søren Østergård');
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    folder.put(name, 'Søren Østergård, CPR 150387-1236');
    expect(folder.get(name)?.toString('utf8')).toBe('Søren Østergård, CPR 150387-1236');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([name]);
    expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    const sealed = readFileSync(join(dir, name));
    for (const needle of ['Søren', 'stergård', '150387'])
      for (const enc of ['utf8', 'utf16le', 'latin1'] as const)
        expect(sealed.includes(Buffer.from(needle, enc))).toBe(false);
  });

  it('names entries by all their parts: no two lists of parts share a name, another key names apart', () => {
    const key = keyHex();
    const folder = new SealedFolder({ dir: tempTree(), key });
    expect(folder.name('a', 'bc')).not.toBe(folder.name('ab', 'c'));
    expect(folder.name('a', 1)).toBe(new SealedFolder({ dir: tempTree(), key }).name('a', 1));
    expect(folder.name('a', 1)).not.toBe(new SealedFolder({ dir: tempTree(), key: keyHex() }).name('a', 1));
  });

  it('reads a missing, damaged, moved or foreign entry as missing', () => {
    const dir = tempTree();
    const folder = new SealedFolder({ dir, key: keyHex() });
    const [a, b, c] = ['a', 'b', 'c'].map((p) => folder.name(p));
    expect(folder.get(a)).toBeUndefined();
    folder.put(a, 'one');
    folder.put(b, 'two');
    // Damaged.
    const bytes = readFileSync(join(dir, b));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(dir, b), bytes);
    expect(folder.get(b)).toBeUndefined();
    // Moved under another name: the name is sealed with the entry.
    copyFileSync(join(dir, a), join(dir, c));
    expect(folder.get(c)).toBeUndefined();
    expect(folder.get(a)?.toString()).toBe('one');
    // Sealed under another key.
    new SealedFolder({ dir, key: keyHex() }).put(a, 'planted');
    expect(folder.get(a)).toBeUndefined();
    // Too short to be an entry.
    writeFileSync(join(dir, a), 'x');
    expect(folder.get(a)).toBeUndefined();
  });

  it('keeps nothing, and throws nothing, where it cannot write', () => {
    const file = join(tempTree(), 'not-a-folder');
    writeFileSync(file, '');
    const folder = new SealedFolder({ dir: file, key: keyHex() });
    const name = folder.name('x');
    expect(() => folder.put(name, 'x')).not.toThrow();
    expect(folder.get(name)).toBeUndefined();
  });
});

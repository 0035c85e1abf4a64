import { describe, expect, it } from 'vitest';
import { displayPath, fsPath, hasRawBytes, nameFromBytes, toBytes } from '../../src/core/raw-path.js';

const bytes = (...b: (number | string)[]) =>
  Buffer.concat(b.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from([x]))));

describe('names that are not valid UTF-8 (raw-path)', () => {
  it('keeps a valid UTF-8 name as it is', () => {
    const name = nameFromBytes(Buffer.from('Søren Østergård.txt'));
    expect(name).toBe('Søren Østergård.txt');
    expect(hasRawBytes(name)).toBe(false);
    expect(fsPath(`/srv/${name}`)).toBe(`/srv/${name}`);
    expect(displayPath(name)).toBe(name);
  });

  it('escapes each byte that is not part of valid UTF-8, and turns it back into the same bytes', () => {
    const cases = [
      bytes('s', 0xf8, 'ren.txt'), // Latin-1 ø
      bytes('S', 0x9b, 'ren.txt'), // CP850 ø
      bytes('ø', 0xe6, 'x'), // valid UTF-8 beside a Latin-1 byte
      bytes(0xc3), // a lead byte at the end
      bytes(0xe0, 0x80, 0x80), // overlong
      bytes(0xed, 0xa0, 0x80), // an encoded surrogate
      bytes(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
      bytes(0xff, 0xfe),
    ];
    for (const raw of cases) {
      const name = nameFromBytes(raw);
      expect(hasRawBytes(name)).toBe(true);
      expect(toBytes(name).equals(raw)).toBe(true);
      expect(Buffer.isBuffer(fsPath(`/srv/${name}`))).toBe(true);
    }
    expect(nameFromBytes(bytes('s', 0xf8, 'ren.txt'))).toBe('s\udcf8ren.txt');
    expect(displayPath(nameFromBytes(bytes('s', 0xf8, 'ren.txt')))).toBe('s\\xF8ren.txt');
    expect(nameFromBytes(bytes('ø', 0xe6, 'x'))).toBe('ø\udce6x');
  });

  it('two names that differ only in such bytes stay different (JSON keeps them exact)', () => {
    const a = nameFromBytes(bytes('s', 0xf8, 'ren'));
    const b = nameFromBytes(bytes('s', 0xe6, 'ren'));
    expect(a).not.toBe(b);
    expect(JSON.stringify(a)).toBe('"s\\udcf8ren"');
    expect(JSON.parse(JSON.stringify(a))).toBe(a);
  });
});

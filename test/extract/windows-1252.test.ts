import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBuffer } from '../../src/extract/text/decode.js';
import { decodeWindows1252, encodeWindows1252 } from '../../src/extract/text/windows-1252.js';

/** The five bytes Windows-1252 leaves undefined: the WHATWG standard reads them as C1 controls. */
const UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('Windows-1252', () => {
  it('reads every byte as the code page says (iconv-lite), the undefined five as C1 controls', () => {
    const text = decodeWindows1252(EVERY_BYTE);
    expect(text).toHaveLength(256);
    for (let b = 0; b < 256; b++) {
      const want = UNDEFINED.includes(b) ? String.fromCharCode(b) : iconv.decode(Buffer.of(b), 'win1252');
      expect(text[b], `byte 0x${b.toString(16)}`).toBe(want);
    }
    expect(decodeWindows1252(Buffer.from([0x80, 0x20, 0x96, 0x20, 0x93, 0x94]))).toBe('€ – “”');
  });

  it('writes every character back to its byte, and refuses a character it has not', () => {
    expect(encodeWindows1252(decodeWindows1252(EVERY_BYTE))?.equals(Buffer.from(EVERY_BYTE))).toBe(true);
    expect(encodeWindows1252('100 € – Østergård')?.equals(iconv.encode('100 € – Østergård', 'win1252'))).toBe(
      true,
    );
    for (const c of ['\u0080', '\u0096', 'ő', '😀', '\u2011'])
      expect(encodeWindows1252(c), c).toBeUndefined();
  });

  it('is how a legacy text file is decoded (not as Latin-1 C1 controls)', () => {
    const bytes = iconv.encode('Pris 100 € – Søren', 'win1252');
    expect(decodeBuffer(bytes)).toEqual({ text: 'Pris 100 € – Søren', encoding: 'windows-1252' });
  });
});

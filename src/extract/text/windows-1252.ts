/**
 * Windows-1252 as the WHATWG Encoding Standard defines it: bytes 0x80–0x9F are `€`, `‚`, `–`, `—`,
 * curly quotes and the like, the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are the
 * C1 control of the same number, and every other byte is the Latin-1 character of its value. Every byte
 * has one character and back, so a file read this way is written back byte for byte.
 *
 * Written here because Node's own TextDecoder('windows-1252') reads bytes 0x80–0x9F as Latin-1 C1
 * controls since 20.18.3 and 22.13.0 (nodejs/node#60888): `€` came out as U+0080, an en dash as U+0096.
 */
const HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];
const DECODED = HIGH.map((c) => String.fromCharCode(c));
const BYTE_OF = new Map(HIGH.map((c, i) => [String.fromCharCode(c), String.fromCharCode(0x80 + i)]));
const C1 = /[\x80-\x9f]/;
const C1_ALL = /[\x80-\x9f]/g;
const NOT_LATIN1 = /[^\x00-\x7f\xa0-\xff]/g;

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return C1.test(latin1) ? latin1.replace(C1_ALL, (c) => DECODED[c.charCodeAt(0) - 0x80]) : latin1;
}

/** The text's Windows-1252 bytes, or undefined when it holds a character the encoding has not. */
export function encodeWindows1252(text: string): Buffer | undefined {
  let unmapped = false;
  const latin1 = text.replace(NOT_LATIN1, (c) => {
    const byte = BYTE_OF.get(c);
    if (byte === undefined) unmapped = true;
    return byte ?? '?';
  });
  return unmapped ? undefined : Buffer.from(latin1, 'latin1');
}

/** A drop-in for `new TextDecoder('windows-1252')`: a one-byte encoding needs no state between pieces. */
export class Windows1252Decoder {
  readonly encoding = 'windows-1252';
  decode(bytes: Uint8Array = new Uint8Array(0), _options?: { stream?: boolean }): string {
    return decodeWindows1252(bytes);
  }
}

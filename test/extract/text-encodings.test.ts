import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { decodeStream, detectEncoding } from '../../src/extract/text/decode.js';
import { SUBJECT } from '../helpers/cli.js';
import { subjectOf } from '../helpers/detector-tester.js';
import { seededRandom } from '../helpers/random.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

const TEXT = 'Kontakt: Søren Østergård\nCPR 150387-1236\n';
const EXPECTED = [
  { detector: 'name', value: 'Søren Østergård', field: 'body', offset: 9, line: 1, column: 10 },
  { detector: 'cpr', value: '150387-1236', field: 'body', offset: 29, line: 2, column: 5 },
];

const utf16le = (s: string) => Buffer.from(s, 'utf16le');
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const cat = (...parts: (number[] | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe('text extraction per encoding', () => {
  it.each([
    ['UTF-8', Buffer.from(TEXT, 'utf8'), 'utf-8', 0],
    ['UTF-8 with BOM', cat([0xef, 0xbb, 0xbf], Buffer.from(TEXT, 'utf8')), 'utf-8', 3],
    ['UTF-16LE with BOM', cat([0xff, 0xfe], utf16le(TEXT)), 'utf-16le', 2],
    ['UTF-16BE with BOM', cat([0xfe, 0xff], utf16be(TEXT)), 'utf-16be', 2],
    ['UTF-16LE without BOM', utf16le(TEXT), 'utf-16le', 0],
    ['UTF-16BE without BOM', utf16be(TEXT), 'utf-16be', 0],
    ['Windows-1252', iconv.encode(TEXT, 'win1252'), 'windows-1252', 0],
    ['decomposed UTF-8 (NFD)', Buffer.from(TEXT.normalize('NFD'), 'utf8'), 'utf-8', 0],
  ])('%s', async (_label, bytes, encoding, bom) => {
    expect(detectEncoding(bytes)).toEqual({ encoding, bom });
    const result = await scanBytes('note.txt', bytes);
    expect(result.skipped).toBeUndefined();
    expect(result.errors).toEqual([]);
    expect(bodyFindings(result)).toEqual(EXPECTED);
  });

  it('reads Østergård from Windows-1252 bytes (Ø = 0xD8, å = 0xE5) with 0x80–0x9F punctuation', async () => {
    const bytes = iconv.encode('Pris 100 € – Søren Østergård', 'win1252');
    expect([...bytes.subarray(18, 28)]).toEqual([0x20, 0xd8, 0x73, 0x74, 0x65, 0x72, 0x67, 0xe5, 0x72, 0x64]);
    expect(bytes.includes(0x80) && bytes.includes(0x96)).toBe(true);
    expect(bodyFindings(await scanBytes('pris.csv', bytes))).toEqual([
      { detector: 'name', value: 'Søren Østergård', field: 'body', offset: 13, line: 1, column: 14 },
    ]);
  });

  it('counts CRLF line ends as one line break', async () => {
    const bytes = Buffer.from('Kontakt: Søren Østergård\r\nCPR 150387-1236\r\n', 'utf8');
    expect(bodyFindings(await scanBytes('crlf.log', bytes))).toEqual([
      EXPECTED[0],
      { ...EXPECTED[1], offset: 30 },
    ]);
  });

  it('reads a file without an extension as text', async () => {
    expect(bodyFindings(await scanBytes('README', TEXT))).toEqual(EXPECTED);
  });
});

describe('UTF-8 that is not UTF-8 all the way', () => {
  const MiB = 1 << 20;
  const ascii = (n: number) =>
    Buffer.from(`${'plain ascii log line\n'.repeat(Math.ceil(n / 21)).slice(0, n - 1)} `);

  it('reads Windows-1252 bytes that appear after a plain-ASCII head', async () => {
    for (const at of [70_000, MiB + 5000]) {
      const bytes = Buffer.concat([ascii(at), iconv.encode('Søren Østergård, CPR 150387-1236\n', 'win1252')]);
      expect(detectEncoding(bytes.subarray(0, 65536))).toEqual({ encoding: 'utf-8', bom: 0 });
      const found = bodyFindings(await scanBytes('legacy.log', bytes));
      expect(
        found.map((f) => [f.detector, f.value, f.offset]),
        String(at),
      ).toEqual([
        ['name', 'Søren Østergård', at],
        ['cpr', '150387-1236', at + 21],
      ]);
    }
  });

  it('keeps the bytes of a cut sequence when the next piece turns out to be Windows-1252', async () => {
    // 0xC3 ends the first 1 MiB piece: a UTF-8 lead byte, but the next byte is a space.
    const bytes = Buffer.concat([
      ascii(MiB - 1),
      Buffer.from([0xc3]),
      iconv.encode(' Søren Østergård', 'win1252'),
    ]);
    const found = bodyFindings(await scanBytes('legacy.txt', bytes));
    expect(found.map((f) => [f.value, f.offset])).toEqual([['Søren Østergård', MiB + 1]]);
  });

  it('decodes a UTF-8 character cut by the 1 MiB read boundary', async () => {
    // The first piece ends inside ø (C3 B8) of "Søren", then inside Ø (C3 98) of "Østergård".
    for (const headLength of [MiB - 2, MiB - 8]) {
      const head = ascii(headLength);
      const bytes = Buffer.concat([head, Buffer.from('Søren Østergård og 150387-1236', 'utf8')]);
      const found = bodyFindings(await scanBytes('utf8.txt', bytes));
      expect(
        found.map((f) => [f.detector, f.value, f.offset]),
        String(headLength),
      ).toEqual([
        ['name', 'Søren Østergård', head.length],
        ['cpr', '150387-1236', head.length + 19],
      ]);
    }
  });

  it('reads a mostly-UTF-8 .html whose tail is Windows-1252', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`<p>${'x '.repeat(40_000)}</p>`),
      iconv.encode('<p>Søren Østergård</p>', 'win1252'),
    ]);
    const found = bodyFindings(await scanBytes('old.html', bytes));
    expect(found.map((f) => f.value)).toEqual(['Søren Østergård']);
  });
});

describe('binary content', () => {
  it.each([
    ['image.bin', cat([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13], Buffer.from(TEXT), [0, 0, 1, 2, 0, 0xff])],
    ['data.txt', cat(Buffer.from(TEXT), [0, 1, 2, 3, 0, 0, 0, 7, 0xfe, 0, 9])],
    ['payload.json', cat([0, 0, 0, 1], Buffer.from(TEXT))],
  ])('%s is skipped, not searched and not an error', async (name, bytes) => {
    expect(detectEncoding(bytes)).toBe('binary');
    const result = await scanBytes(name, bytes);
    expect(result.skipped).toBe('binary');
    expect(result.errors).toEqual([]);
    expect(bodyFindings(result)).toEqual([]);
  });
});

describe('UTF-8 check of a sample that may end inside a character', () => {
  /** The definition: a fatal, streaming decoder accepts the bytes (a cut-off last character is fine). */
  const reference = (bytes: Uint8Array) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
      return 'utf-8';
    } catch {
      return 'windows-1252';
    }
  };
  const text = Buffer.from('Søren Østergård 😀 — €', 'utf8');
  const cuts = Array.from(
    { length: text.length + 1 },
    (_, i) => [`cut at ${i}`, text.subarray(0, i)] as const,
  );
  const bad = [
    ['lone continuation', [0x61, 0x80]],
    ['overlong lead then ASCII', [0x61, 0xc3, 0x41]],
    ['E0 with a too-low second byte at the end', [0x61, 0xe0, 0x80]],
    ['surrogate start at the end', [0x61, 0xed, 0xa0]],
    ['beyond U+10FFFF at the end', [0x61, 0xf4, 0x90]],
    ['C0 overlong at the end', [0x61, 0xc0]],
    ['FF byte', [0x61, 0xff]],
    ['Windows-1252 ø then ASCII', [0xf8, 0x72, 0x65]],
    ['three continuations at the end', [0x61, 0xe2, 0x82, 0xac, 0x82]],
  ].map(([name, b]) => [name as string, Uint8Array.from(b as number[])] as const);

  it.each([...cuts, ...bad])('%s', (_name, bytes) => {
    const guess = detectEncoding(bytes);
    expect(guess === 'binary' ? guess : guess.encoding).toBe(reference(bytes));
  });
});

describe('a text file read from disk in pieces', () => {
  it('finds the same as the whole text in memory, with characters cut at every piece boundary', async () => {
    // 'ø' is two bytes: an odd filler puts one across each 64 KiB boundary; the subject sits on both sides.
    const line = 'Søren Østergård ringede fra 21 43 65 87 om CPR 150387-1236 — ø\n';
    const text = `x${line.repeat(Math.ceil((5 * 65536) / Buffer.byteLength(line)))}`;
    const bytes = Buffer.from(text, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'dsr-pieces-'));
    const path = join(dir, 'big.txt');
    writeFileSync(path, bytes);
    const fromFile = await scanTopLevel(
      {
        ref: { path: '/mem/big.txt', itemPath: [] },
        name: 'big.txt',
        source: { kind: 'file', absPath: path, size: bytes.length },
        depth: 0,
      },
      { subject: subjectOf(SUBJECT), all: false, limits: DEFAULT_LIMITS },
    );
    const inMemory = await scanBytes('big.txt', bytes);
    const found = bodyFindings(fromFile);
    expect(found.length).toBeGreaterThan(3 * 5 * 20);
    expect(found).toEqual(bodyFindings(inMemory));
  });
});

const windows1252 = (bytes: Uint8Array) =>
  [...bytes]
    .map((b) =>
      UNDEFINED_IN_1252.includes(b) ? String.fromCharCode(b) : iconv.decode(Buffer.of(b), 'win1252'),
    )
    .join('');
const UNDEFINED_IN_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

describe('UTF-8 decoded piece by piece', () => {
  /**
   * The definition: each piece by a fatal streaming TextDecoder, one that fails as Windows-1252 (with
   * the bytes of a character the piece before left unfinished); then the end of the stream. Windows-1252
   * as the WHATWG standard maps it (iconv-lite's table; the five bytes it leaves undefined as the C1
   * controls of the same number): Node's own TextDecoder reads 0x80–0x9F as Latin-1 since 20.18.3.
   */
  function reference(input: Uint8Array[]): string {
    const pieces = [...input, new Uint8Array(0)];
    let utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let held: number[] = [];
    let out = '';
    pieces.forEach((piece, i) => {
      const more = i < pieces.length - 1;
      try {
        out += utf8.decode(piece, { stream: more });
        const all = [...held, ...piece];
        held = [];
        // The bytes of a character the piece leaves unfinished.
        for (let back = 1; back <= Math.min(3, all.length); back++) {
          const b = all[all.length - back];
          if (b >= 0xc0) {
            if ((b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > back) held = all.slice(-back);
            break;
          }
          if (b < 0x80) break;
        }
        if (!more) held = [];
      } catch {
        utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
        out += windows1252(Uint8Array.from([...held, ...piece]));
        held = [];
      }
    });
    return out;
  }

  it('is what TextDecoder makes of Danish text cut anywhere, with other characters, a mid-file U+FEFF and bad bytes', async () => {
    const next = seededRandom(17);
    const words = ['Søren ', 'Østergård ', 'æble ', 'plain ', 'line\n', '– ', '€ ', '😀 ', '\ufeff', 'Ærø '];
    let compared = 0;
    for (let round = 0; round < 400; round++) {
      const text = Array.from({ length: 5 + next(40) }, () => words[next(words.length)]).join('');
      const bytes = [...Buffer.from(text, 'utf8')];
      // Now and then a byte that is not UTF-8 (a Windows-1252 'ø').
      if (next(4) === 0) bytes.splice(next(bytes.length), 0, 0xf8);
      // Now and then a file cut off inside its last character.
      if (next(4) === 0) bytes.push(0xc3);
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + next(12);
        pieces.push(Uint8Array.from(bytes.slice(at, at + n)));
        at += n;
      }
      let got = '';
      for await (const piece of decodeStream(
        (async function* () {
          yield* pieces;
        })(),
        'utf-8',
        0,
      ))
        got += piece;
      expect(got, JSON.stringify(bytes)).toBe(reference(pieces));
      compared += got.length;
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});

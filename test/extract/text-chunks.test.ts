import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/core/types.js';
import { CHUNK_CHARS, Chunker, OVERLAP } from '../../src/extract/chunker.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

const REF = { path: '/mem/x.txt', itemPath: [] };

function chunksOf(
  pieces: string[],
  maxChars = Number.POSITIVE_INFINITY,
): { chunks: Chunk[]; truncated: boolean } {
  const chunks: Chunk[] = [];
  const chunker = new Chunker({ ref: REF, maxChars }, (c) => chunks.push(c));
  for (const p of pieces) chunker.push(p);
  chunker.end();
  return { chunks, truncated: chunker.truncated };
}

/** The stream again, from the chunks: each chunk without the overlap it repeats. */
const joined = (chunks: Chunk[]) => chunks.map((c) => c.text.slice(c.overlap)).join('');

/** Filler text with a line break every 100 characters and a space at both ends (so nothing glues to it). */
function filler(n: number): string {
  const line = `${'lorem ipsum '.repeat(9).slice(0, 99)}\n`;
  const body = line.repeat(Math.ceil(n / 100)).slice(0, n - 2);
  return ` ${body} `;
}

/** Where a reviewer would see `offset` in `text`: 1-based line and column. */
function lineColumn(text: string, offset: number) {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, column: offset - text.lastIndexOf('\n', offset - 1) };
}

describe('chunk boundaries', () => {
  it('finds every match straddling a chunk or ownership boundary exactly once, at its absolute offset', async () => {
    const NAME = 'Søren Østergård';
    const CPR = '150387-1236';
    const PHONE = '+45 21 43 65 87';
    const placed: [number, string, string][] = [
      [CHUNK_CHARS - 7, 'name', NAME], // across the end of the first chunk
      [CHUNK_CHARS - OVERLAP / 2 - 5, 'name', NAME], // across the first chunk's ownership limit
      [CHUNK_CHARS - OVERLAP - 3, 'phone', PHONE], // across the start of the second chunk
      [2 * CHUNK_CHARS - OVERLAP / 2 - 4, 'cpr', CPR], // across the second chunk's ownership limit
      [2 * CHUNK_CHARS - 6, 'cpr', CPR], // across the end of the second chunk
    ];
    placed.sort((a, b) => a[0] - b[0]);
    let text = '';
    for (const [at, , value] of placed) text += filler(at - text.length) + value;
    text += filler(5000);
    const result = await scanBytes('big.txt', Buffer.from(text, 'utf8'));
    expect(result.errors).toEqual([]);
    const expected = placed.map(([offset, detector, value]) => ({
      detector,
      value: detector === 'phone' ? '+4521436587' : value,
      field: 'body',
      offset,
      ...lineColumn(text, offset),
    }));
    expect(bodyFindings(result)).toEqual(expected);
    for (const f of result.findings)
      expect(f.context).toContain(text.slice(f.location.offset!, f.location.offset! + 11));
  });

  it('lays chunks edge to edge: each match start is owned by exactly one chunk', () => {
    const text = filler(3 * CHUNK_CHARS + 12345);
    const { chunks } = chunksOf([text]);
    expect(chunks).toHaveLength(4);
    expect(chunks[0]).toMatchObject({ offset: 0, overlap: 0, acceptFrom: 0, line: 1, column: 1 });
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1];
      const cur = chunks[i];
      expect(cur.overlap).toBe(OVERLAP);
      expect(cur.offset).toBe(prev.offset + prev.text.length - OVERLAP);
      expect(cur.offset + cur.acceptFrom!).toBe(prev.offset + prev.acceptTo!);
      expect(text.slice(cur.offset, cur.offset + cur.text.length)).toBe(cur.text);
      expect({ line: cur.line, column: cur.column }).toEqual(lineColumn(text, cur.offset));
    }
    const last = chunks[chunks.length - 1];
    expect(last.offset + last.acceptTo!).toBe(text.length);
    expect(joined(chunks)).toBe(text);
  });

  it('counts columns across a chunk boundary inside a long line', () => {
    const text = 'x'.repeat(CHUNK_CHARS + 10);
    const { chunks } = chunksOf([text]);
    expect(chunks.map((c) => [c.offset, c.line, c.column])).toEqual([
      [0, 1, 1],
      [CHUNK_CHARS - OVERLAP, 1, CHUNK_CHARS - OVERLAP + 1],
    ]);
  });
});

describe('NFC across pieces', () => {
  const NFC = 'Søren Østergård';
  const NFD = NFC.normalize('NFD');

  it('composes a mark that arrives in the next piece', () => {
    expect(joined(chunksOf(['Søren Østerga', '\u030ard']).chunks)).toBe(NFC);
  });

  it('composes a letter and its mark that end a piece', () => {
    expect(joined(chunksOf(['Søren Østerga\u030a', 'rd']).chunks)).toBe(NFC);
  });

  it('composes a stream cut after every character', () => {
    expect(joined(chunksOf([...NFD]).chunks)).toBe(NFC);
    expect(joined(chunksOf(NFD.split('')).chunks)).toBe(NFC);
  });

  it('keeps a surrogate pair cut between pieces', () => {
    expect(joined(chunksOf(['a\ud83d', '\ude00b']).chunks)).toBe('a😀b');
  });

  it('finds a decomposed name whose mark falls right after a 1 MiB read boundary', async () => {
    // UTF-8 bytes: filler, then "Søren Østerga" + U+030A ending exactly at 1 MiB.
    const lead = Buffer.byteLength('Søren Østerga\u030a', 'utf8');
    const head = filler((1 << 20) - lead);
    const bytes = Buffer.from(`${head}${NFD} og 150387-1236`, 'utf8');
    expect(bytes.subarray((1 << 20) - 2, 1 << 20)).toEqual(Buffer.from([0xcc, 0x8a]));
    const found = bodyFindings(await scanBytes('nfd.txt', bytes));
    expect(found.map((f) => [f.detector, f.value, f.offset])).toEqual([
      ['name', NFC, head.length],
      ['cpr', '150387-1236', head.length + NFC.length + 4],
    ]);
  });

  it('stops at maxChars and says so', () => {
    const { chunks, truncated } = chunksOf(['abcdef', 'ghij'], 8);
    expect(truncated).toBe(true);
    expect(joined(chunks)).toBe('abcdefgh');
  });

  it('cuts the same chunks from text in pieces as from the text whole, with marks or without, up to any limit', () => {
    // Pieces below U+0300 are added as they are; others, and those after them, are joined and normalised.
    const text = `${filler(150_000)}Søren Østergård ${filler(30_000)}`;
    const withMarks = `${filler(70_000)}${NFD} ${filler(70_000)}`;
    const cutAt = (t: string, step: number) => {
      const pieces: string[] = [];
      for (let i = 0, n = 1; i < t.length; i += step + (n++ % 7)) pieces.push(t.slice(i, i + step + (n % 7)));
      return pieces;
    };
    for (const t of [text, withMarks])
      for (const step of [1, 9, 4096, 65_536])
        for (const limit of [Number.POSITIVE_INFINITY, 100_003, 60_000]) {
          const whole = chunksOf([t], limit);
          const cut = chunksOf(step === 1 ? [...t.slice(0, 3000), t.slice(3000)] : cutAt(t, step), limit);
          expect(cut.truncated).toBe(whole.truncated);
          expect(cut.chunks).toEqual(whole.chunks);
        }
  });
});

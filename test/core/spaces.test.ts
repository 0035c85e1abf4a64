import { describe, expect, it } from 'vitest';
import { collapsedJson, collapseSpaces } from '../../src/core/spaces.js';
import { seededRandom } from '../helpers/random.js';

describe('collapseSpaces', () => {
  // A run with a line break stands as a line break, one with a tab as a tab: lines and cells stay apart.
  const regex = (text: string, from: number, to: number) =>
    text
      .slice(from, to)
      .replace(/\s+/g, (m) => (/[\n\v\f\r\u2028\u2029]/.test(m) ? '\n' : m.includes('\t') ? '\t' : ' '));

  it('treats every UTF-16 unit as \\s does', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const text = `a${String.fromCharCode(c)}${String.fromCharCode(c)}b`;
      expect(collapseSpaces(text, 0, text.length), c.toString(16)).toBe(regex(text, 0, text.length));
    }
  });

  it('collapses what the regex collapses, in random texts and windows', () => {
    const next = seededRandom(23);
    const pool = ['a', 'ø', ' ', ' ', '\n', '\r\n', '\t', '\u00a0', '\u2028', '\u3000', '😀', '-', 'xyz'];
    for (let round = 0; round < 20_000; round++) {
      const text = Array.from({ length: next(30) }, () => pool[next(pool.length)]).join('');
      const from = next(text.length + 1);
      const to = from + next(text.length - from + 1);
      expect(collapseSpaces(text, from, to), JSON.stringify([text, from, to])).toBe(regex(text, from, to));
    }
  });

  it('quotes as JSON.stringify does: quotes, backslashes, control characters, lone and paired surrogates', () => {
    const next = seededRandom(29);
    const pool = [
      'a',
      'ø',
      ' ',
      '\n',
      '"',
      '\\',
      '\u0001',
      '\u001f',
      '\u007f',
      '😀',
      '\ud800',
      '\udc00',
      '…',
      '\u2028',
    ];
    let quoted = 0;
    for (let round = 0; round < 20_000; round++) {
      const text = Array.from({ length: next(20) }, () => pool[next(pool.length)]).join('');
      const from = next(text.length + 1);
      const to = from + next(text.length - from + 1);
      const [head, tail] = [
        ['', ''],
        ['…', ''],
        ['', '…'],
        ['…', '…'],
      ][next(4)];
      const want = JSON.stringify(`${head}${regex(text, from, to)}${tail}`);
      expect(collapsedJson(text, from, to, head, tail), JSON.stringify([text, from, to])).toBe(want);
      if (want.includes('\\')) quoted++;
    }
    // Many of them needed escaping.
    expect(quoted).toBeGreaterThan(5_000);
  });
});

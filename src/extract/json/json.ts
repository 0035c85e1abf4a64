import type { Extractor } from '../api.js';
import { readHead, readPieces } from '../read.js';
import { decodeStream, detectEncoding } from '../text/decode.js';

/** JSON as text, with `\uXXXX` escapes decoded so `S\u00f8ren` reads as `Søren`; streamed at any size. */
const json: Extractor = {
  id: 'json',
  description: 'JSON and JSON Lines, `\\uXXXX` escapes decoded',
  extensions: ['.json', '.jsonl', '.ndjson', '.geojson'],
  async extract(input, ctx) {
    const guess = detectEncoding(await readHead(input));
    if (guess === 'binary') {
      ctx.skip('binary');
      return;
    }
    await ctx.textStream(unescapeJson(decodeStream(readPieces(input), guess.encoding, guess.bom)));
  },
};

const ESCAPE_RE = /\\u([0-9a-fA-F]{4})(?:\\u([0-9a-fA-F]{4}))?/g;

export function unescapeJsonText(text: string): string {
  return text.replace(ESCAPE_RE, (_m, a: string, b: string | undefined) => {
    const hi = Number.parseInt(a, 16);
    if (b !== undefined) {
      const lo = Number.parseInt(b, 16);
      if (hi >= 0xd800 && hi < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) return String.fromCharCode(hi, lo);
      return String.fromCharCode(hi) + String.fromCharCode(lo);
    }
    return String.fromCharCode(hi);
  });
}

async function* unescapeJson(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const piece of pieces) {
    const text = carry + piece;
    // Keep a possibly cut escape (up to `\uXXXX\uXXX`) for the next piece.
    const cut = text.lastIndexOf('\\', text.length - 1);
    const keep = cut !== -1 && text.length - cut < 12 ? cut : text.length;
    carry = text.slice(keep);
    yield unescapeJsonText(text.slice(0, keep));
  }
  if (carry) yield unescapeJsonText(carry);
}

export default json;

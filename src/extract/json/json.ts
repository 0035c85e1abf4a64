import type { Extractor } from '../api.js';
import { jsonFormat } from '../formats.js';
import { readHead, readTransientPieces } from '../read.js';
import { decodeStream, detectEncoding } from '../text/decode.js';

/** JSON as text, with `\uXXXX` escapes decoded so `S\u00f8ren` reads as `Søren`; streamed at any size. */
const json: Extractor = {
  ...jsonFormat,
  async extract(input, ctx) {
    const guess = detectEncoding(await readHead(input));
    if (guess === 'binary') {
      ctx.skip('binary');
      return;
    }
    await ctx.textStream(unescapeJson(decodeStream(readTransientPieces(input), guess.encoding, guess.bom)));
  },
};

/** Every JSON string escape: `\uXXXX` (surrogate halves pair up again in the text), `\n`, `\"`, `\\`, … */
const ESCAPE_RE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const SIMPLE: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Decodes the escapes of JSON strings in place, so `S\u00f8ren` reads `Søren` and `Kontakt:\nSøren`
 * puts `Søren` on a line of its own instead of gluing an `n` to it.
 */
export function unescapeJsonText(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(ESCAPE_RE, (_m, hex: string | undefined, ch: string | undefined) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : SIMPLE[ch!],
  );
}

async function* unescapeJson(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const piece of pieces) {
    const text = carry + piece;
    // Keep a possibly cut escape (`\u00`) for the next piece, from the start of its run of backslashes
    // so that an escaped backslash (`\\`) is never split.
    let cut = text.lastIndexOf('\\');
    if (cut === -1 || text.length - cut >= 6) cut = text.length;
    else while (cut > 0 && text[cut - 1] === '\\') cut--;
    carry = text.slice(cut);
    yield unescapeJsonText(text.slice(0, cut));
  }
  if (carry) yield unescapeJsonText(carry);
}

export default json;

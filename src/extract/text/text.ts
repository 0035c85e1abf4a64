import type { Extractor } from '../api.js';
import { textFormat } from '../formats.js';
import { extensionOf, readHead, readTransientPieces } from '../read.js';
import { decodeBuffer, decodeStream, detectEncoding } from './decode.js';
import { rtfToText } from './rtf.js';

const RTF_MAGIC = '{\\rtf';

/** Plain text of any size, streamed: encoding detected from the first 64 KiB, NFC-normalised. RTF is read whole. */
const text: Extractor = {
  ...textFormat,
  async extract(input, ctx) {
    const head = await readHead(input);
    if (isRtf(input.name, head)) {
      const decoded = decodeBuffer(await ctx.readAll());
      if (!decoded) {
        ctx.skip('binary');
        return;
      }
      ctx.text(decoded.text.startsWith(RTF_MAGIC) ? rtfToText(decoded.text) : decoded.text);
      return;
    }
    const guess = detectEncoding(head);
    if (guess === 'binary') {
      ctx.skip('binary');
      return;
    }
    const pieces = readTransientPieces(input);
    await ctx.textStream(
      decodeStream(ctx.rawText?.(pieces, guess.encoding) ?? pieces, guess.encoding, guess.bom),
    );
  },
};

/** RTF is read whole and its control words stripped; every other text file is streamed as it is. */
export function isRtf(name: string, head: Uint8Array): boolean {
  return extensionOf(name).endsWith('.rtf') || startsWith(head, RTF_MAGIC);
}

function startsWith(head: Uint8Array, magic: string): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic.charCodeAt(i)) return false;
  return true;
}

export default text;

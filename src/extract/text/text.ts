import type { Extractor } from '../api.js';
import { textFormat } from '../formats.js';
import { extensionOf, readHead, readTransientPieces } from '../read.js';
import { isCard, unfoldCards } from './cards.js';
import { decodeBuffer, decodeStream, detectEncoding } from './decode.js';
import { rtfToText } from './rtf.js';

const RTF_MAGIC = '{\\rtf';

/**
 * Plain text of any size, streamed: encoding detected from the first 64 KiB, NFC-normalised. RTF is read
 * whole; vCard and iCalendar lines are unfolded (see cards.ts).
 */
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
    if (isCard(input.name, head)) {
      // Folded and quoted-printable values are read as their lines hold them once unfolded and decoded;
      // the raw bytes hold them only in pieces, so they are not handed on for a raw look (rawText).
      await ctx.textStream(unfoldCards(decodeStream(pieces, guess.encoding, guess.bom)));
      return;
    }
    await ctx.textStream(
      decodeStream(ctx.rawText?.(pieces, guess.encoding) ?? pieces, guess.encoding, guess.bom),
    );
  },
};

/**
 * Text files whose bytes are not their text as written: RTF (control words) and vCard/iCalendar
 * (folded lines, quoted-printable values). The raw-byte passes leave them to the extractor.
 */
export function isEncodedText(name: string, head: Uint8Array): boolean {
  return isRtf(name, head) || isCard(name, head);
}

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

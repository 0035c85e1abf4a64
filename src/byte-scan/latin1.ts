import { ModuleInstance } from './instance.js';

/**
 * Decodes UTF-8 that holds only characters up to U+00FF (ASCII and Latin-1 letters such as æ, ø, å:
 * most Danish text) with the module's `latin1FromUtf8`, 16 ASCII bytes a step, into a one-byte string.
 * Anything else is left to the caller (TextDecoder).
 */
export class Latin1Decoder extends ModuleInstance {
  private readonly run = this.exports.latin1FromUtf8 as (
    src: number,
    len: number,
    dst: number,
    read: number,
  ) => number;

  /**
   * `lead` (a byte the last piece ended with, or -1) then `piece`, decoded: the text and the lead byte
   * left at its end, if any; undefined when they hold any other byte.
   */
  decode(lead: number, piece: Uint8Array): { text: string; lead: number } | undefined {
    const src = 16;
    const len = piece.length + (lead === -1 ? 0 : 1);
    const dst = src + Math.ceil(len / 16) * 16 + 16;
    this.reserve(dst + len + 16);
    if (lead === -1) this.bytes.set(piece, src);
    else {
      this.bytes[src] = lead;
      this.bytes.set(piece, src + 1);
    }
    const written = this.run(src, len, dst, 0);
    if (written < 0) return undefined;
    const read = this.bytes.readInt32LE(0);
    return {
      text: this.bytes.toString('latin1', dst, dst + written),
      lead: read < len ? this.bytes[src + read] : -1,
    };
  }
}

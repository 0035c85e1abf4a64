/**
 * The RTF body of an Outlook message (PR_RTF_COMPRESSED, MS-OXRTFCP): LZFu-compressed, or stored
 * (`MELA`). Returns the RTF as a Latin-1 string (RTF is 7-bit, its own escapes carry the rest), or
 * undefined when the header is not one of the two.
 */
export function decompressRtf(data: Uint8Array, maxBytes: number): string | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (b.length < 16) return undefined;
  const compSize = b.readUInt32LE(0);
  const rawSize = b.readUInt32LE(4);
  const type = b.readUInt32LE(8);
  const end = Math.min(b.length, compSize + 4);
  if (type === MELA) return b.toString('latin1', 16, Math.min(end, 16 + rawSize));
  if (type !== LZFU) return undefined;
  const dict = Buffer.alloc(4096);
  PREFILL.copy(dict);
  let write = PREFILL.length;
  const out: number[] = [];
  const limit = Math.min(rawSize, maxBytes);
  let p = 16;
  while (p < end && out.length < limit) {
    const control = b[p++];
    for (let bit = 0; bit < 8 && p < end && out.length < limit; bit++) {
      if (!(control & (1 << bit))) {
        const c = b[p++];
        out.push(c);
        dict[write] = c;
        write = (write + 1) & 0xfff;
        continue;
      }
      if (p + 1 >= end) return text(out, limit);
      const ref = (b[p] << 8) | b[p + 1];
      p += 2;
      const offset = ref >> 4;
      const length = (ref & 0xf) + 2;
      if (offset === write) return text(out, limit);
      for (let i = 0; i < length; i++) {
        const c = dict[(offset + i) & 0xfff];
        out.push(c);
        dict[write] = c;
        write = (write + 1) & 0xfff;
      }
    }
  }
  return text(out, limit);
}

/** The bytes written, up to the limit (a reference may run past it). */
function text(out: number[], limit: number): string {
  return Buffer.from(out.length > limit ? out.slice(0, limit) : out).toString('latin1');
}

const LZFU = 0x75465a4c;
const MELA = 0x414c454d;

/** The dictionary's initial content (MS-OXRTFCP 3.1.3.1). */
export const PREFILL = Buffer.from(
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx',
  'latin1',
);

import { inflateSync } from 'node:zlib';
import { Unzlib } from 'fflate';
import { ExtractError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { RATIO_GRACE_BYTES } from '../archive/member-limits.js';

/**
 * pdf.js inflates a PDF's Flate streams into memory itself, with no bound: a 1 MB PDF whose content
 * stream inflates to 1 GiB took gigabytes. Before pdf.js sees a PDF, its Flate streams are inflated
 * here and counted, the output thrown away: each under the ratio limit (`--max-ratio`, streams under
 * 1 MiB inflated exempt), all together under the file's inflated budget (`--max-inflated-bytes`,
 * through `count`). Image streams are left out: text extraction never decodes them. A stream whose
 * data is damaged counts as far as it inflates (pdf.js gets no further).
 */
export function checkPdfStreams(data: Buffer, limits: Limits, count: (bytes: number) => void): void {
  for (let pos = data.indexOf('stream', 0, 'latin1'); pos !== -1; ) {
    const stream = streamAt(data, pos);
    if (!stream) {
      pos = data.indexOf('stream', pos + 6, 'latin1');
      continue;
    }
    if (stream.filters.length) decodeCounted(data.subarray(stream.start, stream.end), stream, limits, count);
    pos = data.indexOf('stream', Math.max(stream.end, pos + 6), 'latin1');
  }
}

interface Stream {
  start: number;
  end: number;
  /** The stream's filters in order (none for an image: text extraction never decodes one). */
  filters: string[];
  /** LZW's `/EarlyChange` (1 unless the parameters say 0). */
  earlyChange: number;
}

/** How far back from `stream` its object's dictionary may begin (font width arrays run to kilobytes). */
const MAX_DICT = 64 * 1024;

/** The stream whose `stream` keyword is at `at`, or undefined when the word is something else. */
function streamAt(data: Buffer, at: number): Stream | undefined {
  // `endstream`, or the word inside a name or string.
  if (at >= 3 && data.toString('latin1', at - 3, at) === 'end') return undefined;
  let start = at + 6;
  if (data[start] === 0x0d) start++;
  if (data[start] === 0x0a) start++;
  else if (data[start - 1] !== 0x0d) return undefined;
  // A stream follows its dictionary: `>>`, then white space.
  let k = at - 1;
  while (k > 0 && (data[k] === 0x20 || data[k] === 0x0a || data[k] === 0x0d || data[k] === 0x09)) k--;
  if (k < 1 || data[k] !== 0x3e || data[k - 1] !== 0x3e) return undefined;
  // Searched within the window only: a file of `stream` words and no `obj` must not cost n^2.
  const from = Math.max(0, at - MAX_DICT);
  const obj = data.subarray(from, at).lastIndexOf('obj', undefined, 'latin1');
  const dict = data.toString('latin1', obj === -1 ? from : from + obj, at);
  const ends = data.indexOf('endstream', start, 'latin1');
  let end = ends === -1 ? data.length : ends;
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (length && start + Number(length[1]) <= end) end = start + Number(length[1]);
  const image = /\/Subtype\s*\/Image\b/.test(dict);
  const filter = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict);
  const filters = !image && filter ? [...filter[1].matchAll(/\/([A-Za-z0-9]+)/g)].map((m) => m[1]) : [];
  return { start, end, filters, earlyChange: /\/EarlyChange\s+0\b/.test(dict) ? 0 : 1 };
}

/**
 * Decodes the stream's filters as pdf.js would, as far as the first that inflates: the ASCII ones
 * (which only shrink) are undone, then Flate or LZW output is counted. Filters after it, and streams
 * with none that inflates, cost nothing.
 */
function decodeCounted(
  raw: Uint8Array,
  stream: Stream,
  limits: Limits,
  count: (bytes: number) => void,
): void {
  let bytes = raw;
  for (const filter of stream.filters) {
    if (filter === 'ASCIIHexDecode' || filter === 'AHx') bytes = fromHex(bytes);
    else if (filter === 'ASCII85Decode' || filter === 'A85') bytes = fromAscii85(bytes);
    else {
      if (filter === 'FlateDecode' || filter === 'Fl') inflateCounted(bytes, limits, count);
      else if (filter === 'LZWDecode' || filter === 'LZW')
        lzwCounted(bytes, stream.earlyChange, limits, count);
      return;
    }
  }
}

function fromHex(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  const end = text.indexOf('>');
  const hex = (end === -1 ? text : text.slice(0, end)).replace(/[^0-9A-Fa-f]/g, '');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

function fromAscii85(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let group = 0;
  let n = 0;
  for (const c of data) {
    if (c === 0x7e) break; // `~>`
    if (c === 0x7a && n === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    group = group * 85 + (c - 0x21);
    if (++n === 5) {
      out.push((group >>> 24) & 255, (group >>> 16) & 255, (group >>> 8) & 255, group & 255);
      group = 0;
      n = 0;
    }
  }
  if (n > 1) {
    for (let k = n; k < 5; k++) group = group * 85 + 84;
    const last = [(group >>> 24) & 255, (group >>> 16) & 255, (group >>> 8) & 255, group & 255];
    out.push(...last.slice(0, n - 1));
  }
  return Uint8Array.from(out);
}

/**
 * The length of what pdf.js's LZW decoder makes of `data` (the same algorithm, lengths only: no bytes
 * are made), stopping once past the ratio limit. One 12-bit code can stand for ~3,800 bytes.
 */
function lzwCounted(
  data: Uint8Array,
  earlyChange: number,
  limits: Limits,
  count: (bytes: number) => void,
): void {
  const cap = Math.max(RATIO_GRACE_BYTES, data.length * limits.maxRatio);
  const lengths = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) lengths[i] = 1;
  let codeLength = 9;
  let nextCode = 258;
  let prevCode = 0;
  let current = 0;
  let total = 0;
  let counted = 0;
  let cached = 0;
  let bits = 0;
  let pos = 0;
  const flush = () => {
    count(total - counted);
    counted = total;
  };
  for (;;) {
    while (bits < codeLength) {
      if (pos >= data.length) {
        flush();
        return;
      }
      cached = (cached << 8) | data[pos++];
      bits += 8;
    }
    bits -= codeLength;
    const code = (cached >>> bits) & ((1 << codeLength) - 1);
    const hasPrev = current > 0;
    if (code < 256) current = 1;
    else if (code >= 258) current = code < nextCode ? lengths[code] : current + 1;
    else if (code === 256) {
      codeLength = 9;
      nextCode = 258;
      current = 0;
      continue;
    } else {
      flush();
      return;
    }
    if (hasPrev) {
      if (nextCode < 4096) lengths[nextCode] = lengths[prevCode] + 1;
      nextCode++;
      const next = nextCode + earlyChange;
      if (!(next & (next - 1))) codeLength = Math.min(Math.log2(next) + 1, 12) | 0;
    }
    prevCode = code;
    total += current;
    if (total - counted > 1 << 20) flush();
    if (total > cap) {
      flush();
      throw new ExtractError(
        'limit',
        `a PDF stream of ${data.length} bytes decompresses (LZW) past ${Math.round(total / Math.max(data.length, 1))}:1, more than the ${limits.maxRatio}:1 allowed (--max-ratio), a likely decompression bomb; not read`,
      );
    }
  }
}

/**
 * Streams up to this many compressed bytes are inflated by zlib in one call (native, ~3x faster than
 * fflate), its output capped at the ratio limit: at most 100 x 64 KiB held at once. Larger ones, and
 * any zlib calls damaged, go through fflate piece by piece, the output thrown away as it comes.
 */
const WHOLE_BYTES = 64 * 1024;
/** Compressed bytes handed to fflate at a time: deflate's ~1,030:1 bounds what one push makes. */
const PUSH_BYTES = 16 * 1024;

function inflateCounted(compressed: Uint8Array, limits: Limits, count: (bytes: number) => void): void {
  const ratioCap = Math.max(RATIO_GRACE_BYTES, compressed.length * limits.maxRatio);
  const tooMuch = (inflated: number) => {
    const ratio = Math.round(inflated / Math.max(compressed.length, 1));
    return new ExtractError(
      'limit',
      `a PDF stream of ${compressed.length} bytes inflates past ${ratio}:1, more than the ${limits.maxRatio}:1 allowed (--max-ratio), a likely decompression bomb; not read`,
    );
  };
  if (compressed.length <= WHOLE_BYTES) {
    let size: number | undefined;
    try {
      size = inflateSync(compressed, { maxOutputLength: ratioCap + 1 }).length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooMuch(ratioCap + 1);
    }
    if (size !== undefined) {
      count(size);
      return;
    }
  }
  let inflated = 0;
  const inflater = new Unzlib((piece) => {
    inflated += piece.length;
    count(piece.length);
    if (inflated > ratioCap) throw tooMuch(inflated);
  });
  try {
    for (let at = 0; at < compressed.length; at += PUSH_BYTES) {
      const end = Math.min(compressed.length, at + PUSH_BYTES);
      inflater.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (err) {
    if (err instanceof ExtractError) throw err;
    // Damaged data: pdf.js stops where the inflater did.
  }
}

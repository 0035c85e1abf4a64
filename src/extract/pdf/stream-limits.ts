import { inflateSync } from 'node:zlib';
import { Unzlib } from 'fflate';
import { ExtractError } from '../../core/errors.js';
import type { Limits } from '../../engine/limits.js';
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
    if (stream.flate) inflateCounted(data.subarray(stream.start, stream.end), limits, count);
    pos = data.indexOf('stream', Math.max(stream.end, pos + 6), 'latin1');
  }
}

interface Stream {
  start: number;
  end: number;
  flate: boolean;
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
  return { start, end, flate: firstFilterIsFlate(dict) && !/\/Subtype\s*\/Image\b/.test(dict) };
}

function firstFilterIsFlate(dict: string): boolean {
  return /\/Filter\s*(?:\[\s*)?\/(?:FlateDecode|Fl)(?![A-Za-z])/.test(dict);
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

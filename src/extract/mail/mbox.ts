import { createHash } from 'node:crypto';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { mboxFormat } from '../formats.js';
import { readPieces } from '../read.js';
import { messageIdOf, splitEntity } from './mime.js';

/** A strict envelope line: `From sender Www Mmm dd hh:mm:ss yyyy` (asctime, as mail systems write it). */
const STRICT_FROM =
  /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) /;
const HEAD_LIMIT = 64 * 1024;

interface Pending {
  offset: number;
  length: number;
  pieces: Buffer[];
  buffered: number;
  /** Longer than maxExtractBytes: only the first bytes are kept (for the Message-ID). */
  tooLarge: boolean;
}

/**
 * mbox (mboxrd/mboxo), streamed: the file is split at `From ` lines that start a line after an empty
 * line (or at the start of the file, or that look exactly like an envelope line). Each message is a
 * child item whose bytes are the exact range of the file from its `From ` line up to the next one
 * (trailing empty line included), so that cutting [offset, offset+length) out leaves a valid mbox.
 */
const mbox: Extractor = {
  ...mboxFormat,
  async extract(input, ctx) {
    await splitMbox(input, ctx);
  },
};

export default mbox;

async function splitMbox(input: ItemInput, ctx: ExtractContext): Promise<void> {
  const seenIds = new Set<string>();
  let index = 0;
  let stopped = false;
  let pos = 0;
  let carry: Buffer = Buffer.alloc(0);
  let prevBlank = true;
  let current: Pending | undefined;
  let preamble = 0;

  // The worker running this file is stopped at limits.timeoutMs and everything found would be lost:
  // stop early instead, keep what was read, and say how far it got.
  const deadline = Date.now() + ctx.limits.timeoutMs * 0.8;
  const finish = async () => {
    if (!current) return;
    const msg = current;
    current = undefined;
    index++;
    if (index > ctx.limits.maxMembers) {
      ctx.error('limit', `more than ${ctx.limits.maxMembers} messages; the rest of the mailbox was not read`);
      stopped = true;
      return;
    }
    if (Date.now() >= deadline) {
      ctx.error(
        'timeout',
        `read ${index - 1} messages (up to byte ${msg.offset}) before the time limit; the rest was not read (raise --timeout)`,
      );
      stopped = true;
      return;
    }
    await emitMessage(msg, index, seenIds, input, ctx);
  };

  const onLine = async (line: Buffer, at: number) => {
    const blank = line.length === 1 || (line.length === 2 && line[0] === 0x0d);
    const isFrom =
      line[0] === 0x46 &&
      line.subarray(0, 5).toString('latin1') === 'From ' &&
      (prevBlank || STRICT_FROM.test(line.subarray(0, 200).toString('latin1')));
    prevBlank = blank;
    if (isFrom) {
      await finish();
      if (stopped) return;
      current = { offset: at, length: 0, pieces: [], buffered: 0, tooLarge: false };
    }
    if (!current) {
      preamble += line.length;
      return;
    }
    current.length += line.length;
    const keep = current.tooLarge ? 0 : line.length;
    if (!current.tooLarge && current.buffered + line.length > ctx.limits.maxExtractBytes) {
      current.tooLarge = true;
      // Keep only the head for the Message-ID; the rest is counted, not held.
      const room = Math.max(0, HEAD_LIMIT - current.buffered);
      current.pieces =
        current.buffered > HEAD_LIMIT
          ? [Buffer.concat(current.pieces).subarray(0, HEAD_LIMIT)]
          : current.pieces;
      if (room > 0) current.pieces.push(Buffer.from(line.subarray(0, room)));
      current.buffered = Math.min(HEAD_LIMIT, current.buffered + room);
      return;
    }
    if (keep) {
      current.pieces.push(Buffer.from(line));
      current.buffered += keep;
    }
  };

  for await (const piece of readPieces(input)) {
    ctx.signal.throwIfAborted();
    let buf = carry.length ? Buffer.concat([carry, Buffer.from(piece)]) : Buffer.from(piece);
    const base = pos - carry.length;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      await onLine(buf.subarray(start, nl + 1), base + start);
      if (stopped) return;
      start = nl + 1;
    }
    pos += piece.length;
    buf = buf.subarray(start);
    // An overlong line is handed on in pieces so that memory stays bounded.
    if (buf.length > 1 << 20) {
      await onLine(buf, pos - buf.length);
      if (stopped) return;
      buf = buf.subarray(buf.length);
      prevBlank = false;
    }
    carry = Buffer.from(buf);
  }
  if (carry.length) await onLine(carry, pos - carry.length);
  if (stopped) return;
  await finish();
  if (index === 0) ctx.error('corrupt', 'no "From " line found: not an mbox, nothing read');
  else if (preamble > 0)
    ctx.error('corrupt', `${preamble} bytes before the first "From " line were not read`);
}

async function emitMessage(
  msg: Pending,
  index: number,
  seenIds: Set<string>,
  input: ItemInput,
  ctx: ExtractContext,
): Promise<void> {
  const data = Buffer.concat(msg.pieces);
  const nl = data.indexOf(0x0a);
  const id = messageIdOf(splitEntity(nl === -1 ? data : data.subarray(nl + 1)).header);
  let segment = id ? `message ${id}` : `message #${index}`;
  // A copied message can repeat its Message-ID; the index keeps each itemPath unique.
  if (seenIds.has(segment)) segment = `${segment} #${index}`;
  seenIds.add(segment);
  const ref = { path: input.ref.path, itemPath: [...input.ref.itemPath, segment] };
  if (msg.tooLarge) {
    ctx.error(
      'limit',
      `message of ${msg.length} bytes is larger than ${ctx.limits.maxExtractBytes} bytes; not read (raise --max-extract-bytes)`,
      ref,
    );
    return;
  }
  const fingerprint = {
    offset: msg.offset,
    length: msg.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
  await ctx.child({
    ref,
    name: 'message.eml',
    source: { kind: 'buffer', data },
    contentType: 'message/rfc822',
    fingerprint: { offset: msg.offset, length: msg.length },
    message: { kind: 'mbox', itemPath: ref.itemPath, fingerprint },
  });
}

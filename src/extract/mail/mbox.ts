import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { mboxFormat } from '../formats.js';
import { readPieces } from '../read.js';
import { cleanMessageItems, unwrapMboxMessage } from './message.js';
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
    const names = new MessageNames();
    // The worker running this file is stopped at limits.timeoutMs and everything found would be lost:
    // stop early instead, keep what was read, and say how far it got.
    await splitMbox(input, ctx, Date.now() + ctx.limits.timeoutMs * 0.8, async (msg, index) => {
      const data = Buffer.concat(msg.pieces);
      await emitMessage(data, { ...msg, segment: names.of(data, index) }, input, ctx);
    });
  },
};

export default mbox;

/** A message of a mailbox: where its bytes are, and its name among the mailbox's messages. */
export interface MboxSpan {
  offset: number;
  length: number;
  segment: string;
  /** Longer than maxExtractBytes: reported, not read. */
  tooLarge: boolean;
}

/** What splitting needs of an extraction context (the main thread plans a huge mailbox with it). */
type SplitContext = Pick<ExtractContext, 'limits' | 'signal' | 'error'>;

/**
 * Splits a mailbox into its messages without reading them (see `readMboxSpans`), for the workers to
 * share a huge one: each span is handed to `onSpan` as it is found; the mailbox's own errors (a
 * preamble, too many messages) go to `ctx`. Returns the number of messages.
 */
export async function planMbox(
  input: ItemInput,
  ctx: SplitContext,
  onSpan: (span: MboxSpan) => Promise<void>,
): Promise<number> {
  const names = new MessageNames();
  let count = 0;
  await splitMbox(input, ctx, Number.POSITIVE_INFINITY, async (msg, index) => {
    count++;
    // Named from the same bytes as when the extractor reads it (a header may be longer than a piece).
    const data = msg.pieces.length === 1 ? msg.pieces[0] : Buffer.concat(msg.pieces);
    await onSpan({
      offset: msg.offset,
      length: msg.length,
      segment: names.of(data, index),
      tooLarge: msg.tooLarge,
    });
  });
  return count;
}

/** Reads the messages `spans` of a mailbox (from `planMbox`) as its extractor would, in order. */
export async function readMboxSpans(input: ItemInput, spans: MboxSpan[], ctx: ExtractContext): Promise<void> {
  if (input.source.kind !== 'file') throw new Error('a mailbox part that is not a file');
  const deadline = Date.now() + ctx.limits.timeoutMs * 0.8;
  const fd = openSync(fsPath(input.source.absPath), 'r');
  try {
    for (const [i, span] of spans.entries()) {
      ctx.signal.throwIfAborted();
      if (Date.now() >= deadline) {
        ctx.error(
          'timeout',
          `read ${i} of ${spans.length} messages from byte ${spans[0].offset} (up to byte ${span.offset}) before the time limit; the rest of them were not read (raise --timeout)`,
        );
        return;
      }
      const data = span.tooLarge ? EMPTY : Buffer.allocUnsafe(span.length);
      if (!span.tooLarge && readSync(fd, data, 0, span.length, span.offset) < span.length)
        throw new Error('the mailbox became shorter while it was read');
      await emitMessage(data, span, input, ctx);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Names messages as the mailbox lists them: by Message-ID, else by number; a repeated Message-ID (a
 * copied message) gets its number too, so that each itemPath is unique.
 */
class MessageNames {
  private readonly seen = new Set<string>();

  of(data: Buffer, index: number): string {
    const nl = data.indexOf(0x0a);
    const id = messageIdOf(splitEntity(nl === -1 ? data : data.subarray(nl + 1)).header);
    let segment = id ? `message ${id}` : `message #${index}`;
    if (this.seen.has(segment)) segment = `${segment} #${index}`;
    this.seen.add(segment);
    return segment;
  }
}

async function splitMbox(
  input: ItemInput,
  ctx: SplitContext,
  deadline: number,
  onMessage: (msg: Pending, index: number) => Promise<void>,
): Promise<void> {
  let index = 0;
  let stopped = false;
  let pos = 0;
  let carry: Buffer = EMPTY;
  let prevBlank = true;
  let current: Pending | undefined;
  let preamble = 0;
  /** The bytes being split: a piece of the file, after what was left of the one before. */
  let buf: Buffer = EMPTY;
  /** Where the current message's bytes in `buf` begin that are not yet among its pieces. */
  let runStart = 0;

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
    await onMessage(msg, index);
  };

  /** The current message's kept bytes up to `end` in `buf` join its pieces: one view per run of lines. */
  const save = (end: number) => {
    if (current && !current.tooLarge && end > runStart) current.pieces.push(buf.subarray(runStart, end));
    runStart = end;
  };

  /**
   * One line, `buf[s, e)` with its line break: true for a `From ` line that starts a message (see
   * `startMessage`), else the line is taken. Lines are looked at in place: a buffer and a promise per
   * line made the splitting cost more than parsing the messages.
   */
  const onLine = (s: number, e: number): boolean => {
    const length = e - s;
    const blank = length === 1 || (length === 2 && buf[s] === 0x0d);
    const isFrom =
      length >= 5 &&
      buf[s] === 0x46 &&
      buf[s + 1] === 0x72 &&
      buf[s + 2] === 0x6f &&
      buf[s + 3] === 0x6d &&
      buf[s + 4] === 0x20 &&
      (prevBlank || STRICT_FROM.test(buf.toString('latin1', s, Math.min(e, s + 200))));
    prevBlank = blank;
    if (isFrom) return true;
    take(s, e);
    return false;
  };

  /** Adds the line `buf[s, e)` to the current message (or the preamble). */
  const take = (s: number, e: number) => {
    if (!current) {
      preamble += e - s;
      runStart = e;
      return;
    }
    current.length += e - s;
    if (current.tooLarge) {
      runStart = e;
      return;
    }
    if (current.buffered + (e - s) > ctx.limits.maxExtractBytes) {
      save(s);
      current.tooLarge = true;
      // Keep only the head for the Message-ID; the rest is counted, not held.
      const room = Math.max(0, HEAD_LIMIT - current.buffered);
      current.pieces =
        current.buffered > HEAD_LIMIT
          ? [Buffer.concat(current.pieces).subarray(0, HEAD_LIMIT)]
          : current.pieces;
      if (room > 0) current.pieces.push(Buffer.from(buf.subarray(s, Math.min(e, s + room))));
      current.buffered = Math.min(HEAD_LIMIT, current.buffered + room);
      runStart = e;
      return;
    }
    current.buffered += e - s;
  };

  /** A `From ` line at `buf[s, e)`: the message before it ends, a new one begins with it. */
  const startMessage = async (s: number, e: number, at: number) => {
    save(s);
    await finish();
    if (stopped) return;
    current = { offset: at, length: 0, pieces: [], buffered: 0, tooLarge: false };
    runStart = s;
    take(s, e);
  };

  /** Every complete line of `buf`; returns where the unfinished one begins. */
  const lines = async (base: number): Promise<number> => {
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      if (onLine(start, nl + 1)) await startMessage(start, nl + 1, base + start);
      if (stopped) return start;
      start = nl + 1;
    }
    return start;
  };

  for await (const piece of readPieces(input)) {
    ctx.signal.throwIfAborted();
    buf = carry.length ? Buffer.concat([carry, piece as Buffer]) : (piece as Buffer);
    runStart = 0;
    const base = pos - carry.length;
    let start = await lines(base);
    if (stopped) return;
    pos += piece.length;
    // An overlong line is handed on in pieces so that memory stays bounded.
    if (buf.length - start > 1 << 20) {
      if (onLine(start, buf.length)) await startMessage(start, buf.length, base + start);
      if (stopped) return;
      start = buf.length;
      prevBlank = false;
    }
    save(start);
    carry = buf.subarray(start);
  }
  if (carry.length) {
    buf = carry;
    runStart = 0;
    if (onLine(0, carry.length)) await startMessage(0, carry.length, pos - carry.length);
    if (stopped) return;
    save(carry.length);
  }
  await finish();
  if (index === 0) ctx.error('corrupt', 'no "From " line found: not an mbox, nothing read');
  else if (preamble > 0)
    ctx.error('corrupt', `${preamble} bytes before the first "From " line were not read`);
}

const EMPTY = Buffer.alloc(0);

async function emitMessage(
  data: Buffer,
  span: MboxSpan,
  input: ItemInput,
  ctx: ExtractContext,
): Promise<void> {
  const ref = { path: input.ref.path, itemPath: [...input.ref.itemPath, span.segment] };
  if (span.tooLarge) {
    ctx.error(
      'limit',
      `message of ${span.length} bytes is larger than ${ctx.limits.maxExtractBytes} bytes; not read (raise --max-extract-bytes)`,
      ref,
    );
    return;
  }
  // A subject scan passes over a message that cannot hold the subject without making it an item.
  const clean = ctx.rawClean;
  const items =
    clean &&
    cleanMessageItems(unwrapMboxMessage(data), input.depth + 1, {
      clean,
      textClean: ctx.textClean,
      limits: ctx.limits,
    });
  if (items) {
    ctx.passedOver?.(items);
    return;
  }
  const fingerprint = {
    offset: span.offset,
    length: span.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
  await ctx.child({
    ref,
    name: 'message.eml',
    source: { kind: 'buffer', data },
    contentType: 'message/rfc822',
    fingerprint: { offset: span.offset, length: span.length },
    message: { kind: 'mbox', itemPath: ref.itemPath, fingerprint },
  });
}

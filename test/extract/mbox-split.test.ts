import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import type { ExtractContext } from '../../src/extract/api.js';
import mbox from '../../src/extract/mail/mbox.js';
import { seededRandom } from '../helpers/random.js';

/**
 * The mbox splitter looks at lines in place, across 1 MiB pieces of the file. Held here to the plain
 * definition over generated mailboxes of several MiB: split the whole text into lines; a line that
 * starts with `From ` begins a message after an empty line (`\n` or `\r\n`), at the start of the file,
 * or when it looks exactly like an envelope line; bytes before the first such line are the preamble.
 */
const STRICT_FROM =
  /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) /;

function plainSplit(bytes: Buffer): { messages: { offset: number; length: number }[]; preamble: number } {
  const text = bytes.toString('latin1');
  const messages: { offset: number; length: number }[] = [];
  let prevBlank = true;
  let preamble = 0;
  let at = 0;
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const isFrom = line.startsWith('From ') && (prevBlank || STRICT_FROM.test(line.slice(0, 200)));
    prevBlank = line === '\n' || line === '\r\n';
    if (isFrom) messages.push({ offset: at, length: 0 });
    if (messages.length) messages[messages.length - 1].length += line.length;
    else preamble += line.length;
    at += line.length;
  }
  return { messages, preamble };
}

const LINES = [
  'From sender@example.dk Mon Jan  1 00:00:00 2024\n',
  'From sender@example.dk Tue Feb 13 10:11:12 2024\r\n',
  'From what I hear, the meeting moved\n',
  'From \n',
  'From\n',
  '\n',
  '\r\n',
  '\n\n',
  'Subject: Referat\n',
  'Message-ID: <m@example.dk>\n',
  '>From an escaped line\n',
  'Fro',
  'ordinary body text with a few more words in it æøå\n',
];

function generated(seed: number, bytes: number): Buffer {
  const rnd = seededRandom(seed);
  const parts: string[] = rnd(3) === 0 ? ['a preamble line\n'] : [];
  let size = 0;
  while (size < bytes) {
    const line =
      rnd(4) === 0 ? `${'x'.repeat(rnd(300))}\n` : LINES[rnd(LINES.length)].replace('m@', `m${rnd(50)}@`);
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}

async function split(bytes: Buffer) {
  const children: { offset: number; length: number; sha: string }[] = [];
  const errors: string[] = [];
  const input: ItemInput = {
    ref: { path: '/mem/x.mbox', itemPath: [] },
    name: 'x.mbox',
    source: { kind: 'buffer', data: bytes },
    depth: 0,
  };
  const ctx = {
    limits: { ...DEFAULT_LIMITS, maxMembers: 1_000_000 },
    signal: new AbortController().signal,
    async child(child: ItemInput) {
      const data = child.source.kind === 'buffer' ? child.source.data : new Uint8Array();
      children.push({
        offset: child.fingerprint?.offset ?? -1,
        length: child.fingerprint?.length ?? -1,
        sha: createHash('sha256').update(data).digest('hex'),
      });
    },
    error(_kind: string, message: string) {
      errors.push(message);
    },
  } as unknown as ExtractContext;
  await mbox.extract(input, ctx);
  return { children, errors };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mbox splitting across pieces', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: the messages of the plain definition, byte for byte', async (seed) => {
    const bytes = generated(seed, 3 * 1024 * 1024 + seed * 7919);
    const want = plainSplit(bytes);
    const got = await split(bytes);
    expect(want.messages.length).toBeGreaterThan(1000);
    expect(got.children.map(({ offset, length }) => ({ offset, length }))).toEqual(want.messages);
    expect(got.children.map((c) => c.sha)).toEqual(
      want.messages.map((m) => sha(bytes.subarray(m.offset, m.offset + m.length))),
    );
    expect(got.errors).toEqual(
      want.preamble ? [`${want.preamble} bytes before the first "From " line were not read`] : [],
    );
  });
});

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { extractKept, type TextCacheRef } from '../../src/engine/text-cache.js';
import type { ExtractContext, Extractor, TextOptions } from '../../src/extract/api.js';
import { tempTree } from '../helpers/cli.js';

/**
 * extractKept keeps what a costly extractor handed the engine and replays it, call for call, for the
 * same bytes; anything it cannot replay from text alone is read by the extractor every time.
 */

type Call = [string, string | string[], TextOptions | undefined];

function fileInput(path: string): ItemInput {
  const size = readFileSync(path).length;
  return {
    ref: { path, itemPath: [] },
    name: path.split('/').pop()!,
    source: { kind: 'file', absPath: path, size },
    depth: 0,
  };
}

/** A context that notes the text it is handed, and counts errors as the engine does. */
function contextFor(input: ItemInput, limits: Limits = DEFAULT_LIMITS) {
  const calls: Call[] = [];
  const errors: string[] = [];
  const ctx: ExtractContext = {
    limits,
    signal: new AbortController().signal,
    text: (text, o) => calls.push(['text', text, o]),
    async textStream(pieces, o) {
      const seen: string[] = [];
      for await (const p of pieces) seen.push(p);
      calls.push(['stream', seen, o]);
    },
    child: async () => {},
    skip: () => {},
    error: (_kind, message) => errors.push(message),
    withoutText: () => errors.push('without text'),
    readAll: async () => readFileSync((input.source as { absPath: string }).absPath),
    inflated: () => {},
    textClean: () => false,
  };
  return { ctx, calls, errors };
}

/** A PDF-like extractor that hands on pages and a stream, then does `extra`; counts its reads. */
function extractor(id: string, extra?: (ctx: ExtractContext, input: ItemInput) => Promise<void> | void) {
  const counter = { reads: 0 };
  const x: Extractor = {
    id,
    description: 'test',
    extensions: [],
    async extract(input, ctx) {
      counter.reads++;
      ctx.text('Side 1: Søren Østergård', { field: 'page 1', page: 1, ref: input.ref });
      await ctx.textStream(
        (async function* () {
          yield 'Navn\tCPR\n';
          yield 'Søren\t150387-1236\n';
        })(),
        { field: 'sheet Kunder', document: true },
      );
      ctx.text('Author: Mette', { field: 'pdf:info', structured: true });
      await extra?.(ctx, input);
    },
  };
  return { x, counter };
}

function setup() {
  const dir = tempTree();
  const path = join(dir, 'doc.pdf');
  writeFileSync(path, randomBytes(2000));
  const ref: TextCacheRef = { dir: join(dir, 'cache'), key: randomBytes(32).toString('hex') };
  return { dir, path, input: fileInput(path), ref };
}

async function read(
  x: Extractor,
  input: ItemInput,
  ref: TextCacheRef,
  limits?: Limits,
): Promise<{ calls: Call[]; errors: string[] }> {
  const { ctx, calls, errors } = contextFor(input, limits);
  await extractKept(x, input, ctx, ref, () => errors.length);
  return { calls, errors };
}

describe('extractKept', () => {
  it('replays a clean read of the same bytes call for call, options included, without the extractor', async () => {
    const { input, ref } = setup();
    const { x, counter } = extractor('pdf');
    const first = await read(x, input, ref);
    expect(counter.reads).toBe(1);
    expect(readdirSync(ref.dir)).toHaveLength(1);
    const again = await read(x, input, ref);
    expect(counter.reads).toBe(1);
    // The item's own ref is not kept: the engine's default is the same item.
    expect(again.calls).toEqual(
      first.calls.map(([k, t, o]) => [
        k,
        t,
        o && Object.fromEntries(Object.entries(o).filter(([n]) => n !== 'ref')),
      ]),
    );
    expect(again.calls).toEqual([
      ['text', 'Side 1: Søren Østergård', { field: 'page 1', page: 1 }],
      ['stream', ['Navn\tCPR\n', 'Søren\t150387-1236\n'], { field: 'sheet Kunder', document: true }],
      ['text', 'Author: Mette', { field: 'pdf:info', structured: true }],
    ]);
  });

  it('reads other bytes, other limits and a cheap format again', async () => {
    const { path, input, ref } = setup();
    const { x, counter } = extractor('pdf');
    await read(x, input, ref);
    await read(x, input, ref, { ...DEFAULT_LIMITS, maxTextChars: 1000 });
    expect(counter.reads).toBe(2);
    const bytes = readFileSync(path);
    bytes[0] ^= 1;
    writeFileSync(path, bytes);
    await read(x, input, ref);
    expect(counter.reads).toBe(3);
    const text = extractor('text');
    await read(text.x, input, ref);
    await read(text.x, input, ref);
    expect(text.counter.reads).toBe(2);
  });

  it('keeps nothing of a read that nests items, reports an error, a skip or text it cannot read, or asks about the subject', async () => {
    const cases: [string, (ctx: ExtractContext, input: ItemInput) => Promise<void> | void][] = [
      [
        'child',
        (ctx, input) =>
          ctx.child({
            ref: { path: input.ref.path, itemPath: ['a.txt'] },
            name: 'a.txt',
            source: { kind: 'buffer', data: new Uint8Array(1) },
          }),
      ],
      ['error', (ctx) => ctx.error('corrupt', 'bad page')],
      ['skip', (ctx) => ctx.skip('binary')],
      ['without text', (ctx) => ctx.withoutText({ kind: 'pages', pages: [2], total: 2 })],
      ['subject shortcut', (ctx) => void ctx.textClean?.('x')],
      ['another item', (ctx, input) => ctx.text('x', { ref: { path: input.ref.path, itemPath: ['m'] } })],
    ];
    for (const [what, extra] of cases) {
      const { input, ref } = setup();
      const { x, counter } = extractor('office', extra);
      await read(x, input, ref);
      await read(x, input, ref);
      expect(counter.reads, what).toBe(2);
    }
    // Thrown: the engine records the error; nothing is kept.
    const { input, ref } = setup();
    const { x, counter } = extractor('pdf', () => {
      throw new Error('parse failed');
    });
    await expect(read(x, input, ref)).rejects.toThrow('parse failed');
    await expect(read(x, input, ref)).rejects.toThrow('parse failed');
    expect(counter.reads).toBe(2);
  });
});

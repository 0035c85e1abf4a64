/**
 * readItemBytes finds a nested item again by re-running the extractor chain along its itemPath. Tested
 * with the real zip and mbox extractors and with a stub container format registered only here, which
 * shows that it is generic and that siblings are never extracted.
 */
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemInput } from '../../src/core/types.js';
import { readItemBytes } from '../../src/engine/locate.js';
import { entryName } from '../../src/export/export.js';
import type { Extractor } from '../../src/extract/api.js';
import { type Format, formats } from '../../src/extract/registry.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { MBOX } from '../helpers/report-tree.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** `.stub`: lines `name=content`; a content ending in `.stub>` nests another stub, `|` for newlines. */
const opened: string[] = [];
const stub: Extractor = {
  id: 'stub',
  description: 'test container',
  extensions: ['.stub'],
  async extract(input: ItemInput, ctx) {
    opened.push([input.ref.path, ...input.ref.itemPath].join(' > '));
    const text = Buffer.from(await ctx.readAll()).toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const at = line.indexOf('=');
      const name = line.slice(0, at);
      const body = line.slice(at + 1);
      await ctx.child({
        ref: { path: input.ref.path, itemPath: [...input.ref.itemPath, `part ${name}`] },
        name,
        source: { kind: 'buffer', data: enc(body.replaceAll('|', '\n')) },
      });
    }
  },
};

describe('readItemBytes', () => {
  const stubFormat: Format = { ...stub, load: async () => stub };
  beforeAll(() => {
    formats.unshift(stubFormat);
  });
  afterAll(() => {
    formats.splice(formats.indexOf(stubFormat), 1);
  });

  it('descends only along the wanted itemPath in a stub container, two levels deep', async () => {
    const dir = tempTree({
      'box.stub': 'a.txt=first\ninner.stub=x.txt=deep one|y.txt=deep two\nb.txt=second\n',
    });
    opened.length = 0;
    const path = join(dir, 'box.stub');
    const got = await readItemBytes(path, ['part inner.stub', 'part y.txt']);
    expect(Buffer.from(got!.bytes).toString('utf8')).toBe('deep two');
    expect(got!.name).toBe('y.txt');
    // Only the containers on the way were opened: not a.txt, not b.txt.
    expect(opened).toEqual([path, `${path} > part inner.stub`]);
    expect(Buffer.from((await readItemBytes(path, ['part b.txt']))!.bytes).toString()).toBe('second');
    expect(await readItemBytes(path, ['part missing.txt'])).toBeUndefined();
    expect(await readItemBytes(path, ['part inner.stub', 'part z.txt'])).toBeUndefined();
  });

  it('reads a zip member and an mbox message with the real extractors', async () => {
    const dir = tempTree({
      'a.zip': zipSync({ 'docs/cv.txt': enc('CV text'), 'other.txt': enc('other') }),
      'inbox.mbox': MBOX,
    });
    const member = await readItemBytes(join(dir, 'a.zip'), ['member docs/cv.txt']);
    expect(Buffer.from(member!.bytes).toString()).toBe('CV text');
    expect(member!.name).toBe('cv.txt');
    const message = await readItemBytes(join(dir, 'inbox.mbox'), ['message <frokost-2@example.dk>']);
    const text = Buffer.from(message!.bytes).toString();
    expect(text.startsWith('From other@firma.dk')).toBe(true);
    expect(text).toContain('Ingen persondata her.');
    expect(text).not.toContain('Ferie');
    expect(await readItemBytes(join(dir, 'a.zip'), ['member gone.txt'])).toBeUndefined();
  });

  it('returns the whole file for an empty itemPath and fails for a missing file', async () => {
    const dir = tempTree({ 'plain.txt': 'hello' });
    expect(Buffer.from((await readItemBytes(join(dir, 'plain.txt'), []))!.bytes).toString()).toBe('hello');
    await expect(readItemBytes(join(dir, 'nope.txt'), ['x'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('entryName', () => {
  it('keeps copies flat, numbered and free of path tricks', () => {
    const used = new Set<string>();
    expect(entryName(1, 1, '../../etc/passwd', used)).toBe('items/001-__.._etc_passwd');
    expect(entryName(2, 1, 'cv.pdf', used)).toBe('items/002-cv.pdf');
    expect(entryName(12, 4, 'a\u0000b:c.txt', used)).toBe('items/0012-a_b_c.txt');
    expect(entryName(2, 1, 'CV.pdf', used)).toBe('items/002-CV.pdf_');
  });
});

describe('readItemBytes: a child two steps down', () => {
  it('finds a database row (`table T` › `row N`), also inside a 7z', async () => {
    const data = join(PROJECT, 'fixtures/data');
    const row = await readItemBytes(join(data, 'crm.sqlite'), ['table customers', 'row 17']);
    expect(row?.bytes.toString('utf8')).toContain('["email","soren.ostergard@example.dk"]');
    const nested = await readItemBytes(join(data, 'bundle.7z'), [
      'member crm.sqlite',
      'table orders',
      `row "order_no" = 'A-1001'`,
    ]);
    expect(nested?.bytes.toString('utf8')).toContain('["customer_email","soren.ostergard@example.dk"]');
    expect(await readItemBytes(join(data, 'crm.sqlite'), ['table customers', 'row 99'])).toBeUndefined();
  });
});

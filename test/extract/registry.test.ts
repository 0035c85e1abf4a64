/**
 * The registry chooses extractors from light format descriptions and loads each extractor on first
 * use: every description must load the extractor it stands for, and choosing must not load any.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ItemInput } from '../../src/core/types.js';
import { formatForName, formats, selectExtractor, selectFormat } from '../../src/extract/registry.js';

const input = (name: string): ItemInput => ({
  ref: { path: `/x/${name}`, itemPath: [] },
  name,
  source: { kind: 'buffer', data: new Uint8Array() },
  depth: 1,
});

describe('extractor registry', () => {
  it.each(formats.map((f) => [f.id, f] as const))('format %s loads its own extractor', async (_id, f) => {
    const extractor = await f.load();
    expect(extractor.id).toBe(f.id);
    expect(extractor.extensions).toEqual(f.extensions);
    expect(extractor.sniff).toBe(f.sniff);
    expect(await f.load()).toBe(extractor);
  });

  it.each([
    ['photo.JPG', 'media'],
    ['IMG_1.jpg.json', 'takeout'],
    ['report.pdf', 'pdf'],
    ['backup.tar.gz', 'gzip'],
    ['.picasa.ini', 'picasa'],
    ['notes.txt', 'text'],
    ['data.ndjson', 'json'],
  ])('%s is claimed by name by %s', (name, id) => {
    expect(formatForName(name)?.id).toBe(id);
    // Asked again (from its table of extensions), the same.
    expect(formatForName(name.toUpperCase())?.id).toBe(id);
  });

  it('answers for a format registered after the extension was first asked for', () => {
    expect(formatForName('a.stubby')).toBeUndefined();
    const stub = { ...formats[0], id: 'stubby', extensions: ['.stubby'] };
    formats.unshift(stub);
    try {
      expect(formatForName('a.stubby')?.id).toBe('stubby');
    } finally {
      formats.splice(formats.indexOf(stub), 1);
    }
    expect(formatForName('a.stubby')).toBeUndefined();
  });

  it.each([
    ['%PDF-1.7\n', 'pdf'],
    ['From a@b.dk Mon Jan  1 00:00:00 2024\nFrom: a@b.dk\n', 'mbox'],
    ['From: a@b.dk\nTo: c@d.dk\nSubject: x\n\nbody', 'eml'],
    ['<!DOCTYPE html><html>', 'html'],
    ['just words', 'text'],
  ])('unnamed bytes %j are claimed by %s', async (head, id) => {
    const bytes = new TextEncoder().encode(head);
    expect(selectFormat(input('noext'), bytes).id).toBe(id);
    expect((await selectExtractor(input('noext'), bytes)).id).toBe(id);
  });

  it('chooses by name and by first bytes without loading any extractor module (built dist)', () => {
    // A loader hook reports every module file loaded; the script only chooses formats.
    const hook = `export async function load(u, c, n) { if (u.startsWith('file:')) process._rawDebug('LOADED ' + u); return n(u, c); }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const script = `
      const r = await import('./dist/src/extract/registry.js');
      const heads = ['%PDF-1.7', 'From a@b.dk Mon Jan  1 00:00:00 2024\\nFrom: x', '<html>', 'PK\\x03\\x04', 'text'];
      for (const h of heads) r.selectFormat({ name: 'noext', depth: 1, ref: { path: 'x', itemPath: [] } }, Buffer.from(h));
      for (const n of ['a.pdf', 'a.eml', 'a.zip', 'a.jpg', 'a.html', 'a.msg']) r.formatForName(n);
    `;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        script,
      ],
      {
        cwd: process.cwd(),
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const loaded = run.stderr.split('\n').filter((l) => l.startsWith('LOADED '));
    expect(loaded.some((l) => l.endsWith('/extract/registry.js'))).toBe(true);
    const extractorModules = loaded.filter((l) =>
      /\/extract\/(pdf\/pdf|mail\/(mbox|eml|msg|pst|maildir|message)|html\/html|archive\/(zip|tar|gzip)|media\/(media|picasa|takeout|probe|exiftool)|office\/office)\.js$/.test(
        l,
      ),
    );
    expect(extractorModules).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { howToShare, mayShare } from '../../../src/engine/schedule/huge-files.js';

const MiB = 1024 * 1024;
const split = { minBytes: 64 * MiB, rangeBytes: 16 * MiB, mailboxBytes: 8 * MiB, textBytes: 8 * MiB };
const subjectScan = { split, concurrency: 2, index: undefined, all: false, subject: { name: 'A B' } };
const inventory = { ...subjectScan, all: true };
const indexRun = { ...subjectScan, subject: null, index: { collector: 'file:///x.js', key: 'k' } };

describe('mayShare', () => {
  it('from the smallest of the sizes at which anything is shared, never in-process', () => {
    expect(mayShare({ split, inProcess: false }, 8 * MiB - 1)).toBe(false);
    expect(mayShare({ split, inProcess: false }, 8 * MiB)).toBe(true);
    expect(mayShare({ split, inProcess: true }, 100 * MiB)).toBe(false);
    expect(mayShare({ split: { ...split, textBytes: 2 * MiB }, inProcess: false }, 2 * MiB)).toBe(true);
  });
});

describe('howToShare', () => {
  it('shares mailboxes and zips in parts from mailboxBytes on, with two threads and outside an index', () => {
    expect(howToShare(subjectScan, 'mbox', 8 * MiB)).toBe('mailbox-parts');
    expect(howToShare(inventory, 'zip', 8 * MiB)).toBe('zip-parts');
    expect(howToShare(subjectScan, 'mbox', 8 * MiB - 1)).toBeUndefined();
    expect(howToShare({ ...subjectScan, concurrency: 1 }, 'zip', 100 * MiB)).toBeUndefined();
    expect(howToShare(indexRun, 'mbox', 100 * MiB)).toBeUndefined();
  });

  it('shares a subject scan’s raw-byte pass over plain text and JSON from minBytes on', () => {
    expect(howToShare(subjectScan, 'text', 64 * MiB)).toBe('raw-pass-ranges');
    expect(howToShare(subjectScan, 'json', 64 * MiB)).toBe('raw-pass-ranges');
    expect(howToShare(subjectScan, 'text', 64 * MiB - 1)).toBeUndefined();
  });

  it('shares an inventory’s full read of plain text from textBytes on', () => {
    expect(howToShare(inventory, 'text', 8 * MiB)).toBe('text-ranges');
    expect(howToShare(inventory, 'text', 8 * MiB - 1)).toBeUndefined();
  });

  it('shares an index’s full read of plain text from minBytes on only', () => {
    expect(howToShare(indexRun, 'text', 64 * MiB)).toBe('text-ranges');
    expect(howToShare(indexRun, 'text', 32 * MiB)).toBeUndefined();
    expect(howToShare({ ...indexRun, all: true }, 'text', 32 * MiB)).toBeUndefined();
  });

  it('reads any other format, or an unknown one, as any other file', () => {
    for (const format of ['pdf', 'docx', 'eml', undefined])
      expect(howToShare(inventory, format, 500 * MiB)).toBeUndefined();
    expect(howToShare({ ...subjectScan, subject: null }, 'text', 500 * MiB)).toBeUndefined();
  });
});

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { Finding, ItemInput } from '../../src/core/types.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { ELEMENT_SEP } from '../../src/scan-file/json-array-spool.js';
import { subjectOf } from '../helpers/detector-tester.js';

/**
 * A worker serialises each finding as it is found and sets its item's evidence once the item is read
 * (`pack`). Every fixture, nested messages, attachments and archive members included, must come out
 * exactly as the findings built as objects: same findings in the same order, counts and path names.
 */
const subject = subjectOf();
const root = join(import.meta.dirname, '../../fixtures');
const files = [
  'demo/Søren_Østergård/billeder.txt',
  'demo/hr/personaleliste.csv',
  'demo/hr/ansaettelseskontrakt.txt',
  'mail/eml/attachments.eml',
  'mail/eml/latin1-qp.eml',
  'mail/mbox/archive.mbox',
  'documents/bundle.zip',
  'documents/backup.tar.gz',
  'documents/customers.xlsx',
  'documents/cv.pdf',
  'documents/report-xmp.pdf',
  'media/mwg-regions.jpg',
  'media/iptc-person.jpg',
];

function inputOf(rel: string): ItemInput {
  const absPath = join(root, rel);
  const base = join(root, rel.split('/')[0]);
  return {
    ref: { path: absPath, itemPath: [] },
    name: rel.split('/').pop()!,
    source: { kind: 'file', absPath, size: statSync(absPath).size },
    depth: 0,
    root: base,
  };
}

function unpacked(elements: Uint8Array[]): Finding[] {
  // Each element follows `,\n    `: without the first comma they form a JSON array's body.
  const text = Buffer.concat(elements).toString('utf8');
  return JSON.parse(`[${text.slice(1)}]`) as Finding[];
}

describe('findings packed as they are found', () => {
  it('the fixtures exist', () => {
    for (const f of files) expect(statSync(join(root, f)).isFile()).toBe(true);
    expect(readdirSync(root).length).toBeGreaterThan(0);
  });

  it.each(files)('%s: the same findings as objects, with the item evidence set', async (rel) => {
    const opts = { subject, all: true, limits: DEFAULT_LIMITS };
    const objects = await scanTopLevel(inputOf(rel), opts);
    const packed = await scanTopLevel(inputOf(rel), { ...opts, pack: true });
    expect(objects.findings.length).toBeGreaterThan(0);
    expect(packed.findings).toEqual([]);
    expect(packed.packed?.count).toBe(objects.findings.length);
    expect(unpacked(packed.packed!.elements)).toEqual(JSON.parse(JSON.stringify(objects.findings)));
    // Byte for byte what serialising each object gives (most are written without an object).
    expect(Buffer.concat(packed.packed!.elements).toString('utf8')).toBe(
      objects.findings.map((f) => `${ELEMENT_SEP}${JSON.stringify(f)}`).join(''),
    );
    const counts: Record<string, number> = {};
    for (const f of objects.findings) {
      const key = `${f.detector}:${f.subject ? 'subject' : 'other'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    expect(packed.packed?.counts).toEqual(counts);
    expect(packed.packed?.pathNames).toEqual(
      objects.findings.filter((f) => f.detector === 'name' && f.location.field === 'path'),
    );
    const { findings: _a, packed: _b, items: itemsA, ...restA } = packed;
    const { findings: _c, items: itemsB, ...restB } = objects;
    expect(restA).toEqual(restB);
    const noTime = (items: typeof itemsA) => items.map(({ scannedAt: _, ...i }) => i);
    expect(noTime(itemsA)).toEqual(noTime(itemsB));
    if (rel.includes('Søren')) expect(packed.packed?.pathNames.length).toBeGreaterThan(0);
    expect(relative(root, inputOf(rel).ref.path)).toBe(rel);
  });

  it('an item of the subject gives every one of its findings its evidence, others included', async () => {
    const packed = await scanTopLevel(inputOf('demo/hr/personaleliste.csv'), {
      subject,
      all: true,
      limits: DEFAULT_LIMITS,
      pack: true,
    });
    const found = unpacked(packed.packed!.elements);
    expect(found.some((f) => f.subject)).toBe(true);
    expect(found.some((f) => !f.subject)).toBe(true);
    expect(new Set(found.map((f) => f.evidence))).toEqual(new Set([packed.items[0].evidence]));
  });
});

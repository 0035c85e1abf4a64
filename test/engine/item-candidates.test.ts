import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import type { PlacedCandidate } from '../../src/engine/evidence.js';
import { ItemCandidates } from '../../src/engine/item-candidates.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { subjectOf } from '../helpers/detector-tester.js';

const subject = subjectOf();
/** The offsets of the candidates each ItemCandidates listed, in order. */
const listedOffsets = new WeakMap<ItemCandidates, number[]>();
const listed = (c: ItemCandidates) => listedOffsets.get(c) ?? [];
/** Adds a candidate (an e-mail address of someone else unless `o` says otherwise); true when listed. */
function add(c: ItemCandidates, o: Partial<PlacedCandidate>, stream: number): boolean {
  const { field = 'body', offset = 0, structured, ...rest } = o;
  const candidate = {
    detector: 'email' as const,
    start: 0,
    end: 1,
    value: 'x@example.dk',
    subject: false,
    confidence: 1,
    ...rest,
  };
  const placed = c.add(candidate, { field, offset, structured }, stream);
  if (placed) listedOffsets.set(c, [...listed(c), offset]);
  return placed;
}

describe('ItemCandidates', () => {
  it('counts an identifier at one place once: within a chunk, and across streams of one field', () => {
    const c = new ItemCandidates(subject, true, 100);
    c.startChunk();
    expect(add(c, { offset: 5 }, 1)).toBe(true);
    expect(add(c, { offset: 5 }, 1)).toBe(false);
    expect(add(c, { offset: 5, detector: 'phone' }, 1)).toBe(true);
    c.startChunk();
    expect(add(c, { offset: 9 }, 1)).toBe(true);
    // A second stream of the same field starts its offsets at 0 again.
    c.startChunk();
    expect(add(c, { offset: 9 }, 2)).toBe(false);
    expect(add(c, { offset: 5 }, 2)).toBe(false);
    expect(add(c, { offset: 7 }, 2)).toBe(true);
    // Another field's chunk (a chunk's candidates all share its field).
    c.startChunk();
    expect(add(c, { offset: 5, field: 'subject' }, 2)).toBe(true);
    // And a third sees both earlier ones.
    c.startChunk();
    expect(add(c, { offset: 7 }, 3)).toBe(false);
    expect(add(c, { offset: 9 }, 3)).toBe(false);
    expect(c.others).toEqual({ email: 4, phone: 1 });
    expect(listed(c)).toHaveLength(5);
  });

  it('tells a repeat among matches out of order in a chunk (aliases of one name)', () => {
    const c = new ItemCandidates(subject, false, 100);
    c.startChunk();
    const name = (offset: number) => add(c, { offset, detector: 'name', subject: true, value: 'Søren' }, 1);
    expect([name(100), name(300), name(50), name(100), name(50), name(300), name(400)]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      true,
    ]);
    c.startChunk();
    expect(name(500)).toBe(true);
    expect(listed(c)).toEqual([100, 300, 50, 400, 500]);
  });

  it('lists up to its limit per kind and counts the rest, which still weigh in the evidence', () => {
    const c = new ItemCandidates(subject, false, 3);
    c.startChunk();
    for (let i = 0; i < 10; i++) add(c, { offset: i * 100, detector: 'cpr', value: '010190-1234' }, 1);
    for (let i = 0; i < 5; i++)
      add(c, { offset: 2000 + i * 10, detector: 'name', value: 'Søren Østergård', subject: true }, 1);
    expect(listed(c)).toEqual([2000, 2010, 2020]);
    expect(c.overflow).toBe(true);
    expect(c.others).toEqual({ cpr: 10 });
    expect(c.subjectDetectors).toEqual(new Set(['name']));
    // The ninth CPR (offset 900) is far from the names; add one next to the last name.
    expect(c.evidence.evidence()).toBe('possible');
    add(c, { offset: 2100, detector: 'cpr', value: '020285-2345' }, 1);
    expect(c.evidence.evidence()).toBe('namesake');
  });
});

describe('findings listed per item', () => {
  const input = (text: string): ItemInput => {
    const data = new Uint8Array(Buffer.from(text));
    return {
      ref: { path: '/x/kunder.csv', itemPath: [] },
      name: 'kunder.csv',
      source: { kind: 'buffer', data },
      depth: 1,
    };
  };
  const rows = Array.from({ length: 50 }, (_, i) => `${i};kunde${i}@example.dk`).join('\n');

  it('--all lists the first --max-findings of other people, with a limit error, and the item keeps its counts', async () => {
    const text = `${rows}\nsoren.ostergard@example.dk\n`;
    const r = await scanTopLevel(input(text), {
      subject,
      all: true,
      limits: { ...DEFAULT_LIMITS, maxFindings: 20 },
    });
    expect(r.findings.filter((f) => !f.subject)).toHaveLength(20);
    expect(r.findings.filter((f) => f.subject)).toHaveLength(1);
    expect(r.errors.map((e) => e.kind)).toEqual(['limit']);
    expect(r.errors[0].message).toContain('--max-findings');
    expect(r.items[0].others).toEqual({ email: 50 });
    expect(r.items[0].evidence).toBe('confirmed');
  });

  it('lists everything, without an error, under the limit', async () => {
    const r = await scanTopLevel(input(rows), { subject, all: true, limits: DEFAULT_LIMITS });
    expect(r.findings).toHaveLength(50);
    expect(r.errors).toEqual([]);
  });
});

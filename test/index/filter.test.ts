import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FilterHasher } from '../../src/index/filter-hash.js';
import {
  blockHas,
  blockRange,
  filterBytesFor,
  filterBytesForTokens,
  MAX_FILTER_BYTES,
  TokenFilter,
} from '../../src/index/token-filter.js';
import { MAX_TOKENS, TokenCollector } from '../../src/index/tokens.js';

/** A stand-in for a token's MAC: 16 bytes of SHA-256. */
const macOf = (token: string) => createHash('sha256').update(token).digest().subarray(0, 16);
const macs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => macOf(`${prefix}${i}`));

describe('token filter', () => {
  it.each([
    [0, 64 * 1024],
    [524_288, 64 * 1024],
    [524_289, 128 * 1024],
    [1_000_000, 128 * 1024],
    [32 * 1024 * 1024, 4 * 1024 * 1024],
    [5e12, 4 * 1024 * 1024],
  ])('an item of %d bytes gets a filter of %d', (bytes, filter) => {
    expect(filterBytesFor(bytes)).toBe(filter);
  });

  it.each([
    [0, 64 * 1024],
    [32_768, 64 * 1024],
    [32_769, 128 * 1024],
    [200_001, 512 * 1024],
    [3_500_000, 4 * 1024 * 1024],
    [1e9, 4 * 1024 * 1024],
  ])('an item of %d tokens gets a filter of %d', (tokens, filter) => {
    expect(filterBytesForTokens(tokens)).toBe(filter);
  });

  it('folds a filter to a smaller size exactly as if its tokens had been added at that size', () => {
    const large = new TokenFilter(1024 * 1024);
    const small = new TokenFilter(64 * 1024);
    for (const m of macs('f', 30_000)) {
      large.add(m);
      small.add(m);
    }
    const folded = large.foldTo(64 * 1024);
    expect(folded.bits.length).toBe(64 * 1024);
    expect(Buffer.from(folded.bits).equals(Buffer.from(small.bits))).toBe(true);
    expect(large.foldTo(1024 * 1024)).toBe(large);
    expect(large.foldTo(4 * 1024 * 1024)).toBe(large);
  });

  it('finds every token added, and few of those not (13 bits a token)', () => {
    const filter = new TokenFilter(64 * 1024);
    const added = macs('in', 40_000);
    for (const m of added) filter.add(m);
    expect(added.filter((m) => !filter.has(m))).toHaveLength(0);
    const absent = macs('out', 20_000);
    const falsePositives = absent.filter((m) => filter.has(m)).length;
    expect(falsePositives).toBeGreaterThan(0);
    expect(falsePositives / absent.length).toBeLessThan(0.015);
  });

  it('merges the filters of parts into the filter of the whole', () => {
    const whole = new TokenFilter(64 * 1024);
    const first = new TokenFilter(64 * 1024);
    const second = new TokenFilter(64 * 1024);
    macs('a', 5000).forEach((m, i) => {
      whole.add(m);
      (i % 2 ? first : second).add(m);
    });
    first.merge(second.bits);
    expect(Buffer.from(first.bits).equals(Buffer.from(whole.bits))).toBe(true);
    expect(() => first.merge(new Uint8Array(128 * 1024))).toThrow(/different sizes/);
    expect(() => new TokenFilter(3 * 64)).toThrow(/power of two/);
  });

  it('tests a token on its block alone, as a store reading pages does', () => {
    const filter = new TokenFilter(128 * 1024);
    const added = macs('p', 3000);
    for (const m of added) filter.add(m);
    for (const m of [...added, ...macs('q', 3000)]) {
      const [from, to] = blockRange(m, filter.bits.length);
      expect(to - from).toBe(64);
      expect(blockHas(filter.bits.subarray(from, to), m)).toBe(filter.has(m));
    }
  });

  it('a collector lists an item’s tokens up to MAX_TOKENS, and past them puts them all in its filter', () => {
    const hasher = new FilterHasher(Buffer.alloc(16, 7));
    const hashOf = (t: string) => Buffer.from(hasher.hash([t]));
    const words = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `k${from + i}@x.dk`).join('\n');
    const listed = new TokenCollector({ filterBytes: 1024 * 1024, hasher });
    listed.add(words(0, 1000));
    listed.finish();
    expect(listed.filter).toBeUndefined();
    expect(listed.tokens.has('e:k999@x.dk')).toBe(true);

    // Collected in the largest filter, and folded to the size its tokens need when the item ends.
    const rich = new TokenCollector({ filterBytes: MAX_FILTER_BYTES, hasher });
    for (let from = 0; from < MAX_TOKENS + 50_000; from += 10_000) rich.add(words(from, 10_000));
    rich.finish();
    expect(rich.tokens.size).toBe(0);
    expect(rich.filter!.bits.length).toBe(filterBytesForTokens(MAX_TOKENS + 50_000));
    for (const i of [0, 1, MAX_TOKENS - 1, MAX_TOKENS + 1, MAX_TOKENS + 49_999])
      expect(rich.filter!.has(hashOf(`e:k${i}@x.dk`)), `k${i}`).toBe(true);
    const absent = Array.from({ length: 20_000 }, (_, i) => hashOf(`e:absent${i}@x.dk`));
    expect(absent.filter((h) => rich.filter!.has(h)).length / absent.length).toBeLessThan(0.005);

    // A part of a huge file puts even a few tokens in its filter (see RangeMerger), and an empty part
    // has an empty one.
    const part = new TokenCollector({ filterBytes: 128 * 1024, hasher, filterOnly: true });
    part.add('skriv til k1@x.dk');
    part.finish();
    expect(part.tokens.size).toBe(0);
    // Not folded: the parts' filters are merged, and must keep the size they were given.
    expect(part.filter!.bits.length).toBe(128 * 1024);
    expect(part.filter!.has(hashOf('e:k1@x.dk'))).toBe(true);
    const empty = new TokenCollector({ filterBytes: 64 * 1024, hasher, filterOnly: true });
    empty.finish();
    expect(empty.filter!.bits.every((b) => b === 0)).toBe(true);
  });

  it('hashes tokens with SipHash-2-4, as its authors’ test vectors give', () => {
    // The paper's key 00 01 … 0f; messages 00 01 … (n − 1).
    const hasher = new FilterHasher(Uint8Array.from({ length: 16 }, (_, i) => i));
    const message = (n: number) => String.fromCharCode(...Array.from({ length: n }, (_, i) => i));
    const hashes = hasher.hash([message(0), message(1), message(7), message(8), message(15), message(63)]);
    const words = Array.from({ length: 6 }, (_, i) =>
      Buffer.from(hashes.subarray(8 * i, 8 * i + 8)).readBigUInt64LE(),
    );
    expect(words.map((w) => w.toString(16).padStart(16, '0'))).toEqual([
      '726fdb47dd0e0e31',
      '74f839c593dc67fd',
      'ab0200f58b01d137',
      '93f5f5799a932462',
      'a129ca6149be45e5',
      '958a324ceb064572',
    ]);
    // Many at once, of every length and in UTF-8, as one at a time.
    const tokens = Array.from({ length: 3000 }, (_, i) => `w:${'ø'.repeat(i % 40)}${i}`);
    const all = Buffer.from(hasher.hash(tokens));
    tokens.forEach((t, i) => {
      expect(Buffer.from(hasher.hash([t])).equals(all.subarray(8 * i, 8 * i + 8)), t).toBe(true);
    });
  });
});

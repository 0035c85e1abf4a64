/**
 * The tokens of an item too rich to list them (a large export, a big mailbox), kept as a blocked Bloom
 * filter: a query tests the subject's tokens against it and re-reads the item only when one may be in
 * it. A false positive costs a re-read, never a missed finding.
 *
 * Each token sets K bits in one 64-byte block, both chosen by the token's 8-byte keyed hash (see
 * FilterHasher): a test reads one block a token, so a store can keep the filter in pages and a query
 * fetches only the pages it needs. Without the index key the bits tell nothing about the tokens.
 */
export const FILTER_BLOCK_BYTES = 64;
const BLOCK_BITS = FILTER_BLOCK_BYTES * 8;
/** Bits set per token: about the best for 10–20 bits a token (see filterBytesFor). */
const K = 8;

const MIN_FILTER_BYTES = 64 * 1024;
/**
 * The largest filter (33.5 Mbit). Each worker reading a part of the item holds one, and so does the
 * main thread merging them: with 16 MiB an index of a 75 MB export peaked at 323 MB.
 */
export const MAX_FILTER_BYTES = 4 * 1024 * 1024;
/** Bits a token at least in a filter sized by its tokens: ~0.3 % false positives a token, at most. */
const BITS_PER_TOKEN = 16;

/**
 * The size of the filter of a part of a huge text file, which must be the same for every part (see
 * RangeMerger): a power of two near an eighth of the file, between 64 KiB and 4 MiB. A list of
 * addresses holds about a token per 10 bytes, so that is 10–20 bits a token; a file past 32 MB of such
 * text fills its filter more (a 75 MB export of 3.5 million tokens: ~10 bits a token), and is re-read
 * more often, as every such item was before filters.
 */
export function filterBytesFor(itemBytes: number): number {
  let n = MIN_FILTER_BYTES;
  while (n < MAX_FILTER_BYTES && n * 8 < itemBytes) n *= 2;
  return n;
}

/**
 * The size of the filter of an item of this many tokens: a power of two of at least BITS_PER_TOKEN
 * bits a token, between 64 KiB and 4 MiB. Sized by the file instead, a compressed item (a `.csv.gz`
 * of 13 MB holding 3.5 million tokens) got ~5 bits a token and 2 % false positives a token.
 */
export function filterBytesForTokens(tokens: number): number {
  let n = MIN_FILTER_BYTES;
  while (n < MAX_FILTER_BYTES && n * 8 < tokens * BITS_PER_TOKEN) n *= 2;
  return n;
}

export class TokenFilter {
  readonly bits: Uint8Array;
  private readonly blockMask: number;

  /** A new, empty filter of `bytes` bytes, or one over stored bits. */
  constructor(bytesOrBits: number | Uint8Array) {
    this.bits = typeof bytesOrBits === 'number' ? new Uint8Array(bytesOrBits) : bytesOrBits;
    const blocks = this.bits.length / FILTER_BLOCK_BYTES;
    if (!Number.isInteger(blocks) || blocks < 1 || (blocks & (blocks - 1)) !== 0)
      throw new Error(`a token filter is a power of two of ${FILTER_BLOCK_BYTES}-byte blocks`);
    this.blockMask = blocks - 1;
  }

  add(hash: Uint8Array): void {
    const at = blockOf(hash, this.blockMask) * FILTER_BLOCK_BYTES;
    forEachBit(hash, (bit) => {
      this.bits[at + (bit >>> 3)] |= 1 << (bit & 7);
    });
  }

  /** Whether the token may be in the item (false: it surely is not). */
  has(hash: Uint8Array): boolean {
    return blockHas(this.bits.subarray(...blockRange(hash, this.bits.length)), hash);
  }

  /**
   * The filter of the same tokens at a smaller size (a power of two of blocks): a token's block is
   * the low bits of its hash, so block b of this filter lands on block b mod the new count of blocks,
   * and OR-ing this filter's slices of the new size together gives exactly the filter that adding the
   * tokens at that size would have made.
   */
  foldTo(bytes: number): TokenFilter {
    if (bytes >= this.bits.length) return this;
    const folded = new TokenFilter(bytes);
    const into = new Uint32Array(folded.bits.buffer);
    const from = new Uint32Array(this.bits.buffer, this.bits.byteOffset, this.bits.length / 4);
    for (let at = 0; at < from.length; at += into.length)
      for (let i = 0; i < into.length; i++) into[i] |= from[at + i];
    return folded;
  }

  /** Adds every token of another filter of the same size (the parts of one item). */
  merge(other: Uint8Array): void {
    if (other.length !== this.bits.length) throw new Error('token filters of different sizes');
    for (let i = 0; i < other.length; i++) this.bits[i] |= other[i];
  }
}

/** The byte range `[from, to)` of the block a token's bits are in, in a filter of `filterBytes`. */
export function blockRange(hash: Uint8Array, filterBytes: number): [number, number] {
  const at = blockOf(hash, filterBytes / FILTER_BLOCK_BYTES - 1) * FILTER_BLOCK_BYTES;
  return [at, at + FILTER_BLOCK_BYTES];
}

/** Whether a token's bits are all set in its block (as `blockRange` gives it). */
export function blockHas(block: Uint8Array, hash: Uint8Array): boolean {
  let all = true;
  forEachBit(hash, (bit) => {
    if ((block[bit >>> 3] & (1 << (bit & 7))) === 0) all = false;
  });
  return all;
}

function blockOf(hash: Uint8Array, blockMask: number): number {
  return ((hash[0] | (hash[1] << 8) | (hash[2] << 16) | (hash[3] << 24)) >>> 0) & blockMask;
}

/** The token's K bits within its block, by double hashing on two further parts of its MAC. */
function forEachBit(hash: Uint8Array, fn: (bit: number) => void): void {
  const h1 = (hash[4] | (hash[5] << 8)) % BLOCK_BITS;
  const h2 = ((hash[6] | (hash[7] << 8)) % BLOCK_BITS) | 1;
  for (let i = 0; i < K; i++) fn((h1 + i * h2) % BLOCK_BITS);
}

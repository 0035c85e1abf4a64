import { createHmac } from 'node:crypto';
import { ModuleInstance } from '../byte-scan/index.js';

/**
 * The keyed hashes that place tokens in a token filter: SipHash-2-4, a keyed function made for short
 * inputs, in the byte-scan WebAssembly module. An item past MAX_TOKENS has millions of tokens (a 75 MB
 * export: 3.5 million), and an HMAC each (~2.5 µs in Node) was most of its index run; a listed token
 * keeps its HMAC, which is what the index stores.
 */
export class FilterHasher extends ModuleInstance {
  private readonly sipHashes = this.exports.sipHashes as (
    key: number,
    data: number,
    ends: number,
    n: number,
    out: number,
  ) => void;

  /** `filterKey`: 16 bytes (see filterKeyOf). */
  constructor(filterKey: Uint8Array) {
    super();
    this.bytes.set(filterKey.subarray(0, 16), KEY);
  }

  /** Each token's 8-byte hash, in order: a view of the module's memory, valid until the next call. */
  hash(tokens: readonly string[]): Uint8Array {
    let units = 0;
    for (const t of tokens) units += t.length;
    const ends = KEY + 16;
    const out = ends + 4 * tokens.length;
    const data = out + 8 * tokens.length;
    // UTF-8 takes at most three bytes a UTF-16 unit; the module reads up to 7 bytes past the last.
    this.reserve(data + 3 * units + 8);
    const endsView = new Int32Array(this.memory.buffer, ends, tokens.length);
    let at = data;
    for (let i = 0; i < tokens.length; i++) {
      at += this.bytes.write(tokens[i], at, 'utf8');
      endsView[i] = at;
    }
    this.sipHashes(KEY, data, ends, tokens.length, out);
    return this.bytes.subarray(out, out + 8 * tokens.length);
  }
}

/** Where the key lies in the module's memory. */
const KEY = 0;

/** The filter key of an index: derived from its MAC key, so that workers, given that, need nothing more. */
export function filterKeyOf(macKey: Uint8Array): Buffer {
  return createHmac('sha256', macKey).update('dsr token filter').digest().subarray(0, 16);
}

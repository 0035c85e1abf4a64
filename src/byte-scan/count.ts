import { ModuleInstance } from './instance.js';

/** What `ByteCounter.count` finds in a block of bytes. */
export interface ByteCounts {
  /** Bytes 0x80–0xBF: UTF-8 continuation bytes. */
  continuation: number;
  /** Bytes from 0xF0: leads of 4-byte sequences (two UTF-16 units each). */
  fourByteLeads: number;
  lineFeeds: number;
  /** A byte from 0xCC occurs: in UTF-8, a character from U+0300 up, which NFC may change. */
  fromU0300: boolean;
}

const OUT = 0;
const DATA = 16;

/**
 * Counts a block of bytes 16 at a time (the module's `count`): the UTF-16 length and lines of valid
 * UTF-8 text without decoding it.
 */
export class ByteCounter extends ModuleInstance {
  private readonly run = this.exports.count as (data: number, len: number, out: number) => void;

  count(bytes: Uint8Array): ByteCounts {
    this.reserve(DATA + bytes.length);
    this.bytes.set(bytes, DATA);
    this.run(DATA, bytes.length, OUT);
    const out = new Int32Array(this.memory.buffer, OUT, 4);
    return { continuation: out[0], fourByteLeads: out[1], lineFeeds: out[2], fromU0300: out[3] !== 0 };
  }
}

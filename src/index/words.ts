import { align, LETTER_LIMIT, letterBits, ModuleInstance } from '../byte-scan/index.js';

export { LETTER_LIMIT };

/**
 * The words (`\p{L}+` runs, as a `u`-flag regex sees them) of a text that are new to an item, found by
 * the byte-scan module's `newWords` over the text's UTF-16 units: most words of a text repeat, and
 * finding and hashing each letter run in JavaScript (~20 ns a character) was about half of a `dsr
 * index` worker's time.
 *
 * Remembering words only saves work: a word reported again gives the same token, which the item's
 * token set (or filter) already holds. So each item's words may be forgotten at any time (a second
 * item read on the same thread meanwhile, past the limit, a word of 13 units or more) but never one
 * reported fewer than once.
 */
export class SeenWords {
  constructor(private readonly limit: number) {
    if (limit > TABLE_SLOTS / 2) throw new Error(`SeenWords: at most ${TABLE_SLOTS / 2} words`);
  }

  /** Calls `fn` with each word of `text` of at least two code units not seen in an earlier call or before in it. */
  forEachNew(text: string, fn: (word: string) => void): void {
    scanner ??= new WordScanner();
    if (owner !== this) {
      scanner.reset(this.limit);
      owner = this;
    }
    const words = scanner.scan(text);
    for (let k = 0; k < words.length; k += 2) fn(text.slice(words[k], words[k + 1]));
  }
}

/** This thread's scanner, and the item whose words its table holds. */
let scanner: WordScanner | undefined;
let owner: SeenWords | undefined;

const TABLE_SLOTS = 1 << 17;
/** Only words shorter than this are remembered: 12 units, 24 bytes, at most. */
const KEPT_UNITS = 12;

const STATE = 0;
const LETTERS = 16;
const TABLE = LETTERS + LETTER_LIMIT / 8;
const ARENA = TABLE + TABLE_SLOTS * 16;

/** The module's `newWords` with its letter table, a table of the words seen and the arena holding them. */
class WordScanner extends ModuleInstance {
  private readonly newWords = this.exports.newWords as (
    data: number,
    len: number,
    state: number,
    letters: number,
    table: number,
    mask: number,
    arena: number,
    out: number,
  ) => number;
  private limit = 0;

  constructor() {
    super();
    this.bytes.set(letterBits(), LETTERS);
  }

  /** Forgets every word: slots of an older generation are empty. */
  reset(limit: number): void {
    this.reserve(ARENA + limit * KEPT_UNITS * 2);
    const state = new Int32Array(this.memory.buffer, STATE, 4);
    state[0]++;
    state[1] = 0;
    state[2] = 0;
    state[3] = limit;
    this.limit = limit;
  }

  /** `[start0, end0, start1, end1, …]` of the new words: a view of the module's memory, valid until the next call. */
  scan(text: string): Int32Array {
    const data = align(ARENA + this.limit * KEPT_UNITS * 2);
    const out = align(data + text.length * 2);
    // A word takes two units and a separator at least; each is first written as [start, end, hash].
    this.reserve(out + (Math.ceil(text.length / 3) + 1) * 12);
    this.bytes.write(text, data, 'utf16le');
    const n = this.newWords(data, text.length, STATE, LETTERS, TABLE, TABLE_SLOTS - 1, ARENA, out);
    return new Int32Array(this.memory.buffer, out, n * 2);
  }
}

// The byte-scan module's WebAssembly, in AssemblyScript: generic searches over bytes and UTF-16 units
// that V8 does several times slower (see bench/byte-scan.ts for each one's figures). Built by
// `npm run wasm` (../build.mjs) into ../wasm.ts; the JavaScript side, which lays out the memory each
// function reads, is in the other files of src/byte-scan/.
//
// Every function works on addresses in the module's memory, which the caller fills and grows; the module
// keeps no state of its own, allocates nothing and imports nothing.

// ---------------------------------------------------------------------------------------------------
// find: byte programs.
//
// A program at `prog` (little-endian i32 fields):
//   +0  steps        number of steps (≥ 1)
//   +4  filter       the step at this fixed offset from a match start is checked before looking closer
//   +8  filterSep    1 when a separator may stand at the filter position instead (a gap after step 0)
//   +12 separators   number of separators (0–8)
//   +16 low          16 bytes, and
//   +32 high         16 bytes: the bytes separators begin with, as two tables of bucket bits, by a
//                    byte's low and high nibble: byte b may begin one when low[b & 15] & high[b >> 4]
//                    is not 0 (exactly so for up to eight single bytes; a superset for wider ranges)
//   +48 separators, 8 bytes each: [length 1–3, lo0, hi0, lo1, hi1, lo2, hi2, 0]: byte k of the
//       separator lies in lo_k..hi_k
//   then one 4-byte record per step: [mask, value, gap, 0]; byte b fits the step when
//       (b | mask) == value; gap 1 lets one separator follow the step.
// A separator never begins with a byte that a step accepts, and none is a prefix of another (the
// caller checks), so taking the first separator that stands after a step decides a match exactly as
// a backtracking regex would.

const LOW: usize = 16;
const HIGH: usize = 32;
const SEPARATORS: usize = 48;
const SEPARATOR_SIZE: usize = 8;

@inline
function stepsOf(prog: usize): usize {
  return prog + SEPARATORS + <usize>load<i32>(prog, 12) * SEPARATOR_SIZE;
}

/** Bytes taken by a separator of the program at `p` (< end), or 0. */
function separatorAt(prog: usize, p: usize, end: usize): usize {
  const n = <usize>load<i32>(prog, 12);
  for (let s: usize = 0; s < n; s++) {
    const sep = prog + SEPARATORS + s * SEPARATOR_SIZE;
    const len = <usize>load<u8>(sep);
    if (p + len > end) continue;
    let k: usize = 0;
    for (; k < len; k++) {
      const b = <u32>load<u8>(p + k);
      if (b < <u32>load<u8>(sep + 1 + 2 * k) || b > <u32>load<u8>(sep + 2 + 2 * k)) break;
    }
    if (k == len) return len;
  }
  return 0;
}

/** True when the program matches at data[pos] within data[0..len). */
function matchAt(prog: usize, data: usize, len: usize, pos: usize): bool {
  let p = data + pos;
  const end = data + len;
  let step = stepsOf(prog);
  const last = step + ((<usize>load<i32>(prog) - 1) << 2);
  while (true) {
    if (p >= end) return false;
    if ((<u32>load<u8>(p) | <u32>load<u8>(step)) != <u32>load<u8>(step, 1)) return false;
    if (step == last) return true;
    p++;
    // A byte that fits the next step is no separator's first.
    if (
      load<u8>(step, 2) != 0 &&
      p < end &&
      (<u32>load<u8>(p) | <u32>load<u8>(step, 4)) != <u32>load<u8>(step, 5)
    )
      p += separatorAt(prog, p, end);
    step += 4;
  }
}

/** Where the program first matches in data[from..len), or -1. */
export function find(prog: usize, data: usize, len: usize, from: usize): i32 {
  return load<i32>(prog, 8) != 0 ? findFrom(prog, data, len, from, true) : findFrom(prog, data, len, from, false);
}

/**
 * `find`, its loop made for programs whose filter position may hold a separator (`sep`) or not: the
 * tables stay out of the other's registers.
 */
@inline
function findFrom(prog: usize, data: usize, len: usize, from: usize, sep: bool): i32 {
  let i = from;
  const off = <usize>load<i32>(prog, 4);
  const steps = stepsOf(prog);
  const m0 = i8x16.splat(<i8>load<u8>(steps));
  const v0 = i8x16.splat(<i8>load<u8>(steps, 1));
  const m1 = i8x16.splat(<i8>load<u8>(steps + (off << 2)));
  const v1 = i8x16.splat(<i8>load<u8>(steps + (off << 2), 1));
  const low = v128.load(prog + LOW);
  const high = v128.load(prog + HIGH);
  const nibble = i8x16.splat(0x0f);
  const none = i64x2.splat(0);
  while (i + off + 16 <= len) {
    const b = v128.load(data + i + off);
    let c = i8x16.eq(v128.or(b, m1), v1);
    if (sep) {
      const buckets = v128.and(
        i8x16.swizzle(low, v128.and(b, nibble)),
        i8x16.swizzle(high, i8x16.shr_u(b, 4)),
      );
      c = v128.or(c, i8x16.ne(buckets, none));
    }
    let bits = i8x16.bitmask(v128.and(c, i8x16.eq(v128.or(v128.load(data + i), m0), v0)));
    while (bits) {
      const at = i + <usize>ctz(bits);
      if (matchAt(prog, data, len, at)) return <i32>at;
      bits &= bits - 1;
    }
    i += 16;
  }
  // The last bytes, too few for a full vector at the filter position.
  for (; i < len; i++) if (matchAt(prog, data, len, i)) return <i32>i;
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// count: over data[0..len), four i32 at `out`: bytes 0x80–0xBF (UTF-8 continuations), bytes from 0xF0
// (leads of 4-byte sequences), line feeds, and 1 when a byte from 0xCC occurs (a character from U+0300
// up, which NFC may change).

export function count(data: usize, len: usize, out: usize): void {
  let i: usize = 0;
  let tc: u32 = 0;
  let tf: u32 = 0;
  let tn: u32 = 0;
  let high = i64x2.splat(0);
  while (i + 16 <= len) {
    let cont = i64x2.splat(0);
    let four = i64x2.splat(0);
    let nl = i64x2.splat(0);
    // Up to 255 vectors in the 8-bit lanes (each match subtracts -1), then into the totals.
    for (let n = 0; n < 255 && i + 16 <= len; n++) {
      const b = v128.load(data + i);
      cont = i8x16.sub(cont, i8x16.eq(v128.and(b, i8x16.splat(<i8>0xc0)), i8x16.splat(<i8>0x80)));
      four = i8x16.sub(four, i8x16.ge_u(b, i8x16.splat(<i8>0xf0)));
      nl = i8x16.sub(nl, i8x16.eq(b, i8x16.splat(0x0a)));
      high = v128.or(high, i8x16.ge_u(b, i8x16.splat(<i8>0xcc)));
      i += 16;
    }
    tc += lanes(cont);
    tf += lanes(four);
    tn += lanes(nl);
  }
  let tail = false;
  for (; i < len; i++) {
    const x = <u32>load<u8>(data + i);
    if ((x & 0xc0) == 0x80) tc++;
    if (x >= 0xf0) tf++;
    if (x == 0x0a) tn++;
    if (x >= 0xcc) tail = true;
  }
  store<u32>(out, tc);
  store<u32>(out, tf, 4);
  store<u32>(out, tn, 8);
  store<i32>(out, v128.any_true(high) || tail ? 1 : 0, 12);
}

/** The sum of the sixteen unsigned 8-bit lanes. */
@inline
function lanes(v: v128): u32 {
  const w = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v));
  return (
    <u32>i32x4.extract_lane(w, 0) +
    <u32>i32x4.extract_lane(w, 1) +
    <u32>i32x4.extract_lane(w, 2) +
    <u32>i32x4.extract_lane(w, 3)
  );
}

// ---------------------------------------------------------------------------------------------------
// digitRuns: the runs of ASCII digits in the UTF-16 units data[0..len), 16 units a step, each written
// at `out` as two i32 (its first unit and one past its last); returns how many. Starts and ends are
// written by loops of their own (runs alternate with gaps, so the n-th end closes the n-th start): no
// branch on whether a run is open.

@inline
function digitMask(p: usize): i32 {
  const zero = i16x8.splat(0x30);
  const ten = i16x8.splat(10);
  return (
    i16x8.bitmask(i16x8.lt_u(i16x8.sub(v128.load(p), zero), ten)) |
    (i16x8.bitmask(i16x8.lt_u(i16x8.sub(v128.load(p, 16), zero), ten)) << 8)
  );
}

export function digitRuns(data: usize, len: usize, out: usize): i32 {
  let starts = out;
  let ends = out + 4;
  let prev = 0;
  let i: usize = 0;
  while (i + 16 <= len) {
    // Bit k set when unit i+k is a digit; bit k of `shifted` when unit i+k-1 is.
    const m = digitMask(data + (i << 1));
    const shifted = (m << 1) | prev;
    let bits = m & ~shifted;
    while (bits) {
      store<i32>(starts, <i32>i + ctz(bits));
      starts += 8;
      bits &= bits - 1;
    }
    bits = shifted & ~m & 0xffff;
    while (bits) {
      store<i32>(ends, <i32>i + ctz(bits));
      ends += 8;
      bits &= bits - 1;
    }
    prev = m >>> 15;
    i += 16;
  }
  // The last units, fewer than 16.
  for (; i < len; i++) {
    const digit = <u32>load<u16>(data + (i << 1)) - 0x30 < 10 ? 1 : 0;
    if (digit && !prev) {
      store<i32>(starts, <i32>i);
      starts += 8;
    }
    if (!digit && prev) {
      store<i32>(ends, <i32>i);
      ends += 8;
    }
    prev = digit;
  }
  // A run open at the end ends there.
  if (prev) store<i32>(ends, <i32>len);
  return <i32>((starts - out) >> 3);
}

// ---------------------------------------------------------------------------------------------------
// latin1FromUtf8: UTF-8 that holds only U+0000–U+00FF (ASCII bytes, and leads 0xC2/0xC3 each followed by
// a continuation byte) as Latin-1, one byte a character, from src[0..len) to dst; 16 ASCII bytes a step.
// Returns the bytes written, or -1 at any other byte. A lead at the very end is left (its character
// ends in the next piece): the bytes read are stored at `read`.

export function latin1FromUtf8(src: usize, len: usize, dst: usize, read: usize): i32 {
  let i: usize = 0;
  let o: usize = 0;
  while (i < len) {
    if (i + 16 <= len) {
      // The ASCII bytes before the first other one are copied with the vector (the rest of it is
      // overwritten by what follows).
      const v = v128.load(src + i);
      v128.store(dst + o, v);
      const m = i8x16.bitmask(v);
      if (m == 0) {
        i += 16;
        o += 16;
        continue;
      }
      i += <usize>ctz(m);
      o += <usize>ctz(m);
    }
    const c = <u32>load<u8>(src + i);
    if (c < 0x80) {
      store<u8>(dst + o, <u8>c);
      i++;
      o++;
      continue;
    }
    if ((c & 0xfe) != 0xc2) return -1;
    if (i + 1 == len) break;
    const n = <u32>load<u8>(src + i + 1);
    if ((n & 0xc0) != 0x80) return -1;
    store<u8>(dst + o, <u8>(((c & 0x1f) << 6) | (n & 0x3f)));
    i += 2;
    o++;
  }
  store<i32>(read, <i32>i);
  return <i32>o;
}

// ---------------------------------------------------------------------------------------------------
// sipHashes: SipHash-2-4 (Aumasson and Bernstein) of n byte strings laid end to end from `data`: string
// i ends at the i32 at ends + 4i; the key's two little-endian words are at `key`; hash i is written at
// out + 8i. A string's last word is read whole and masked: up to 7 bytes after the last end are read.

export function sipHashes(key: usize, data: usize, ends: usize, n: i32, out: usize): void {
  const k0 = load<u64>(key);
  const k1 = load<u64>(key, 8);
  let at = data;
  for (let i = 0; i < n; i++) {
    const start = at;
    const end = <usize>load<i32>(ends + (<usize>i << 2));
    let v0 = k0 ^ 0x736f6d6570736575;
    let v1 = k1 ^ 0x646f72616e646f6d;
    let v2 = k0 ^ 0x6c7967656e657261;
    let v3 = k1 ^ 0x7465646279746573;
    let last = false;
    do {
      const rem = end - at;
      let m: u64;
      if (rem >= 8) {
        m = load<u64>(at);
        at += 8;
      } else {
        // The last word: the bytes left, and the length's low byte on top.
        m = (load<u64>(at) & ((<u64>1 << (<u64>rem << 3)) - 1)) | (<u64>(end - start) << 56);
        at = end;
        last = true;
      }
      v3 ^= m;
      for (let r = 0; r < 2; r++) {
        v0 += v1;
        v1 = rotl(v1, 13) ^ v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16) ^ v2;
        v0 += v3;
        v3 = rotl(v3, 21) ^ v0;
        v2 += v1;
        v1 = rotl(v1, 17) ^ v2;
        v2 = rotl(v2, 32);
      }
      v0 ^= m;
    } while (!last);
    v2 ^= 0xff;
    for (let r = 0; r < 4; r++) {
      v0 += v1;
      v1 = rotl(v1, 13) ^ v0;
      v0 = rotl(v0, 32);
      v2 += v3;
      v3 = rotl(v3, 16) ^ v2;
      v0 += v3;
      v3 = rotl(v3, 21) ^ v0;
      v2 += v1;
      v1 = rotl(v1, 17) ^ v2;
      v2 = rotl(v2, 32);
    }
    store<u64>(out + (<usize>i << 3), v0 ^ v1 ^ v2 ^ v3);
  }
}

// ---------------------------------------------------------------------------------------------------
// newWords: letter runs of UTF-16 text not seen before (src/index/words.ts). The state at `state`: +0
// generation (a slot of another is empty), +4 the arena's next free byte, +8 words remembered, +12 most
// words to remember. `letters`: one bit per code point below 0x40000, set for a letter (`\p{L}`);
// surrogate code units are never letters. A table slot is 16 bytes: hash, the word's offset in the
// arena, generation, length in units.

/** Units of the letter at unit i: 1, 2 for a letter outside the BMP, 0 for none. */
function letterAt(data: usize, len: usize, letters: usize, i: usize): u32 {
  const u = <u32>load<u16>(data + (i << 1));
  if ((u & 0xfc00) == 0xd800 && i + 1 < len) {
    const v = <u32>load<u16>(data + (i << 1), 2);
    if ((v & 0xfc00) == 0xdc00) {
      const cp = (((u - 0xd800) << 10) | (v - 0xdc00)) + 0x10000;
      if (cp >= 0x40000) return 0;
      return ((<u32>load<u8>(letters + (cp >> 3)) >> (cp & 7)) & 1) << 1;
    }
  }
  return (<u32>load<u8>(letters + (u >> 3)) >> (u & 7)) & 1;
}

/** Whether the word of `n` units at `word` was seen; remembers it if not and there is room. */
function seen(state: usize, table: usize, mask: u32, arena: usize, word: usize, n: u32, h: u32): bool {
  const gen = load<u32>(state);
  let slot = h & mask;
  let s: usize;
  while (true) {
    s = table + (<usize>slot << 4);
    if (load<u32>(s, 8) != gen) break;
    if (load<u32>(s) == h && load<u32>(s, 12) == n) {
      const kept = arena + <usize>load<u32>(s, 4);
      let k: u32 = 0;
      while (k < n && load<u16>(kept + (<usize>k << 1)) == load<u16>(word + (<usize>k << 1))) k++;
      if (k == n) return true;
    }
    slot = (slot + 1) & mask;
  }
  // Short words only, as the table's slots are few and most words that repeat are short.
  if (n >= 13 || load<u32>(state, 8) >= load<u32>(state, 12)) return false;
  const top = load<u32>(state, 4);
  store<u32>(s, h);
  store<u32>(s, top, 4);
  store<u32>(s, gen, 8);
  store<u32>(s, n, 12);
  memory.copy(arena + top, word, <usize>n << 1);
  store<u32>(state, top + (n << 1), 4);
  store<u32>(state, load<u32>(state, 8) + 1, 8);
  return false;
}

/**
 * The words of at least two units in data[0..len) not seen before (see `seen`), as [start, end) pairs
 * of units at `out`; returns how many. First every letter run of two units or more is written at `out`
 * as [start, end, hash] (12 bytes: up to len / 3 + 1 of them), by a loop without calls or
 * unpredictable branches (a surrogate sends the rest of the text to a general loop); then the new ones
 * among them are kept, in place.
 */
export function newWords(
  data: usize,
  len: usize,
  state: usize,
  letters: usize,
  table: usize,
  mask: u32,
  arena: usize,
  out: usize,
): i32 {
  let i: usize = 0;
  let start: usize = 0;
  let run: u32 = 0;
  let h: u32 = 0;
  let at = out;
  for (; i < len; i++) {
    const u = <u32>load<u16>(data + (i << 1));
    if ((u & 0xf800) == 0xd800) break;
    const w = (<u32>load<u8>(letters + (u >> 3)) >> (u & 7)) & 1;
    // The run ends here: kept (the pointer moves on) when two units or more.
    store<u32>(at, <u32>start);
    store<u32>(at, <u32>i, 4);
    store<u32>(at, h, 8);
    at += 12 * <usize>(run & (w ^ 1) & (i - start >= 2 ? 1 : 0));
    start = select(start, i, run);
    h = (select(h, 0x811c9dc5, run) ^ u) * 0x01000193;
    run = w;
  }
  for (; i < len; i++) {
    const u = <u32>load<u16>(data + (i << 1));
    const w = letterAt(data, len, letters, i);
    store<u32>(at, <u32>start);
    store<u32>(at, <u32>i, 4);
    store<u32>(at, h, 8);
    at += 12 * <usize>(run & (w == 0 ? 1 : 0) & (i - start >= 2 ? 1 : 0));
    start = select(start, i, run);
    h = (select(h, 0x811c9dc5, run) ^ u) * 0x01000193;
    if (w == 2) {
      h = (h ^ <u32>load<u16>(data + (i << 1), 2)) * 0x01000193;
      i++;
    }
    run = w != 0 ? 1 : 0;
  }
  // A run to the end of the text.
  store<u32>(at, <u32>start);
  store<u32>(at, <u32>len, 4);
  store<u32>(at, h, 8);
  at += 12 * <usize>(run & (len - start >= 2 ? 1 : 0));
  // The new words, as pairs over the runs (a pair is never written past the run it is read from).
  const end = at;
  at = out;
  for (let k = out; k < end; k += 12) {
    const s = <usize>load<u32>(k);
    const e = <usize>load<u32>(k, 4);
    if (!seen(state, table, mask, arena, data + (s << 1), <u32>(e - s), load<u32>(k, 8))) {
      store<u32>(at, <u32>s);
      store<u32>(at, <u32>e, 4);
      at += 8;
    }
  }
  return <i32>((at - out) >> 3);
}

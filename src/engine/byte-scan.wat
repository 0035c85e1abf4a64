;; Byte programs searched 16 bytes at a time (WebAssembly SIMD). See src/engine/byte-scan.ts.
;;
;; A program at `prog` (little-endian i32 fields, then one 4-byte record per step):
;;   +0  steps        number of steps (≥ 1)
;;   +4  filter       second filter position: the step at that fixed offset from a match start
;;   +8  filter_sep   1 when a separator byte may stand at the filter position instead
;;   +12 step records: [mask, value, gap, 0]; a byte b fits the step when (b | mask) == value;
;;       gap 1 lets one phone separator ( . - NBSP) follow the step, gap 2 one CPR separator (- space NBSP,
;;       or a dash: 0x96 the en dash in Windows-1252, E2 80 90–93 U+2010–U+2013 in UTF-8),
;;       NBSP being 0xA0 (Windows-1252) or 0xC2 0xA0 (UTF-8).
;;
;; A separator is never a byte a step accepts (steps are letters and digits), so taking a separator
;; wherever one stands decides a match exactly as a backtracking regex would.
(module
  (memory (export "memory") 4)

  ;; 1 when the program matches at data[pos] within data[0..len).
  (func $matchAt (param $prog i32) (param $data i32) (param $len i32) (param $pos i32) (result i32)
    (local $p i32) (local $end i32) (local $step i32) (local $last i32) (local $b i32) (local $gap i32)
    (local.set $p (i32.add (local.get $data) (local.get $pos)))
    (local.set $end (i32.add (local.get $data) (local.get $len)))
    (local.set $step (i32.add (local.get $prog) (i32.const 12)))
    (local.set $last
      (i32.add (local.get $step) (i32.shl (i32.sub (i32.load (local.get $prog)) (i32.const 1)) (i32.const 2))))
    (loop $steps
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (if (i32.ne
            (i32.or (i32.load8_u (local.get $p)) (i32.load8_u (local.get $step)))
            (i32.load8_u offset=1 (local.get $step)))
        (then (return (i32.const 0))))
      (if (i32.eq (local.get $step) (local.get $last)) (then (return (i32.const 1))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $gap (i32.load8_u offset=2 (local.get $step)))
      (if (i32.and (i32.ne (local.get $gap) (i32.const 0)) (i32.lt_u (local.get $p) (local.get $end)))
        (then
          (local.set $b (i32.load8_u (local.get $p)))
          (if (i32.or
                (i32.or (i32.eq (local.get $b) (i32.const 0x20)) (i32.eq (local.get $b) (i32.const 0x2d)))
                (i32.or
                  (i32.or (i32.eq (local.get $b) (i32.const 0xa0))
                          (i32.and (i32.eq (local.get $gap) (i32.const 1)) (i32.eq (local.get $b) (i32.const 0x2e))))
                  ;; An en dash in Windows-1252 (CPR only).
                  (i32.and (i32.eq (local.get $gap) (i32.const 2)) (i32.eq (local.get $b) (i32.const 0x96)))))
            (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
            (else
              (if (i32.and
                    (i32.eq (local.get $b) (i32.const 0xc2))
                    (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
                (then
                  (if (i32.eq (i32.load8_u offset=1 (local.get $p)) (i32.const 0xa0))
                    (then (local.set $p (i32.add (local.get $p) (i32.const 2))))))
                (else
                  ;; U+2010–U+2013 in UTF-8, E2 80 90–93 (CPR only).
                  (if (i32.and
                        (i32.and (i32.eq (local.get $gap) (i32.const 2)) (i32.eq (local.get $b) (i32.const 0xe2)))
                        (i32.lt_u (i32.add (local.get $p) (i32.const 2)) (local.get $end)))
                    (then
                      (if (i32.and
                            (i32.eq (i32.load8_u offset=1 (local.get $p)) (i32.const 0x80))
                            (i32.lt_u (i32.sub (i32.load8_u offset=2 (local.get $p)) (i32.const 0x90)) (i32.const 4)))
                        (then (local.set $p (i32.add (local.get $p) (i32.const 3)))))))))))))
      (local.set $step (i32.add (local.get $step) (i32.const 4)))
      (br $steps))
    (i32.const 0))

  ;; Where the program first matches in data[from..len), or -1.
  (func (export "find") (param $prog i32) (param $data i32) (param $len i32) (param $from i32) (result i32)
    (local $i i32) (local $off i32) (local $sep i32) (local $bits i32)
    (local $m0 v128) (local $v0 v128) (local $m1 v128) (local $v1 v128) (local $b v128) (local $c v128)
    (local.set $i (local.get $from))
    (local.set $off (i32.load offset=4 (local.get $prog)))
    (local.set $sep (i32.load offset=8 (local.get $prog)))
    (local.set $m0 (i8x16.splat (i32.load8_u offset=12 (local.get $prog))))
    (local.set $v0 (i8x16.splat (i32.load8_u offset=13 (local.get $prog))))
    (local.set $m1 (i8x16.splat
      (i32.load8_u offset=12 (i32.add (local.get $prog) (i32.shl (local.get $off) (i32.const 2))))))
    (local.set $v1 (i8x16.splat
      (i32.load8_u offset=13 (i32.add (local.get $prog) (i32.shl (local.get $off) (i32.const 2))))))
    (block $done
      (loop $blocks
        (br_if $done (i32.gt_u (i32.add (i32.add (local.get $i) (local.get $off)) (i32.const 16)) (local.get $len)))
        (local.set $b (v128.load (i32.add (i32.add (local.get $data) (local.get $i)) (local.get $off))))
        (local.set $c (i8x16.eq (v128.or (local.get $b) (local.get $m1)) (local.get $v1)))
        (if (local.get $sep)
          (then
            (local.set $c
              (v128.or (local.get $c)
                (v128.or
                  (v128.or (i8x16.eq (local.get $b) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                           (i8x16.eq (local.get $b) (v128.const i8x16 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d 0x2d)))
                  (v128.or
                    (v128.or (i8x16.eq (local.get $b) (v128.const i8x16 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e))
                             (i8x16.eq (local.get $b) (v128.const i8x16 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0 0xa0)))
                    (i8x16.eq (local.get $b) (v128.const i8x16 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2))))))))
        (local.set $bits (i8x16.bitmask (v128.and (local.get $c)
          (i8x16.eq (v128.or (v128.load (i32.add (local.get $data) (local.get $i))) (local.get $m0)) (local.get $v0)))))
        (loop $candidates
          (if (local.get $bits)
            (then
              (if (call $matchAt (local.get $prog) (local.get $data) (local.get $len)
                    (i32.add (local.get $i) (i32.ctz (local.get $bits))))
                (then (return (i32.add (local.get $i) (i32.ctz (local.get $bits))))))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br $candidates))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    ;; The last bytes, too few for a full vector at the filter position.
    (loop $tail
      (if (i32.lt_u (local.get $i) (local.get $len))
        (then
          (if (call $matchAt (local.get $prog) (local.get $data) (local.get $len) (local.get $i))
            (then (return (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $tail))))
    (i32.const -1))

  ;; Counts over data[0..len), written as four i32 at out: bytes 0x80–0xBF (UTF-8 continuations),
  ;; bytes from 0xF0 (leads of 4-byte sequences), line feeds, and 1 when a byte from 0xCC occurs (a
  ;; character from U+0300 up, which NFC may change). See ByteCounter in byte-scan.ts.
  (func (export "count") (param $data i32) (param $len i32) (param $out i32)
    (local $i i32) (local $n i32) (local $b v128) (local $x i32)
    (local $cont v128) (local $four v128) (local $nl v128) (local $high v128)
    (local $tc i32) (local $tf i32) (local $tn i32)
    (block $done
      (loop $outer
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
        (local.set $cont (v128.const i64x2 0 0))
        (local.set $four (v128.const i64x2 0 0))
        (local.set $nl (v128.const i64x2 0 0))
        (local.set $n (i32.const 0))
        ;; Up to 255 vectors in the 8-bit lanes (each match subtracts -1), then into the totals.
        (block $flush
          (loop $inner
            (br_if $flush (i32.eq (local.get $n) (i32.const 255)))
            (br_if $flush (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
            (local.set $b (v128.load (i32.add (local.get $data) (local.get $i))))
            (local.set $cont (i8x16.sub (local.get $cont)
              (i8x16.eq (v128.and (local.get $b) (v128.const i8x16 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0 0xc0)) (v128.const i8x16 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80))))
            (local.set $four (i8x16.sub (local.get $four) (i8x16.ge_u (local.get $b) (v128.const i8x16 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0 0xf0))))
            (local.set $nl (i8x16.sub (local.get $nl) (i8x16.eq (local.get $b) (v128.const i8x16 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a))))
            (local.set $high (v128.or (local.get $high) (i8x16.ge_u (local.get $b) (v128.const i8x16 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $inner)))
        (local.set $tc (i32.add (local.get $tc) (call $lanes (local.get $cont))))
        (local.set $tf (i32.add (local.get $tf) (call $lanes (local.get $four))))
        (local.set $tn (i32.add (local.get $tn) (call $lanes (local.get $nl))))
        (br $outer)))
    (loop $tail
      (if (i32.lt_u (local.get $i) (local.get $len))
        (then
          (local.set $x (i32.load8_u (i32.add (local.get $data) (local.get $i))))
          (if (i32.eq (i32.and (local.get $x) (i32.const 0xc0)) (i32.const 0x80))
            (then (local.set $tc (i32.add (local.get $tc) (i32.const 1)))))
          (if (i32.ge_u (local.get $x) (i32.const 0xf0)) (then (local.set $tf (i32.add (local.get $tf) (i32.const 1)))))
          (if (i32.eq (local.get $x) (i32.const 0x0a)) (then (local.set $tn (i32.add (local.get $tn) (i32.const 1)))))
          (if (i32.ge_u (local.get $x) (i32.const 0xcc))
            (then (local.set $high (v128.const i64x2 -1 -1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $tail))))
    (i32.store (local.get $out) (local.get $tc))
    (i32.store offset=4 (local.get $out) (local.get $tf))
    (i32.store offset=8 (local.get $out) (local.get $tn))
    (i32.store offset=12 (local.get $out) (v128.any_true (local.get $high))))

  ;; Runs of ASCII digits in the UTF-16 code units data[0..len), 16 units a step: each run written at out
  ;; as two i32, its first unit and one past its last. Returns how many runs were written. Starts and
  ;; ends are written by two loops of their own (runs alternate with gaps, so the n-th end closes the n-th
  ;; start): no branch on whether a run is open. See DigitRuns in byte-scan.ts.
  (func (export "digitRuns") (param $data i32) (param $len i32) (param $out i32) (result i32)
    (local $i i32) (local $m i32) (local $shifted i32) (local $bits i32) (local $prev i32)
    (local $starts i32) (local $ends i32) (local $p i32) (local $digit i32)
    ;; Byte addresses of the next start and end to write.
    (local.set $starts (local.get $out))
    (local.set $ends (i32.add (local.get $out) (i32.const 4)))
    (block $done
      (loop $blocks
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
        (local.set $p (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1))))
        ;; Bit k set when unit i+k is a digit: (unit - 0x30) < 10, unsigned.
        (local.set $m (i32.or
          (i16x8.bitmask (i16x8.lt_u
            (i16x8.sub (v128.load (local.get $p)) (v128.const i16x8 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30))
            (v128.const i16x8 10 10 10 10 10 10 10 10)))
          (i32.shl
            (i16x8.bitmask (i16x8.lt_u
              (i16x8.sub (v128.load offset=16 (local.get $p)) (v128.const i16x8 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30))
              (v128.const i16x8 10 10 10 10 10 10 10 10)))
            (i32.const 8))))
        ;; Bit k of `shifted`: unit i+k-1 is a digit.
        (local.set $shifted (i32.or (i32.shl (local.get $m) (i32.const 1)) (local.get $prev)))
        (local.set $bits (i32.and (local.get $m) (i32.xor (local.get $shifted) (i32.const -1))))
        (loop $start
          (if (local.get $bits)
            (then
              (i32.store (local.get $starts) (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (local.set $starts (i32.add (local.get $starts) (i32.const 8)))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br $start))))
        (local.set $bits (i32.and (i32.and (local.get $shifted) (i32.xor (local.get $m) (i32.const -1))) (i32.const 0xffff)))
        (loop $end
          (if (local.get $bits)
            (then
              (i32.store (local.get $ends) (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (local.set $ends (i32.add (local.get $ends) (i32.const 8)))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br $end))))
        (local.set $prev (i32.shr_u (local.get $m) (i32.const 15)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    ;; The last units, fewer than 16.
    (loop $tail
      (if (i32.lt_u (local.get $i) (local.get $len))
        (then
          (local.set $digit (i32.lt_u
            (i32.sub (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1))))
                     (i32.const 0x30))
            (i32.const 10)))
          (if (i32.and (local.get $digit) (i32.eqz (local.get $prev)))
            (then
              (i32.store (local.get $starts) (local.get $i))
              (local.set $starts (i32.add (local.get $starts) (i32.const 8)))))
          (if (i32.and (i32.eqz (local.get $digit)) (local.get $prev))
            (then
              (i32.store (local.get $ends) (local.get $i))
              (local.set $ends (i32.add (local.get $ends) (i32.const 8)))))
          (local.set $prev (local.get $digit))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $tail))))
    ;; A run open at the end ends there.
    (if (local.get $prev)
      (then
        (i32.store (local.get $ends) (local.get $len))
        (local.set $ends (i32.add (local.get $ends) (i32.const 8)))))
    (i32.shr_u (i32.sub (local.get $starts) (local.get $out)) (i32.const 3)))

  ;; UTF-8 that holds only U+0000–U+00FF (ASCII bytes, and leads 0xC2/0xC3 each followed by a continuation
  ;; byte) as Latin-1, one byte a character, from src[0..len) to dst; 16 ASCII bytes a step. Returns the
  ;; bytes written, or -1 at any other byte. A lead at the very end is left (its character ends in the
  ;; next piece): the bytes read are stored at `read`. See Latin1Decoder in byte-scan.ts.
  (func (export "latin1FromUtf8") (param $src i32) (param $len i32) (param $dst i32) (param $read i32) (result i32)
    (local $i i32) (local $o i32) (local $c i32) (local $n i32) (local $v v128) (local $m i32)
    (block $done
      (loop $main
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $len))
          (then
            ;; The ASCII bytes before the first other one are copied with the vector (the rest of it is
            ;; overwritten by what follows).
            (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
            (v128.store (i32.add (local.get $dst) (local.get $o)) (local.get $v))
            (local.set $m (i8x16.bitmask (local.get $v)))
            (if (i32.eqz (local.get $m))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $main)))
            (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $m))))
            (local.set $o (i32.add (local.get $o) (i32.ctz (local.get $m))))))
        (local.set $c (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (if (i32.lt_u (local.get $c) (i32.const 0x80))
          (then
            (i32.store8 (i32.add (local.get $dst) (local.get $o)) (local.get $c))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $main)))
        (if (i32.ne (i32.and (local.get $c) (i32.const 0xfe)) (i32.const 0xc2))
          (then (return (i32.const -1))))
        (br_if $done (i32.eq (i32.add (local.get $i) (i32.const 1)) (local.get $len)))
        (local.set $n (i32.load8_u offset=1 (i32.add (local.get $src) (local.get $i))))
        (if (i32.ne (i32.and (local.get $n) (i32.const 0xc0)) (i32.const 0x80))
          (then (return (i32.const -1))))
        (i32.store8 (i32.add (local.get $dst) (local.get $o))
          (i32.or
            (i32.shl (i32.and (local.get $c) (i32.const 0x1f)) (i32.const 6))
            (i32.and (local.get $n) (i32.const 0x3f))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $main)))
    (i32.store (local.get $read) (local.get $i))
    (local.get $o))

  ;; The functions below read UTF-16 data[0..len) with two units of 0 on either side (see DigitScanner
  ;; in byte-scan.ts): a unit just outside the text reads as a character that is neither a digit, a
  ;; letter nor punctuation, so no bounds check is needed. Their tests are written out in place: V8 does
  ;; not inline calls between WebAssembly functions here, and calls made the loop three times slower.

  ;; Where the phone pattern may match, given the n digit runs at `runs` (see digitRuns), in order,
  ;; written at out as i32: per run, `(+` or `+` before it, `(` before it, and its start, each where it
  ;; may start a match. See phoneMatches in detectors/phone.ts for the rules.
  (func (export "phoneStarts")
    (param $data i32) (param $len i32) (param $runs i32) (param $n i32) (param $min i32) (param $out i32)
    (result i32)
    (local $k i32) (local $s i32) (local $e i32) (local $before i32) (local $at i32) (local $bracketed i32)
    (local $j i32) (local $digits i32) (local $last i32) (local $c i32)
    (local.set $at (local.get $out))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $s (i32.load (i32.add (local.get $runs) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $e (i32.load offset=4 (i32.add (local.get $runs) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $before (i32.load16_u (i32.add (local.get $data) (i32.shl (i32.sub (local.get $s) (i32.const 1)) (i32.const 1)))))
        ;; `(+45)`, `(45)`: one to three digits, then ')'.
        (local.set $bracketed
          (i32.and (i32.le_u (i32.sub (local.get $e) (local.get $s)) (i32.const 3)) (i32.eq (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $e) (i32.const 1)))) (i32.const 0x29))))
        (if (i32.eq (local.get $before) (i32.const 0x2b))
          (then
            (if (i32.and (local.get $bracketed) (i32.eq (i32.load16_u (i32.add (local.get $data) (i32.shl (i32.sub (local.get $s) (i32.const 2)) (i32.const 1)))) (i32.const 0x28)))
              (then
                (i32.store (local.get $at) (i32.sub (local.get $s) (i32.const 2)))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))))
            (i32.store (local.get $at) (i32.sub (local.get $s) (i32.const 1)))
            (local.set $at (i32.add (local.get $at) (i32.const 4))))
          (else
            (if (i32.and (local.get $bracketed) (i32.eq (local.get $before) (i32.const 0x28)))
              (then
                (i32.store (local.get $at) (i32.sub (local.get $s) (i32.const 1)))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))))
            ;; The look-behind refuses a letter, '_', or a digit and separator before the run.
            (if (i32.eqz (i32.or (i32.or (i32.eq (local.get $before) (i32.const 0x5f)) (i32.lt_u (i32.sub (i32.or (local.get $before) (i32.const 0x20)) (i32.const 0x61)) (i32.const 26)))
                  (i32.and (i32.or (i32.or (i32.eq (local.get $before) (i32.const 0x20)) (i32.eq (local.get $before) (i32.const 0xa0))) (i32.or (i32.eq (local.get $before) (i32.const 0x2e)) (i32.eq (local.get $before) (i32.const 0x2d)))) (i32.lt_u (i32.sub (i32.load16_u (i32.add (local.get $data) (i32.shl (i32.sub (local.get $s) (i32.const 2)) (i32.const 1)))) (i32.const 0x30)) (i32.const 10)))))
              (then
                (if (i32.and (i32.ge_u (i32.sub (local.get $e) (local.get $s)) (i32.const 4))
                      (i32.eq (i32.load (i32.add (local.get $data) (i32.shl (local.get $s) (i32.const 1)))) (i32.const 0x00300030)))
                  ;; `0045…`: a prefix.
                  (then
                    (i32.store (local.get $at) (local.get $s))
                    (local.set $at (i32.add (local.get $at) (i32.const 4))))
                  (else
                    ;; The runs joined to this one by single separators: their digits, and where they end.
                    (local.set $digits (i32.sub (local.get $e) (local.get $s)))
                    (local.set $last (local.get $e))
                    (local.set $j (i32.add (local.get $k) (i32.const 1)))
                    (block $joined
                      (loop $join
                        (br_if $joined (i32.ge_u (local.get $j) (local.get $n)))
                        (br_if $joined (i32.ne (i32.load (i32.add (local.get $runs) (i32.shl (local.get $j) (i32.const 3)))) (i32.add (local.get $last) (i32.const 1))))
                        (local.set $c (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $last) (i32.const 1)))))
                        (br_if $joined (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0xa0))) (i32.or (i32.eq (local.get $c) (i32.const 0x2e)) (i32.eq (local.get $c) (i32.const 0x2d))))))
                        (local.set $digits (i32.add (local.get $digits)
                          (i32.sub (i32.load offset=4 (i32.add (local.get $runs) (i32.shl (local.get $j) (i32.const 3)))) (i32.load (i32.add (local.get $runs) (i32.shl (local.get $j) (i32.const 3)))))))
                        (local.set $last (i32.load offset=4 (i32.add (local.get $runs) (i32.shl (local.get $j) (i32.const 3)))))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (br $join)))
                    (local.set $c (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $last) (i32.const 1)))))
                    (if (i32.and (i32.ge_u (local.get $digits) (local.get $min)) (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 0x5f)) (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 26)))))
                      (then
                        (i32.store (local.get $at) (local.get $s))
                        (local.set $at (i32.add (local.get $at) (i32.const 4)))))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each)))
    (i32.shr_u (i32.sub (local.get $at) (local.get $out)) (i32.const 2)))

  ;; CPR numbers among the n digit runs at `runs`: a run of ten digits, or of six, one separator ('-',
  ;; space, no-break space, U+2010–U+2013) and a run of four. Each written at out as its start and end
  ;; (i32); returns how many. The regex (?<!\d)(\d{6})([-\u00a0 \u2010-\u2013]?)(\d{4})(?!\d) matches
  ;; exactly there.
  (func (export "cprMatches") (param $data i32) (param $len i32) (param $runs i32) (param $n i32) (param $out i32)
    (result i32)
    (local $k i32) (local $s i32) (local $e i32) (local $at i32) (local $c i32) (local $r i32)
    (local.set $at (local.get $out))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $r (i32.add (local.get $runs) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $s (i32.load (local.get $r)))
        (local.set $e (i32.load offset=4 (local.get $r)))
        (if (i32.eq (i32.sub (local.get $e) (local.get $s)) (i32.const 10))
          (then
            (i32.store (local.get $at) (local.get $s))
            (i32.store offset=4 (local.get $at) (local.get $e))
            (local.set $at (i32.add (local.get $at) (i32.const 8))))
          (else
            (if (i32.and (i32.eq (i32.sub (local.get $e) (local.get $s)) (i32.const 6))
                  (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $n)))
              (then
                (local.set $c (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $e) (i32.const 1)))))
                (if (i32.and
                      (i32.and
                        (i32.eq (i32.load offset=8 (local.get $r)) (i32.add (local.get $e) (i32.const 1)))
                        (i32.eq (i32.sub (i32.load offset=12 (local.get $r)) (i32.load offset=8 (local.get $r))) (i32.const 4)))
                      (i32.or
                        (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (i32.eq (local.get $c) (i32.const 0x20)))
                                (i32.eq (local.get $c) (i32.const 0xa0)))
                        ;; U+2010 hyphen, U+2011 non-breaking hyphen, U+2012 figure dash, U+2013 en dash.
                        (i32.lt_u (i32.sub (local.get $c) (i32.const 0x2010)) (i32.const 4))))
                  (then
                    (i32.store (local.get $at) (local.get $s))
                    (i32.store offset=4 (local.get $at) (i32.add (local.get $e) (i32.const 5)))
                    (local.set $at (i32.add (local.get $at) (i32.const 8)))
                    ;; The run of four is this number's.
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each)))
    (i32.shr_u (i32.sub (local.get $at) (local.get $out)) (i32.const 3)))

  ;; SipHash-2-4 (Aumasson and Bernstein) of n byte strings laid end to end from `data`: string i ends at
  ;; the i32 at ends + 4i; the key's two little-endian words are at `key`; hash i is written at out + 8i.
  ;; A string's last word is read whole and masked: up to 7 bytes after the last end are read.
  (func (export "sipHashes") (param $key i32) (param $data i32) (param $ends i32) (param $n i32) (param $out i32)
    (local $k0 i64) (local $k1 i64) (local $v0 i64) (local $v1 i64) (local $v2 i64) (local $v3 i64)
    (local $m i64) (local $i i32) (local $at i32) (local $start i32) (local $end i32) (local $rem i32)
    (local $r i32) (local $last i32)
    (local.set $k0 (i64.load (local.get $key)))
    (local.set $k1 (i64.load offset=8 (local.get $key)))
    (local.set $at (local.get $data))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $start (local.get $at))
        (local.set $end (i32.load (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $v0 (i64.xor (local.get $k0) (i64.const 0x736f6d6570736575)))
        (local.set $v1 (i64.xor (local.get $k1) (i64.const 0x646f72616e646f6d)))
        (local.set $v2 (i64.xor (local.get $k0) (i64.const 0x6c7967656e657261)))
        (local.set $v3 (i64.xor (local.get $k1) (i64.const 0x7465646279746573)))
        (local.set $last (i32.const 0))
        (loop $words
          (local.set $rem (i32.sub (local.get $end) (local.get $at)))
          (if (i32.ge_u (local.get $rem) (i32.const 8))
            (then
              (local.set $m (i64.load (local.get $at)))
              (local.set $at (i32.add (local.get $at) (i32.const 8))))
            (else
              ;; The last word: the bytes left, and the length's low byte on top.
              (local.set $m
                (i64.or
                  (i64.and
                    (i64.load (local.get $at))
                    (i64.sub
                      (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $rem) (i32.const 3))))
                      (i64.const 1)))
                  (i64.shl (i64.extend_i32_u (i32.sub (local.get $end) (local.get $start))) (i64.const 56))))
              (local.set $at (local.get $end))
              (local.set $last (i32.const 1))))
          (local.set $v3 (i64.xor (local.get $v3) (local.get $m)))
          (local.set $r (i32.const 2))
          (loop $round
          (local.set $v0 (i64.add (local.get $v0) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 13)) (local.get $v0)))
          (local.set $v0 (i64.rotl (local.get $v0) (i64.const 32)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 16)) (local.get $v2)))
          (local.set $v0 (i64.add (local.get $v0) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 21)) (local.get $v0)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 17)) (local.get $v2)))
          (local.set $v2 (i64.rotl (local.get $v2) (i64.const 32)))
            (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br_if $round (local.get $r)))
          (local.set $v0 (i64.xor (local.get $v0) (local.get $m)))
          (br_if $words (i32.eqz (local.get $last))))
        (local.set $v2 (i64.xor (local.get $v2) (i64.const 0xff)))
        (local.set $r (i32.const 4))
        (loop $final
          (local.set $v0 (i64.add (local.get $v0) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 13)) (local.get $v0)))
          (local.set $v0 (i64.rotl (local.get $v0) (i64.const 32)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 16)) (local.get $v2)))
          (local.set $v0 (i64.add (local.get $v0) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 21)) (local.get $v0)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 17)) (local.get $v2)))
          (local.set $v2 (i64.rotl (local.get $v2) (i64.const 32)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br_if $final (local.get $r)))
        (i64.store
          (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (i64.xor (i64.xor (local.get $v0) (local.get $v1)) (i64.xor (local.get $v2) (local.get $v3))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))

  ;; Letter runs of UTF-16 text (dsr index; see WordScanner in src/index/words.ts). The state at
  ;; `state`: +0 generation (a slot of another is empty), +4 the arena's next free byte, +8 words
  ;; remembered, +12 most words to remember. `letters`: one bit per code point below 0x40000, set for
  ;; a letter (`\p{L}`); surrogate code units are never letters. A table slot is 16 bytes: hash, the
  ;; word's offset in the arena, generation, length in units.

  ;; Units of the letter at unit i: 1, 2 for a letter outside the BMP, 0 for none.
  (func $letterAt (param $data i32) (param $len i32) (param $letters i32) (param $i i32) (result i32)
    (local $u i32) (local $v i32) (local $cp i32)
    (local.set $u (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1)))))
    (if (i32.and (i32.eq (i32.and (local.get $u) (i32.const 0xfc00)) (i32.const 0xd800))
                 (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $len)))
      (then
        (local.set $v (i32.load16_u offset=2 (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1)))))
        (if (i32.eq (i32.and (local.get $v) (i32.const 0xfc00)) (i32.const 0xdc00))
          (then
            (local.set $cp
              (i32.add
                (i32.or (i32.shl (i32.sub (local.get $u) (i32.const 0xd800)) (i32.const 10))
                        (i32.sub (local.get $v) (i32.const 0xdc00)))
                (i32.const 0x10000)))
            (if (i32.ge_u (local.get $cp) (i32.const 0x40000)) (then (return (i32.const 0))))
            (return
              (i32.shl
                (i32.and
                  (i32.shr_u (i32.load8_u (i32.add (local.get $letters) (i32.shr_u (local.get $cp) (i32.const 3))))
                             (i32.and (local.get $cp) (i32.const 7)))
                  (i32.const 1))
                (i32.const 1)))))))
    (i32.and
      (i32.shr_u (i32.load8_u (i32.add (local.get $letters) (i32.shr_u (local.get $u) (i32.const 3))))
                 (i32.and (local.get $u) (i32.const 7)))
      (i32.const 1)))

  ;; Whether the word of `n` units at `word` (text) was seen; remembers it if not and there is room.
  (func $seen (param $state i32) (param $table i32) (param $mask i32) (param $arena i32)
              (param $word i32) (param $n i32) (param $h i32) (result i32)
    (local $gen i32) (local $slot i32) (local $s i32) (local $k i32) (local $kept i32) (local $top i32)
    (local.set $gen (i32.load (local.get $state)))
    (local.set $slot (i32.and (local.get $h) (local.get $mask)))
    (block $empty
      (loop $probe
        (local.set $s (i32.add (local.get $table) (i32.shl (local.get $slot) (i32.const 4))))
        (br_if $empty (i32.ne (i32.load offset=8 (local.get $s)) (local.get $gen)))
        (if (i32.and (i32.eq (i32.load (local.get $s)) (local.get $h))
                     (i32.eq (i32.load offset=12 (local.get $s)) (local.get $n)))
          (then
            (local.set $kept (i32.add (local.get $arena) (i32.load offset=4 (local.get $s))))
            (local.set $k (i32.const 0))
            (block $differ
              (loop $units
                (if (i32.ge_u (local.get $k) (local.get $n)) (then (return (i32.const 1))))
                (br_if $differ
                  (i32.ne (i32.load16_u (i32.add (local.get $kept) (i32.shl (local.get $k) (i32.const 1))))
                          (i32.load16_u (i32.add (local.get $word) (i32.shl (local.get $k) (i32.const 1))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $units)))))
        (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
        (br $probe)))
    ;; Short words only, as the table's slots are few and most words that repeat are short.
    (if (i32.or (i32.ge_u (local.get $n) (i32.const 13))
                (i32.ge_u (i32.load offset=8 (local.get $state)) (i32.load offset=12 (local.get $state))))
      (then (return (i32.const 0))))
    (local.set $top (i32.load offset=4 (local.get $state)))
    (i32.store (local.get $s) (local.get $h))
    (i32.store offset=4 (local.get $s) (local.get $top))
    (i32.store offset=8 (local.get $s) (local.get $gen))
    (i32.store offset=12 (local.get $s) (local.get $n))
    (memory.copy (i32.add (local.get $arena) (local.get $top)) (local.get $word) (i32.shl (local.get $n) (i32.const 1)))
    (i32.store offset=4 (local.get $state) (i32.add (local.get $top) (i32.shl (local.get $n) (i32.const 1))))
    (i32.store offset=8 (local.get $state) (i32.add (i32.load offset=8 (local.get $state)) (i32.const 1)))
    (i32.const 0))

  ;; The words of at least two units in data[0..len) not seen before (see $seen), as [start, end)
  ;; pairs of units at `out`; returns how many. First every letter run of two units or more is
  ;; written at `out` as [start, end, hash] (12 bytes: up to (len / 3 + 1) of them), by a loop without
  ;; calls or unpredictable branches (a surrogate sends the rest of the text to a general loop); then
  ;; the new ones among them are kept, in place.
  (func (export "newWords") (param $data i32) (param $len i32) (param $state i32) (param $letters i32)
        (param $table i32) (param $mask i32) (param $arena i32) (param $out i32) (result i32)
    (local $i i32) (local $u i32) (local $w i32) (local $h i32) (local $start i32) (local $run i32)
    (local $at i32) (local $end i32) (local $k i32)
    (local.set $at (local.get $out))
    (block $general
      (loop $fast
        (br_if $general (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $u (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1)))))
        (br_if $general (i32.eq (i32.and (local.get $u) (i32.const 0xf800)) (i32.const 0xd800)))
        (local.set $w
          (i32.and
            (i32.shr_u (i32.load8_u (i32.add (local.get $letters) (i32.shr_u (local.get $u) (i32.const 3))))
                       (i32.and (local.get $u) (i32.const 7)))
            (i32.const 1)))
        ;; The run ends here: kept (the pointer moves on) when two units or more.
        (i32.store (local.get $at) (local.get $start))
        (i32.store offset=4 (local.get $at) (local.get $i))
        (i32.store offset=8 (local.get $at) (local.get $h))
        (local.set $at
          (i32.add (local.get $at)
            (i32.mul (i32.const 12)
              (i32.and (i32.and (local.get $run) (i32.eqz (local.get $w)))
                       (i32.ge_u (i32.sub (local.get $i) (local.get $start)) (i32.const 2))))))
        (local.set $start (select (local.get $start) (local.get $i) (local.get $run)))
        (local.set $h
          (i32.mul
            (i32.xor (select (local.get $h) (i32.const 0x811c9dc5) (local.get $run)) (local.get $u))
            (i32.const 0x01000193)))
        (local.set $run (local.get $w))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fast)))
    (block $read
      (loop $slow
        (br_if $read (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $u (i32.load16_u (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1)))))
        (local.set $w (call $letterAt (local.get $data) (local.get $len) (local.get $letters) (local.get $i)))
        (i32.store (local.get $at) (local.get $start))
        (i32.store offset=4 (local.get $at) (local.get $i))
        (i32.store offset=8 (local.get $at) (local.get $h))
        (local.set $at
          (i32.add (local.get $at)
            (i32.mul (i32.const 12)
              (i32.and (i32.and (local.get $run) (i32.eqz (local.get $w)))
                       (i32.ge_u (i32.sub (local.get $i) (local.get $start)) (i32.const 2))))))
        (local.set $start (select (local.get $start) (local.get $i) (local.get $run)))
        (local.set $h
          (i32.mul
            (i32.xor (select (local.get $h) (i32.const 0x811c9dc5) (local.get $run)) (local.get $u))
            (i32.const 0x01000193)))
        (if (i32.eq (local.get $w) (i32.const 2))
          (then
            (local.set $h
              (i32.mul
                (i32.xor (local.get $h)
                  (i32.load16_u offset=2 (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 1)))))
                (i32.const 0x01000193)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (local.set $run (i32.ne (local.get $w) (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $slow)))
    ;; A run to the end of the text.
    (i32.store (local.get $at) (local.get $start))
    (i32.store offset=4 (local.get $at) (local.get $len))
    (i32.store offset=8 (local.get $at) (local.get $h))
    (local.set $at
      (i32.add (local.get $at)
        (i32.mul (i32.const 12)
          (i32.and (local.get $run) (i32.ge_u (i32.sub (local.get $len) (local.get $start)) (i32.const 2))))))
    ;; The new words, as pairs over the runs (a pair is never written past the run it is read from).
    (local.set $end (local.get $at))
    (local.set $at (local.get $out))
    (local.set $k (local.get $out))
    (block $kept
      (loop $each
        (br_if $kept (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $start (i32.load (local.get $k)))
        (local.set $i (i32.load offset=4 (local.get $k)))
        (if (i32.eqz
              (call $seen (local.get $state) (local.get $table) (local.get $mask) (local.get $arena)
                (i32.add (local.get $data) (i32.shl (local.get $start) (i32.const 1)))
                (i32.sub (local.get $i) (local.get $start)) (i32.load offset=8 (local.get $k))))
          (then
            (i32.store (local.get $at) (local.get $start))
            (i32.store offset=4 (local.get $at) (local.get $i))
            (local.set $at (i32.add (local.get $at) (i32.const 8)))))
        (local.set $k (i32.add (local.get $k) (i32.const 12)))
        (br $each)))
    (i32.shr_u (i32.sub (local.get $at) (local.get $out)) (i32.const 3)))

  ;; The sum of the sixteen unsigned 8-bit lanes.
  (func $lanes (param $v v128) (result i32)
    (local $w v128)
    (local.set $w (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $v))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $w)) (i32x4.extract_lane 1 (local.get $w)))
      (i32.add (i32x4.extract_lane 2 (local.get $w)) (i32x4.extract_lane 3 (local.get $w)))))
)

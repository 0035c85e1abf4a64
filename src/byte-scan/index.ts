/**
 * The byte-scan module: generic searches over bytes and UTF-16 units that V8 does several times slower,
 * compiled from AssemblyScript (assembly/index.ts) to WebAssembly. It knows no detector and no format:
 * byte programs (`find`), byte counts, runs of ASCII digits, Latin-1-range UTF-8 decoding, SipHash and
 * new letter runs. A leaf: it imports nothing of dsr.
 */
export { ByteCounter, type ByteCounts } from './count.js';
export { DigitRuns, digitRunsOf, SHORT_TEXT } from './digit-runs.js';
export { align, ModuleInstance } from './instance.js';
export { Latin1Decoder } from './latin1.js';
export { LETTER_LIMIT, letterBits } from './letters.js';
export {
  type ByteProgram,
  ByteScanner,
  type ByteSeq,
  type ByteStep,
  caselessSteps,
  exactSteps,
  programPattern,
  programSpan,
} from './programs.js';

import { type DetectorRegistry, registry as detectors, type RawAnchor } from '../../detectors/index.js';
import { type ByteProgram, ByteScanner, programSpan } from '../byte-scan/index.js';
import type { CompiledSubject } from '../match/subject.js';
import { uniqueAnchors } from './anchors.js';

/**
 * The subject's anchors as tests of a file's raw bytes (each detector's `anchors.raw`, see RawAnchor),
 * so that a plain-text file holding nothing of the subject is passed over without decoding or
 * normalising it (most files of a drive).
 *
 * The bytes are searched as a Latin-1 string: every byte one character. A file read as UTF-8 or
 * Windows-1252 keeps its ASCII characters as the same bytes and turns every other character into one
 * to four bytes of 0x80–0xFF, which each detector's raw anchors allow for. Byte programs run in the
 * byte-scan module, 16 bytes per step, all of them over each block loaded once.
 *
 * Two things can turn other bytes into anchor characters: NFC composition (a combining mark after a
 * letter) and case folding (`ſ` matches `s`, the Kelvin sign `k`). A file holding either
 * ({@link needsDecoding}) is read the normal way.
 */
export interface RawAnchors {
  /** True when these bytes may hold one of the subject's identifiers. */
  test(bytes: Buffer): boolean;
  /** Bytes an anchor match can span at most: blocks are searched with this much overlap. */
  span: number;
}

/** One block of bytes, with its Latin-1 string and the byte programs' answers made when first asked. */
interface Block {
  bytes: Buffer;
  text(): string;
  found(program: number): boolean;
  next(program: number, from: number): number;
}
type BlockTest = (block: Block) => boolean;

/**
 * With `namesOnly`, the name detectors' anchors alone: an inventory (`--all`) lists everyone's
 * identifiers anyway, but looks for names only where the subject's surname occurs. Undefined when
 * there is nothing to look for.
 */
export function rawSubjectAnchors(
  subject: CompiledSubject,
  { namesOnly = false }: { namesOnly?: boolean } = {},
  registry: DetectorRegistry = detectors,
): RawAnchors | undefined {
  if (subject.isEmpty) return undefined;
  const anchors = uniqueAnchors(namesOnly ? registry.names : registry.list).flatMap((a) => a.raw(subject));
  if (!anchors.length) return undefined;
  const programs: ByteProgram[] = [];
  const spans: number[] = [];
  const program = (p: ByteProgram) => {
    spans.push(programSpan(p));
    return programs.push(p) - 1;
  };
  const regex = (source: string, flags = 'i') => {
    spans.push(source.length * 4 + 16);
    return new RegExp(source, flags);
  };
  const tests = anchors.map((a) => testOf(a, program, regex));
  const span = Math.max(...spans);
  let scanner: ByteScanner | undefined;
  return {
    test: (bytes) => {
      scanner ??= new ByteScanner(programs);
      return blockTest(bytes, scanner, tests);
    },
    span,
  };
}

function testOf(
  anchor: RawAnchor,
  program: (p: ByteProgram) => number,
  regex: (source: string, flags?: string) => RegExp,
): BlockTest {
  switch (anchor.kind) {
    case 'program': {
      const index = program(anchor.program);
      return (block) => block.found(index);
    }
    case 'pattern': {
      const whole = regex(anchor.pattern);
      if (!anchor.first) return (block) => whole.test(block.text());
      const first = new RegExp(anchor.first, 'i');
      return (block) => first.test(block.text()) && whole.test(block.text());
    }
    case 'around':
      return aroundTest(program(anchor.program), new RegExp(anchor.at, 'iy'), regex(anchor.pattern));
  }
}

/**
 * The pattern where `at` matches from a place the byte program `literal` matches: both are tried on
 * the bytes around it only, as a match holds the literal and so lies within the pattern's span of it
 * (with a few bytes more for what a look-around reads). A string of the whole 64 KiB block searched
 * for the pattern costs far more, in every block where the literal is common.
 */
function aroundTest(literal: number, at: RegExp, whole: RegExp): BlockTest {
  const reach = whole.source.length * 4 + 16 + 8;
  return (block) => {
    for (let p = block.next(literal, 0); p !== -1; p = block.next(literal, p + 1)) {
      const from = Math.max(0, p - reach);
      const around = block.bytes.toString('latin1', from, Math.min(block.bytes.length, p + reach));
      at.lastIndex = p - from;
      if (at.test(around) && whole.test(around)) return true;
    }
    return false;
  };
}

function blockTest(bytes: Buffer, scanner: ByteScanner, tests: BlockTest[]): boolean {
  let latin1: string | undefined;
  let loaded = false;
  const block: Block = {
    bytes,
    text: () => {
      latin1 ??= bytes.toString('latin1');
      return latin1;
    },
    found: (program) => block.next(program, 0) !== -1,
    next: (program, from) => {
      if (!loaded) scanner.load(bytes);
      loaded = true;
      return scanner.next(program, from);
    },
  };
  return tests.some((t) => t(block));
}

/**
 * Bytes that decoding could turn into an anchor character the raw patterns do not see: a combining
 * mark (UTF-8 lead bytes 0xCC/0xCD, U+0300–U+036F) composing with a letter under NFC, `ſ` (U+017F) and
 * the Kelvin sign (U+212A), which match `s` and `k` case-insensitively.
 */
export function needsDecoding(bytes: Buffer): boolean {
  return bytes.includes(0xcc) || bytes.includes(0xcd) || bytes.includes(LONG_S) || bytes.includes(KELVIN);
}

const LONG_S = Buffer.from('ſ', 'utf8');
const KELVIN = Buffer.from('\u212a', 'utf8');

import { subjectPhoneDigits } from '../../detectors/phone.js';
import { cprDigits } from '../match/cpr.js';
import { longestLiteral, NON_ASCII_BYTES, tokenBytePattern } from '../match/fold.js';
import type { CompiledSubject } from '../match/subject.js';
import { ByteScanner, type ByteStep, caselessSteps, digitSteps } from './byte-scan.js';

/**
 * The subject's anchors as patterns over a file's raw bytes, so that a plain-text file holding nothing
 * of the subject is passed over without decoding or normalising it (most files of a drive).
 *
 * The bytes are searched as a Latin-1 string: every byte one character. A file read as UTF-8 or
 * Windows-1252 keeps its ASCII characters as the same bytes and turns every other character into one
 * to four bytes of 0x80–0xFF, so each pattern below lets an ASCII character stand for itself and any
 * non-ASCII character for such a run. Each one is implied by its detector's pattern (a superset):
 * - CPR: the ten digits, with the detector's optional separator (`-`, space, no-break space, a dash);
 * - phone: the national digits in order with at most one separator (space, no-break space, `.`, `-`);
 * - e-mail: the address itself, case-insensitively;
 * - name: the surname of every profile name in any spelling (every name form contains it).
 * The first three, and the plain-letter part of a surname, run as byte programs (see byte-scan.ts),
 * 16 bytes per step; the regex beside each states what its program matches (and sets the overlap).
 *
 * Two things can turn other bytes into these characters: NFC composition (a combining mark after a
 * letter) and case folding (`ſ` matches `s`, the Kelvin sign `k`). A file holding either
 * ({@link needsDecoding}) is read the normal way.
 */
export interface RawAnchors {
  /** True when these bytes may hold one of the subject's identifiers. */
  test(bytes: Buffer): boolean;
  /** Bytes an anchor match can span at most: blocks are searched with this much overlap. */
  span: number;
}

/** A no-break space as Windows-1252 (one byte) or UTF-8 (two bytes). */
const NBSP = '(?:\\xa0|\\xc2\\xa0)';
/** A dash between a CPR number's date and serial: the en dash in Windows-1252, U+2010–U+2013 in UTF-8. */
const CPR_DASH = '(?:\\x96|\\xe2\\x80[\\x90-\\x93])';

/** One block of bytes, with its Latin-1 string and the byte programs' answers made when first asked. */
interface Block {
  bytes: Buffer;
  text(): string;
  found(program: number): boolean;
  next(program: number, from: number): number;
}
type BlockTest = (block: Block) => boolean;

/**
 * With `namesOnly`, the surnames alone: an inventory (`--all`) lists everyone's e-mail addresses, phone
 * numbers and CPR numbers anyway, but looks for names only where the subject's surname occurs.
 */
export function rawSubjectAnchors(
  subject: CompiledSubject,
  { namesOnly = false }: { namesOnly?: boolean } = {},
): RawAnchors | undefined {
  if (namesOnly ? !subject.names.length : subject.isEmpty) return undefined;
  const tests: BlockTest[] = [];
  const sources: string[] = [];
  const programs: ByteStep[][] = [];
  // The digit and ASCII patterns run as byte programs (see byte-scan.ts), each the regex in `sources`.
  const program = (steps: ByteStep[], source: string) => {
    sources.push(source);
    return programs.push(steps) - 1;
  };
  const found =
    (index: number): BlockTest =>
    (block) =>
      block.found(index);
  for (const cpr of namesOnly ? [] : subject.cprs) {
    const d = cprDigits(cpr);
    const source = `${d.slice(0, 6)}(?:[- ]|${NBSP}|${CPR_DASH})?${d.slice(6)}`;
    tests.push(
      found(
        program(
          digitSteps(d, 2, (i) => i === 5),
          source,
        ),
      ),
    );
  }
  for (const digits of namesOnly ? [] : subjectPhoneDigits(subject))
    tests.push(
      found(
        program(
          digitSteps(digits, 1, () => true),
          [...digits].join(`(?:[ .-]|${NBSP})?`),
        ),
      ),
    );
  for (const email of namesOnly ? [] : subject.emails) {
    const source = literalBytePattern(email);
    tests.push(
      /^[\x21-\x7e]+$/.test(email)
        ? found(program(caselessSteps(email), source))
        : regexTest(source, sources),
    );
  }
  // An alias usually shares the profile name's surname: each spelling is searched once.
  for (const surname of new Set(subject.names.map((n) => n.surname))) {
    const literal = longestLiteral(surname);
    tests.push(
      literal.length >= 2
        ? surnameTest(surname, sources, program(caselessSteps(literal), literal))
        : surnameTest(surname, sources),
    );
  }
  const span = Math.max(...sources.map((p) => p.length)) * 4 + 16;
  let scanner: ByteScanner | undefined;
  return {
    test: (bytes) => {
      scanner ??= new ByteScanner(programs);
      return blockTest(bytes, scanner, tests);
    },
    span,
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

function regex(source: string, sources: string[]): RegExp {
  sources.push(source);
  return new RegExp(source, 'i');
}

function regexTest(source: string, sources: string[]): BlockTest {
  const re = regex(source, sources);
  return (block) => re.test(block.text());
}

/**
 * A surname in any spelling: the whole pattern where its part from the longest run of plain ASCII
 * letters on occurs. That part is found at each place the byte program `literal` (the run itself)
 * matches, and both patterns are tried on the bytes around it only: a match holds the run, so it lies
 * within the pattern's span of it (with a few bytes more for what a look-around reads). Making the
 * whole 64 KiB block a string and searching all of it cost ~0.1 ms a block, and another family's name
 * that shares the run (`Vestergaard` for `Østergård`) brought it to most blocks of the bench corpus.
 * With no such program (a run of one letter or none), by a regex, which V8 scans for a leading literal
 * far faster than for a leading alternation.
 */
function surnameTest(surname: string, sources: string[], literal?: number): BlockTest {
  const whole = regex(tokenBytePattern(surname), sources);
  const tail = tokenBytePattern(surname, { fromLongestLiteral: true });
  if (literal !== undefined) {
    const at = new RegExp(tail, 'iy');
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
  if (tail === whole.source) return (block) => whole.test(block.text());
  const fast = new RegExp(tail, 'i');
  return (block) => fast.test(block.text()) && whole.test(block.text());
}

function literalBytePattern(s: string): string {
  return [...s]
    .map((ch) => (ch.charCodeAt(0) < 0x80 ? ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') : NON_ASCII_BYTES))
    .join('');
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

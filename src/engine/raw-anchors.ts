import { subjectPhoneDigits } from '../../detectors/phone.js';
import { cprDigits } from '../match/cpr.js';
import { NON_ASCII_BYTES, tokenBytePattern } from '../match/fold.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * The subject's anchors as patterns over a file's raw bytes, so that a plain-text file holding nothing
 * of the subject is passed over without decoding or normalising it (most files of a drive).
 *
 * The bytes are searched as a Latin-1 string: every byte one character. A file read as UTF-8 or
 * Windows-1252 keeps its ASCII characters as the same bytes and turns every other character into one
 * to four bytes of 0x80–0xFF, so each pattern below lets an ASCII character stand for itself and any
 * non-ASCII character for such a run. Each one is implied by its detector's pattern (a superset):
 * - CPR: the ten digits, with the detector's optional separator (`-`, space, no-break space);
 * - phone: the national digits in order with at most one separator (space, no-break space, `.`, `-`);
 * - e-mail: the address itself, case-insensitively;
 * - name: the surname of every profile name in any spelling (every name form contains it).
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

/** One identifier's test over a block; `text` is the block as a Latin-1 string, made once when needed. */
type BlockTest = (bytes: Buffer, text: () => string) => boolean;

export function rawSubjectAnchors(subject: CompiledSubject): RawAnchors | undefined {
  if (subject.isEmpty) return undefined;
  const tests: BlockTest[] = [];
  const sources: string[] = [];
  for (const cpr of subject.cprs) {
    const d = cprDigits(cpr);
    const re = regex(`${d.slice(0, 6)}(?:[- ]|${NBSP})?${d.slice(6)}`, sources);
    const birth = Buffer.from(d.slice(0, 6));
    tests.push((bytes, text) => bytes.includes(birth) && re.test(text()));
  }
  for (const digits of subjectPhoneDigits(subject)) {
    const re = regex([...digits].join(`(?:[ .-]|${NBSP})?`), sources);
    tests.push((_bytes, text) => re.test(text()));
  }
  for (const email of subject.emails) {
    sources.push(email);
    tests.push(
      /^[\x21-\x7e]+$/.test(email) ? asciiAddressTest(email) : regexTest(literalBytePattern(email), sources),
    );
  }
  // An alias usually shares the profile name's surname: each spelling is searched once.
  for (const surname of new Set(subject.names.map((n) => n.surname)))
    tests.push(surnameTest(surname, sources));
  const span = Math.max(...sources.map((p) => p.length)) * 4 + 16;
  return { test: (bytes) => blockTest(bytes, tests), span };
}

function blockTest(bytes: Buffer, tests: BlockTest[]): boolean {
  let latin1: string | undefined;
  const text = () => {
    latin1 ??= bytes.toString('latin1');
    return latin1;
  };
  return tests.some((t) => t(bytes, text));
}

function regex(source: string, sources: string[]): RegExp {
  sources.push(source);
  return new RegExp(source, 'i');
}

function regexTest(source: string, sources: string[]): BlockTest {
  const re = regex(source, sources);
  return (_bytes, text) => re.test(text());
}

/**
 * An ASCII address, found from each `@` (rare in most text) by comparing the bytes around it with the
 * ASCII case bit ignored: a few more bytes compare equal than letters, never fewer.
 */
function asciiAddressTest(email: string): BlockTest {
  const want = Buffer.from(email.toLowerCase(), 'latin1');
  const at = want.indexOf(0x40);
  return (bytes) => {
    for (let i = bytes.indexOf(0x40, at); i !== -1; i = bytes.indexOf(0x40, i + 1)) {
      const start = i - at;
      if (start + want.length > bytes.length) return false;
      let j = 0;
      while (j < want.length && (bytes[start + j] | 0x20) === (want[j] | 0x20)) j++;
      if (j === want.length) return true;
    }
    return false;
  };
}

/**
 * A surname in any spelling. The pattern is tried from its longest run of plain ASCII letters on (V8
 * scans for a leading literal far faster than for a leading alternation); the whole pattern only
 * where that part occurs.
 */
function surnameTest(surname: string, sources: string[]): BlockTest {
  const whole = regex(tokenBytePattern(surname), sources);
  const tail = tokenBytePattern(surname, { fromLongestLiteral: true });
  if (tail === whole.source) return (_bytes, text) => whole.test(text());
  const fast = new RegExp(tail, 'i');
  return (_bytes, text) => fast.test(text()) && whole.test(text());
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

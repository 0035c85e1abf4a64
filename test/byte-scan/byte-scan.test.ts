import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildByteScan } from '../../src/byte-scan/build.mjs';
import {
  ByteCounter,
  type ByteProgram,
  ByteScanner,
  type ByteSeq,
  caselessSteps,
  DigitRuns,
  exactSteps,
  Latin1Decoder,
  programPattern,
} from '../../src/byte-scan/index.js';
import {
  countPlain,
  digitRunsPlain,
  latin1FromUtf8Plain,
  NewWordsPlain,
  PlainScanner,
  sipHashesPlain,
} from '../../src/byte-scan/plain.js';
import { FilterHasher } from '../../src/index/filter-hash.js';
import { SeenWords } from '../../src/index/words.js';
import { PROJECT } from '../helpers/cli.js';
import { seededRandom } from '../helpers/random.js';

/** Real files of every kind, for the comparisons with the plain versions: the fixtures and dsr's own sources. */
function realFiles(): Buffer[] {
  const out: Buffer[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else out.push(readFileSync(path));
    }
  };
  for (const dir of ['fixtures', 'src', 'detectors']) walk(join(PROJECT, dir));
  return out;
}
const REAL = realFiles();

/**
 * The byte scanner decides "does this block hold the pattern" for the raw prefilter; a wrong "no" loses
 * a finding. Every program is checked against the regex it stands for, over hand-picked blocks and
 * over many random blocks built from the bytes that matter (the pattern's own, separators, 0xC2/0xA0,
 * the other case), at every length around the 16-byte steps.
 */
const NBSP = '(?:\\xa0|\\xc2\\xa0)';
const phoneRegex = (d: string) => new RegExp([...d].join(`(?:[ .-]|${NBSP})?`), 'i');
/** A dash a word processor puts in a CPR number: the en dash in Windows-1252, U+2010–U+2013 in UTF-8. */
const CPR_DASH = '(?:\\x96|\\xe2\\x80[\\x90-\\x93])';
const cprRegex = (d: string) => new RegExp(`${d.slice(0, 6)}(?:[- ]|${NBSP}|${CPR_DASH})?${d.slice(6)}`, 'i');
const literalRegex = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'), 'i');

/** Separators of the two digit programs dsr's detectors make (a phone number's, a CPR number's). */
const PHONE_SEPARATORS: ByteSeq[] = [[0x20], [0x2e], [0x2d], [0xa0], [0xc2, 0xa0]];
const CPR_SEPARATORS: ByteSeq[] = [[0x2d], [0x20], [0xa0], [0xc2, 0xa0], [0x96], [0xe2, 0x80, [0x90, 0x93]]];
const phone = (d: string): ByteProgram => ({
  steps: exactSteps(d, () => true),
  separators: PHONE_SEPARATORS,
});
const cpr = (d: string): ByteProgram => ({
  steps: exactSteps(d, (i) => i === 5),
  separators: CPR_SEPARATORS,
});
const literal = (s: string): ByteProgram => ({ steps: caselessSteps(s) });

interface Case {
  name: string;
  program: ByteProgram;
  regex: RegExp;
}
const CASES: Case[] = [
  { name: 'phone', program: phone('21436587'), regex: phoneRegex('21436587') },
  { name: 'phone with a repeated digit', program: phone('22226587'), regex: phoneRegex('22226587') },
  { name: 'CPR', program: cpr('1503871236'), regex: cprRegex('1503871236') },
  { name: 'literal', program: literal('sterg'), regex: literalRegex('sterg') },
  { name: 'one-letter literal', program: literal('q'), regex: literalRegex('q') },
  { name: 'repetitive literal', program: literal('aab'), regex: literalRegex('aab') },
  {
    name: 'address',
    program: literal('soren.ostergard@example.dk'),
    regex: literalRegex('soren.ostergard@example.dk'),
  },
  { name: 'literal with symbols', program: literal('a[{@`z'), regex: literalRegex('a[{@`z') },
];

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const textOf = (p: ByteProgram) => String.fromCharCode(...p.steps.map((s) => s.value));

describe('byte scanner', () => {
  const scanner = new ByteScanner(CASES.map((c) => c.program));
  const sticky = CASES.map((c) => new RegExp(c.regex.source, 'iy'));
  /** The cases whose match positions in `bytes` differ from their regex's. */
  const check = (bytes: Buffer) => {
    scanner.load(bytes);
    const text = bytes.toString('latin1');
    return CASES.filter((_c, i) => {
      const want: number[] = [];
      for (let p = 0; p < text.length; p++) {
        sticky[i].lastIndex = p;
        if (sticky[i].test(text)) want.push(p);
      }
      const got: number[] = [];
      for (let p = scanner.next(i, 0); p !== -1; p = scanner.next(i, p + 1)) got.push(p);
      return got.join() !== want.join() || scanner.found(i) !== want.length > 0;
    }).map((c) => c.name);
  };

  it.each([
    ['phone in pairs', 'tlf 21 43 65 87', ['phone']],
    ['phone with mixed separators', 'x21.43-6587y', ['phone']],
    ['phone with UTF-8 no-break spaces', 'tlf 21\xc2\xa043\xc2\xa065\xc2\xa087', ['phone']],
    ['phone with Windows-1252 no-break spaces', '21\xa043\xa065\xa087', ['phone']],
    ['phone at the very end', `${'z'.repeat(37)}21436587`, ['phone']],
    ['CPR with dash at the start', '150387-1236 ...', ['CPR']],
    ['CPR with a no-break space', '150387\xc2\xa01236', ['CPR']],
    ['CPR with a UTF-8 non-breaking hyphen (U+2011)', '150387\xe2\x80\x911236', ['CPR']],
    ['CPR with a UTF-8 en dash (U+2013)', '150387\xe2\x80\x931236', ['CPR']],
    ['CPR with a Windows-1252 en dash (0x96)', '150387\x961236', ['CPR']],
    ['literal in upper case', 'ØSTERGÅRD', ['literal']],
    ['literal across the 16-byte step', `${'x'.repeat(14)}StErG${'x'.repeat(20)}`, ['literal']],
    ['address in mixed case', '<Soren.Ostergard@Example.DK>', ['literal', 'address']],
    ['symbols exactly', 'A[{@`Z', ['literal with symbols']],
    ['one letter', 'Q', ['one-letter literal']],
    ['overlapping starts', 'aaab', ['repetitive literal']],
  ])('finds %s', (_name, text, names) => {
    scanner.load(latin1(text));
    expect(CASES.filter((_c, i) => scanner.found(i)).map((c) => c.name)).toEqual(names);
  });

  it.each([
    ['two separators in a row', '21  43 65 87'],
    ['a dot in a CPR', '150387.1236'],
    ['a lone 0xC2 as separator', '21\xc243658715038\xc21236'],
    ['an em dash in a CPR (U+2014)', '150387\xe2\x80\x941236'],
    ['a dash cut short in a CPR', '150387\xe2\x801236'],
    ['an en dash in a phone number', '21\x9643\xe2\x80\x936587'],
    ['a no-break space cut in half', '21\xa0\xc243 65 87'],
    ['symbols in the other "case"', 'a{[`@z'],
    [
      'the other half of the case bit',
      'STERG'.replace(/./g, (c) => String.fromCharCode(c.charCodeAt(0) & ~0x40)),
    ],
    ['an empty block', ''],
  ])('finds nothing in %s', (_name, text) => {
    scanner.load(latin1(text));
    expect(CASES.filter((_c, i) => scanner.found(i)).map((c) => c.name)).toEqual([]);
  });

  it('matches where the regexes match, in random blocks of every length', () => {
    const random = seededRandom(12345);
    const pick = <T>(xs: readonly T[]) => xs[random(xs.length)];
    const noise = [...'2143658709 .-sStTerRgGqaAb@`[{zx\x00\xff\x13\x53\xa0\xc2\xe2\x80\x93\x96', '\xc2\xa0'];
    const separators = [
      ...['', '', '', ' ', '.', '-', '\xa0', '\xc2\xa0', '\xc2', '  ', '/'],
      ...['\x96', '\xe2\x80\x91', '\xe2\x80\x93', '\xe2\x80\x94', '\xe2\x80'],
    ];
    const flipCase = (ch: string) => (random(2) ? String.fromCharCode(ch.charCodeAt(0) ^ 0x20) : ch);
    /** A writing of a case's pattern: separators of every kind, letters (and symbols) in either case. */
    const instance = (c: Case) => {
      const text = textOf(c.program);
      if (/^\d+$/.test(text)) return [...text].map((d) => d + (random(4) ? '' : pick(separators))).join('');
      return [...text].map(flipCase).join('');
    };
    const mutate = (s: string) => {
      const at = random(s.length + 1);
      return random(2) ? s.slice(0, at) + pick(noise) + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
    };
    const blockOf = (length: number) => {
      let s = '';
      while (s.length < length) {
        let piece = random(4) ? pick(noise) : instance(pick(CASES));
        if (random(3) === 0) piece = mutate(piece);
        s += piece;
      }
      return s.slice(0, length);
    };
    const mismatches: string[] = [];
    const hits = CASES.map(() => 0);
    for (let n = 0; n < 40_000; n++) {
      const bytes = latin1(blockOf(n % 90));
      const wrong = check(bytes);
      if (wrong.length) mismatches.push(`${JSON.stringify(bytes.toString('latin1'))}: ${wrong.join()}`);
      CASES.forEach((_c, i) => {
        if (scanner.found(i)) hits[i]++;
      });
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The random blocks must hit every pattern often, or the comparison proves little.
    expect(Math.min(...hits)).toBeGreaterThan(100);
  });

  it('takes blocks larger than its memory', () => {
    const big = Buffer.alloc(600_000, 'x');
    big.write('21 43 65 87', big.length - 11, 'latin1');
    scanner.load(big);
    expect(scanner.found(0)).toBe(true);
    scanner.load(latin1('nothing'));
    expect(scanner.found(0)).toBe(false);
  });

  it('matches where the regex it stands for (programPattern) matches', () => {
    const random = seededRandom(99);
    const sticky = CASES.map((c) => new RegExp(programPattern(c.program), 'y'));
    const alphabet = [...'2143658709 .-sStTeErRgGqaAbB@`[{zx', '\xa0', '\xc2', '\xe2\x80\x91', '\x96'];
    let hits = 0;
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: n % 60 }, () => alphabet[random(alphabet.length)]).join('');
      // Plant a writing of a case now and then.
      const c = CASES[random(CASES.length)];
      const planted = random(2) ? text + textOf(c.program) + text : text;
      scanner.load(latin1(planted));
      CASES.forEach((k, i) => {
        const want: number[] = [];
        for (let p = 0; p < planted.length; p++) {
          sticky[i].lastIndex = p;
          if (sticky[i].test(planted)) want.push(p);
        }
        const got: number[] = [];
        for (let p = scanner.next(i, 0); p !== -1; p = scanner.next(i, p + 1)) got.push(p);
        expect(got, `${k.name} in ${JSON.stringify(planted)}`).toEqual(want);
        hits += got.length;
      });
    }
    expect(hits).toBeGreaterThan(1000);
  });

  it('finds every match the plain regex search finds, in real files', () => {
    const plain = new PlainScanner(CASES.map((c) => c.program));
    let found = 0;
    for (const file of REAL)
      for (let at = 0; at < file.length; at += 64 * 1024) {
        const block = file.subarray(at, at + 64 * 1024);
        scanner.load(block);
        plain.load(block);
        CASES.forEach((_c, i) => {
          for (let from = 0; ; found++) {
            const p = plain.next(i, from);
            expect(scanner.next(i, from)).toBe(p);
            if (p === -1) break;
            from = p + 1;
          }
        });
      }
    expect(found).toBeGreaterThan(20);
  });

  it('refuses programs it could not match as their regex', () => {
    expect(() => new ByteScanner([{ steps: [] }])).toThrow('a program needs a step');
    // A separator that a step also accepts: `1-2` could then be read two ways.
    expect(() => new ByteScanner([{ steps: exactSteps('12', () => true), separators: [[0x31]] }])).toThrow(
      "also a step's byte",
    );
    expect(
      () => new ByteScanner([{ steps: exactSteps('12', () => true), separators: [[0x20], [0x20, 0x20]] }]),
    ).toThrow('may not begin another');
    expect(
      () => new ByteScanner([{ steps: exactSteps('12'), separators: [[0x20, 0x20, 0x20, 0x20]] }]),
    ).toThrow('one to three bytes');
  });

  it('ships the module that its AssemblyScript compiles to', async () => {
    const committed = readFileSync(join(PROJECT, 'src/byte-scan/wasm.ts'), 'utf8');
    expect(await buildByteScan()).toBe(committed);
  });
});

describe('byte counter', () => {
  it('counts continuation bytes, 4-byte leads, line feeds and characters from U+0300 as a plain loop does', () => {
    const next = seededRandom(7);
    const counter = new ByteCounter();
    const pool = [0x0a, 0x41, 0x80, 0xbf, 0xc3, 0xcb, 0xcc, 0xe2, 0xf0, 0xf4, 0xff, 0x00, 0x20];
    for (let len = 0; len < 700; len += len < 100 ? 1 : 37) {
      for (let round = 0; round < 3; round++) {
        const bytes = Uint8Array.from({ length: len }, () => pool[next(pool.length)] ?? 0);
        // Mostly plain bytes, so that a block often has none of a kind.
        for (let i = 0; i < len; i++) if (next(4)) bytes[i] = 0x61;
        const plain = {
          continuation: bytes.filter((b) => b >= 0x80 && b <= 0xbf).length,
          fourByteLeads: bytes.filter((b) => b >= 0xf0).length,
          lineFeeds: bytes.filter((b) => b === 0x0a).length,
          fromU0300: bytes.some((b) => b >= 0xcc),
        };
        expect(counter.count(bytes), `length ${len}`).toEqual(plain);
        expect(countPlain(bytes), `length ${len}`).toEqual(plain);
      }
    }
    for (const file of REAL) expect(counter.count(file)).toEqual(countPlain(file));
    // Past 255 vectors a lane carries over into the totals; past its memory the module grows.
    const big = Buffer.from('æ\n'.repeat(400_000));
    expect(counter.count(big)).toEqual({
      continuation: 400_000,
      fourByteLeads: 0,
      lineFeeds: 400_000,
      fromU0300: false,
    });
  });
});

describe('digit runs', () => {
  /** The plain definition: every maximal run of ASCII digits as [start, end). */
  const plain = (text: string) =>
    [...text.matchAll(/[0-9]+/g)].flatMap((m) => [m.index, m.index + m[0].length]);

  it('finds the runs of ASCII digits a regex finds, at every length around the 16-unit steps', () => {
    const next = seededRandom(11);
    const scanner = new DigitRuns();
    // Digits, their neighbours in UTF-16 (`/`, `:`), units whose low byte is a digit (U+0130, U+2030),
    // other digits (Arabic-Indic, fullwidth), an astral character.
    const pool = ['0', '5', '9', '/', ':', 'a', ' ', '\u0130', '\u2030', '\u0660', '\uff11', '😀'];
    let compared = 0;
    for (let len = 0; len < 300; len++) {
      for (let round = 0; round < 20; round++) {
        const text = Array.from({ length: len }, () => pool[next(pool.length)]).join('');
        const expected = plain(text);
        expect([...scanner.of(text)], JSON.stringify(text)).toEqual(expected);
        compared += expected.length / 2;
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it('takes texts larger than its memory, a run at either end', () => {
    const scanner = new DigitRuns();
    const text = `12${'x'.repeat(500_000)}${'7'.repeat(40_000)}`;
    expect([...scanner.of(text)]).toEqual([0, 2, 500_002, 540_002]);
    expect([...scanner.of('')]).toEqual([]);
    expect([...scanner.of('1')]).toEqual([0, 1]);
  });

  it('gives the plain version’s runs for real texts', () => {
    const scanner = new DigitRuns();
    for (const file of REAL)
      for (const text of [file.toString('utf8'), file.toString('latin1')])
        expect([...scanner.of(text)]).toEqual([...digitRunsPlain(text)]);
  });
});

describe('Latin-1 decoder', () => {
  /** What a fatal streaming TextDecoder makes of the bytes, and the cut character it holds (U+FFFD) if any. */
  const reference = (bytes: Uint8Array) => {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: true });
      // A character cut at the end comes out of a final, lenient decode as U+FFFD.
      const rest = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(text.length);
      return { text, rest };
    } catch {
      return undefined;
    }
  };

  it('decodes ASCII and Latin-1 letters as TextDecoder does, at every length around the 16-byte steps', () => {
    const next = seededRandom(13);
    const decoder = new Latin1Decoder();
    // ASCII, both leads of U+0080–U+00FF, continuation bytes, leads of other characters, bytes that
    // are never UTF-8, and a whole 'ø' and '–' (U+2013).
    const pool = [
      [0x41],
      [0x0a],
      [0x7f],
      [0x00],
      [0xc2],
      [0xc3],
      [0x80],
      [0xbf],
      [0xc4],
      [0xc0],
      [0xff],
      [0xc3, 0xb8],
      [0xe2, 0x80, 0x93],
    ];
    let decoded = 0;
    let refused = 0;
    for (let len = 0; len < 80; len++) {
      for (let round = 0; round < 200; round++) {
        const bytes = Uint8Array.from(
          // Half the rounds with a rare odd byte, so that most of those decode.
          Array.from({ length: len }, () =>
            next(round % 2 ? 3 : 40)
              ? [[0x61], [0xc3, 0xb8], [0xc2, 0xa0]][next(3)]
              : pool[next(pool.length)],
          ).flat(),
        );
        const lead = next(4) === 0 ? 0xc3 : -1;
        const all = lead === -1 ? bytes : Uint8Array.of(lead, ...bytes);
        const got = decoder.decode(lead, bytes);
        const want = reference(all);
        const onlyLatin1 = all.every(
          (b, i) =>
            b < 0x80 ||
            ((b === 0xc2 || b === 0xc3) && (i === all.length - 1 || (all[i + 1] & 0xc0) === 0x80)) ||
            ((b & 0xc0) === 0x80 && (all[i - 1] === 0xc2 || all[i - 1] === 0xc3)),
        );
        if (!got) {
          refused++;
          expect(onlyLatin1 && want !== undefined, JSON.stringify([...all])).toBe(false);
          continue;
        }
        decoded++;
        expect(latin1FromUtf8Plain(lead, bytes), JSON.stringify([...all])).toEqual(got);
        expect(want, JSON.stringify([...all])).toBeDefined();
        expect(got.text).toBe(want!.text);
        // A lead left at the end is the character TextDecoder holds for the next piece.
        expect(got.lead === -1 ? '' : '\ufffd').toBe(want!.rest);
      }
    }
    expect(decoded).toBeGreaterThan(2000);
    expect(refused).toBeGreaterThan(2000);
  });

  it('decodes real files as the plain version does, piece by piece', () => {
    const decoder = new Latin1Decoder();
    let decoded = 0;
    for (const file of REAL)
      for (let at = 0; at < file.length; at += 4096) {
        const piece = file.subarray(at, at + 4096);
        const got = decoder.decode(-1, piece);
        expect(got).toEqual(latin1FromUtf8Plain(-1, piece));
        if (got) decoded++;
      }
    expect(decoded).toBeGreaterThan(100);
  });

  it('takes pieces larger than its memory', () => {
    const decoder = new Latin1Decoder();
    const text = `${'Østergård '.repeat(60_000)}ø`;
    const bytes = Buffer.from(text, 'utf8');
    expect(decoder.decode(-1, bytes)).toEqual({ text, lead: -1 });
    expect(decoder.decode(-1, bytes.subarray(0, bytes.length - 1))).toEqual({
      text: text.slice(0, -1),
      lead: 0xc3,
    });
  });
});

describe('SipHash', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);

  it('gives the reference implementation’s test vectors (key 00..0f, messages 00, 00 01, …)', () => {
    const hasher = new FilterHasher(key);
    const messages = ['', '\u0000'];
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(hasher.hash(messages))).toBe('310e0edd47db6f72' + 'fd67dc93c539f874');
    expect(hex(sipHashesPlain(key, messages))).toBe('310e0edd47db6f72' + 'fd67dc93c539f874');
  });

  it('hashes random and real strings as the plain version does', () => {
    const random = seededRandom(21);
    const hasher = new FilterHasher(key);
    const strings = Array.from({ length: 3000 }, () =>
      String.fromCodePoint(
        ...Array.from({ length: random(40) }, () => [0x41, 0xe5, 0x20ac, 0x1f600][random(4)]),
      ),
    );
    for (const file of REAL.slice(0, 50))
      strings.push(...(file.toString('utf8').match(/\S+/g) ?? []).slice(0, 200));
    for (let from = 0; from < strings.length; from += 4096) {
      const batch = strings.slice(from, from + 4096);
      expect(Buffer.from(hasher.hash(batch))).toEqual(Buffer.from(sipHashesPlain(key, batch)));
    }
  });
});

describe('new words', () => {
  it('reports the words the plain version reports, in order, for real texts', () => {
    let words = 0;
    for (const file of REAL) {
      const wasm = new SeenWords(500);
      const plain = new NewWordsPlain(500);
      const got: string[] = [];
      const want: string[] = [];
      for (const text of [file.toString('utf8'), file.toString('latin1')]) {
        wasm.forEachNew(text, (w) => got.push(w));
        plain.forEachNew(text, (w) => want.push(w));
      }
      expect(got).toEqual(want);
      words += got.length;
    }
    expect(words).toBeGreaterThan(10_000);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { registry } from '../../detectors/index.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { needsDecoding, rawSubjectAnchors } from '../../src/engine/raw-anchors.js';
import { namesGate, rawNamesAbsent } from '../../src/engine/raw-first.js';
import { rawPass } from '../../src/engine/raw-pass.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { TEXT_PIECE_BYTES } from '../../src/extract/read.js';
import { scanBothWays, topLevelFile } from '../helpers/both-ways.js';
import { subjectOf } from '../helpers/detector-tester.js';
import { brief } from '../helpers/scan-bytes.js';

/**
 * The raw-byte prefilter must never lose a finding: every file is scanned twice, with the prefilter
 * (the normal subject scan) and without it (all detectors forced), and both must agree exactly.
 */
const work = mkdtempSync(join(tmpdir(), 'dsr-raw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const subject = subjectOf();
const anchors = rawSubjectAnchors(subject)!;

const fileOf = (name: string, bytes: Buffer) => topLevelFile(work, name, bytes);
const bothWays = (input: ItemInput) => scanBothWays(input, subject);

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const cp1252 = (s: string) => iconv.encode(s, 'win1252');
const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const filler = (bytes: number) =>
  Buffer.from('lorem ipsum dolor sit amet 42 '.repeat(bytes / 30 + 1).slice(0, bytes));

/** Writings of the subject's identifiers that the detectors find. */
const FOUND: [string, string, Buffer][] = [
  ['CPR with dash', 'a.txt', utf8('CPR 150387-1236 her')],
  ['CPR bare', 'a.txt', utf8('cpr:1503871236')],
  ['CPR with space', 'a.csv', utf8('x;150387 1236;y')],
  ['CPR with no-break space (UTF-8)', 'a.txt', utf8('CPR 150387\u00a01236')],
  ['CPR with no-break space (Windows-1252)', 'a.txt', cp1252('CPR 150387\u00a01236 Søren')],
  ['CPR with a non-breaking hyphen (UTF-8)', 'a.txt', utf8('CPR 150387\u20111236')],
  ['CPR with an en dash (UTF-8)', 'a.txt', utf8('CPR 150387\u20131236')],
  ['CPR with an en dash (Windows-1252)', 'a.txt', cp1252('CPR 150387\u20131236 og 100 €')],
  ['phone in pairs', 'a.txt', utf8('tlf 21 43 65 87')],
  ['phone with dots and prefix', 'a.txt', utf8('+45 21.43.65.87')],
  ['phone 4-4', 'a.log', utf8('mobil 2143-6587')],
  ['phone with no-break spaces', 'a.txt', utf8('tlf 21\u00a043\u00a065\u00a087')],
  ['e-mail upper case', 'a.txt', utf8('SOREN.OSTERGARD@EXAMPLE.DK')],
  ['e-mail mixed case', 'a.md', utf8('<Soren.Ostergard@Example.Dk>')],
  ['e-mail with a Kelvin sign for k', 'a.txt', utf8('soren.ostergard@example.d\u212a')],
  ['name', 'a.txt', utf8('Søren Østergård')],
  ['name upper case', 'a.txt', utf8('SØREN ØSTERGÅRD')],
  ['name mixed case', 'a.txt', utf8('SøReN ØsTeRgÅrD')],
  ['name transliterated', 'a.txt', utf8('Soeren Oestergaard')],
  ['name plain ASCII', 'a.txt', utf8('Soren Ostergard')],
  ['name with middle name', 'a.txt', utf8('Søren Kjærgaard Østergård')],
  ['surname first', 'a.txt', utf8('Østergård, Søren')],
  ['initials', 'a.txt', utf8('S. K. Østergård')],
  ['name with other accents', 'a.txt', utf8('Sørén Østérgård')],
  ['name decomposed (NFD)', 'a.txt', utf8('Søren Østerga\u030ard')],
  ['name with a long s', 'a.txt', utf8('Søren Ø\u017ftergård')],
  ['name with š', 'a.txt', utf8('Søren Øštergård')],
  ['name in Windows-1252', 'a.txt', cp1252('Søren Østergård')],
  ['name with š in Windows-1252', 'a.txt', cp1252('Søren Øštergård')],
  ['name in UTF-16', 'a.txt', utf16('Søren Østergård')],
  ['name across lines', 'a.txt', utf8('Søren\n  Østergård')],
  ['name as JSON escapes', 'a.json', utf8('{"n":"S\\u00f8ren \\u00d8sterg\\u00e5rd"}')],
  ['name in JSON', 'a.json', utf8('{"n":"Søren Østergård"}')],
  ['name in a file without extension', 'NOTES', utf8('Søren Østergård')],
  ['name after a block boundary', 'a.txt', Buffer.concat([filler(65536 - 7), utf8(' Søren Østergård ')])],
  ['CPR across a block boundary', 'a.txt', Buffer.concat([filler(65536 - 4), utf8(' 150387-1236 ')])],
  [
    'e-mail across a block boundary',
    'a.txt',
    Buffer.concat([filler(3 * 65536 - 9), utf8(' soren.ostergard@example.dk ')]),
  ],
  ['phone far into a large file', 'a.txt', Buffer.concat([filler(5 * 65536 + 3), utf8(' tlf 21 43 65 87 ')])],
];

describe('raw-byte prefilter', () => {
  it.each(FOUND)('keeps every finding: %s', async (_label, name, bytes) => {
    const { fast, full } = await bothWays(fileOf(name, bytes));
    expect(full.findings.length).toBeGreaterThan(0);
    expect(fast.findings.map(brief)).toEqual(full.findings.map(brief));
    expect(fast.items.map((i) => i.evidence)).toEqual(full.items.map((i) => i.evidence));
  });

  it.each([
    ['plain text', 'a.txt', utf8('Karen Jensen, tlf 31 42 53 64, karen@example.com, CPR 010190-1234')],
    ['CSV in Windows-1252', 'a.csv', cp1252('navn;by\nKåre Ærø;Næstved\n')],
    ['JSON', 'a.json', utf8('{"name":"Karen Holm","city":"Århus"}')],
    ['an empty file', 'a.txt', Buffer.alloc(0)],
    ['a large file', 'a.log', filler(9 * 65536 + 11)],
  ])('settles a file without the subject from its bytes alone: %s', async (_label, name, bytes) => {
    const input = fileOf(name, bytes);
    const settled = await rawPass(input, anchors);
    expect(settled).toBeDefined();
    const { fast, full } = await bothWays(input);
    expect(fast).toEqual(full);
    expect(fast.findings).toEqual([]);
  });

  it('settles a binary file as skipped, as the full read does', async () => {
    const input = fileOf('blob.txt', Buffer.from([1, 0, 2, 0, 0, 0, 3, 0, 0, 9, 0, 0, 0, 0, 7]));
    expect((await rawPass(input, anchors))?.skipped).toBe('binary');
    const { fast, full } = await bothWays(input);
    expect(fast).toEqual(full);
  });

  it.each([
    ['UTF-16 text', 'a.txt', utf16('nothing here')],
    ['a combining mark', 'a.txt', utf8('Ma\u0308rta')],
    ['a JSON escape', 'a.json', utf8('{"a":"\\u0041"}')],
    ['RTF', 'a.rtf', utf8('{\\rtf1 hello}')],
    ['another format', 'a.pdf', utf8('%PDF-1.4 nothing')],
  ])('leaves a file that decoding could change to the full read: %s', async (_label, name, bytes) => {
    expect(await rawPass(fileOf(name, bytes), anchors)).toBeUndefined();
  });

  it('reads a file that is gone the normal way, which reports the error', async () => {
    const input = fileOf('gone.txt', utf8('x'));
    rmSync(input.ref.path);
    expect(await rawPass(input, anchors)).toBeUndefined();
    const { fast } = await bothWays(input);
    expect(fast.errors.map((e) => e.kind)).toEqual(['corrupt']);
  });
});

describe('raw-byte prefilter over a range of a file', () => {
  const MiB = 1024 * 1024;
  const withNameAt = (at: number, name = 'a.txt') => {
    const bytes = Buffer.concat([filler(at), utf8(' Søren Østergård '), filler(MiB)]);
    return fileOf(name, bytes);
  };

  it('sees only its own bytes, plus the span of a match that starts inside it', async () => {
    const input = withNameAt(2 * MiB);
    expect(await rawPass(input, anchors, undefined, { start: 0, end: MiB })).toBeDefined();
    expect(await rawPass(input, anchors, undefined, { start: MiB, end: 2 * MiB + 3 })).toBeUndefined();
    // The name starts 1 byte before the end of this range: the range still sees all of it.
    expect(await rawPass(input, anchors, undefined, { start: MiB, end: 2 * MiB + 2 })).toBeUndefined();
    expect(await rawPass(input, anchors, undefined, { start: 2 * MiB + 20, end: 3 * MiB })).toBeDefined();
  });

  it('treats a JSON escape, or any escape in a file of unknown format, as needing the full read', async () => {
    const escaped = (name: string) =>
      fileOf(name, Buffer.concat([filler(MiB), utf8('{"n":"S\\u00f8ren"}'), filler(1000)]));
    const later = { start: MiB / 2, end: 2 * MiB };
    expect(await rawPass(escaped('a.json'), anchors, undefined, later)).toBeUndefined();
    expect(await rawPass(escaped('NOTES'), anchors, undefined, later)).toBeUndefined();
    expect(await rawPass(escaped('a.txt'), anchors, undefined, later)).toBeDefined();
  });
});

describe('rawSubjectAnchors', () => {
  it.each([
    ['150387-1236'],
    ['2143 6587'],
    ['SOREN.ostergard@EXAMPLE.dk'],
    ['oestergaard'],
    ['\u00d8STERG\u00c5RD'],
  ])('hits %s', (text) => {
    expect(anchors.test(utf8(text))).toBe(true);
  });

  it.each([['150387-1237'], ['21 43 65 88'], ['s.o@example.dk'], ['Vestergård'], ['Østergade']])(
    'misses %s',
    (text) => {
      expect(anchors.test(utf8(text))).toBe(false);
    },
  );
});

describe('rawSubjectAnchors for surnames of every shape', () => {
  // The plain-letter part of each surname ('rg', 'r', 'll', 'kj', 'br', 'nielsen') occurs many times
  // in the decoys before the name: every occurrence is looked at, not only the first.
  const decoys = 'Borg, Bjerg og Nørgaard; Rasmussen, Møller, Kjeld, Brandt, Nielsson. '.repeat(40);
  it.each([
    ['Østergård', ['Østergård', 'OESTERGAARD', 'ostergard', 'Øſtergård']],
    ['Sørensen', ['Sørensen', 'SOERENSEN', 'sorensen']],
    ['Jensen-Møller', ['Jensen-Møller', 'jensen møller', 'JENSEN-MOELLER']],
    ['Kjærgaard', ['Kjærgaard', 'KJAERGAARD', 'kjaergard']],
    ["O'Brien", ["O'Brien", 'O’BRIEN']],
    ['Nielsen', ['Nielsen', 'NIELSEN', 'nIeLsEn']],
  ])('%s: finds each writing after decoys, and not the decoys alone', (surname, writings) => {
    const named = rawSubjectAnchors(subjectOf({ name: `Anna ${surname}` }))!;
    expect(named.test(utf8(decoys))).toBe(false);
    for (const writing of writings) {
      const bytes = utf8(`${decoys}${writing}.`);
      // A long s only reads as "s" once decoded: the block goes to the full read instead.
      expect(named.test(bytes) || needsDecoding(bytes)).toBe(true);
      expect(named.test(cp1252(`${decoys}${writing}`)) || /[ſ’]/.test(writing)).toBe(true);
    }
  });
});

describe('inventory (--all): names looked for only where the surname occurs', () => {
  const others = utf8('Karen Jensen, tlf 31 42 53 64, karen@example.com, CPR 010190-1234\n');
  const cases: [string, string, Buffer][] = [
    ...FOUND,
    ['others only', 'a.txt', others],
    ['others and the subject', 'a.csv', Buffer.concat([others, utf8('Søren Østergård;150387-1236\n')])],
    ['a namesake: the name beside another CPR', 'a.txt', utf8('\nSøren Østergård, CPR 010190-1234')],
    ['a surname alone among others', 'a.txt', Buffer.concat([others, utf8('hr. Østergård\n')])],
  ];

  it.each(cases)('gives what every detector gives: %s', async (_label, name, bytes) => {
    const input = fileOf(name, bytes);
    const opts = { subject, all: true, limits: DEFAULT_LIMITS };
    const gated = await scanTopLevel(input, opts);
    const full = await scanTopLevel(input, { ...opts, detectors: registry.list });
    expect(gated.findings).toEqual(full.findings);
    expect(gated.items.map((i) => i.evidence)).toEqual(full.items.map((i) => i.evidence));
  });

  // A plain-text file's bytes are looked at as they are read, in pieces: the surname (or a byte that
  // decoding could turn into one of its letters) anywhere, across a border between pieces too.
  const filler = (n: number) =>
    utf8('Karen Jensen, tlf 31 42 53 64, CPR 010190-1234. '.repeat(n / 48 + 1).slice(0, n));
  const across: [string, Buffer][] = [];
  for (const back of [1, 3, 7, 12, 20])
    across.push([
      `the subject's name across the border between pieces (${back} bytes before it)`,
      Buffer.concat([
        filler(2 * TEXT_PIECE_BYTES - back - 1),
        utf8('\nSøren Østergård, 150387-1236\n'),
        filler(5000),
      ]),
    ]);
  across.push(
    [
      'a namesake in a later piece',
      Buffer.concat([filler(3 * TEXT_PIECE_BYTES), utf8('\nSøren Østergård, CPR 010190-1234')]),
    ],
    [
      'a transliterated name in a later piece',
      Buffer.concat([filler(TEXT_PIECE_BYTES + 100), utf8('\nSoeren Oestergaard\n')]),
    ],
    // A long s reads as "s" only once decoded: its two bytes (0xC5 0xBF) cut by the border.
    [
      'a name with a long s cut by the border',
      (() => {
        const name = utf8('\nSøren Øſtergård\n');
        const at = name.indexOf(0xc5);
        return Buffer.concat([filler(TEXT_PIECE_BYTES - at - 1), name, filler(100)]);
      })(),
    ],
    ['no name in many pieces', filler(4 * TEXT_PIECE_BYTES)],
  );

  it.each(across)('gives what every detector gives: %s', async (label, bytes) => {
    const input = fileOf('big.txt', bytes);
    const opts = { subject, all: true, limits: DEFAULT_LIMITS };
    const gated = await scanTopLevel(input, opts);
    const full = await scanTopLevel(input, { ...opts, detectors: registry.list });
    // The name is there to be found (in the file without one, it is not).
    expect(full.findings.some((f) => f.detector === 'name')).toBe(!label.startsWith('no name'));
    expect(gated.findings).toEqual(full.findings);
    expect(gated.items.map((i) => i.evidence)).toEqual(full.items.map((i) => i.evidence));
  });

  it('leaves the name detectors out only while the bytes read hold no spelling of the surname', async () => {
    const closedAfter = async (pieces: Buffer[], encoding = 'utf-8') => {
      const gate = namesGate(fileOf('a.txt', others), subject);
      if (!gate) throw new Error('a gate was expected');
      const seen: boolean[] = [];
      for await (const _piece of gate.watch(
        (async function* () {
          yield* pieces;
        })(),
        encoding,
      ))
        seen.push(gate.closed);
      return seen;
    };
    expect(await closedAfter([others, others])).toEqual([true, true]);
    expect(await closedAfter([others, utf8('Søren Øster'), utf8('gård'), others])).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(await closedAfter([others, utf8('hr. OESTERGAARD')])).toEqual([true, false]);
    expect(await closedAfter([others], 'utf-16le')).toEqual([false]);
    // Its path, a subject without a name.
    expect(namesGate(fileOf('Østergård.txt', others), subject)).toBeUndefined();
    expect(namesGate(fileOf('a.txt', others), subjectOf({ emails: ['x@example.dk'] }))).toBe(false);
  });

  it('passes over a file for names only when neither its bytes nor its path hold the surname', async () => {
    expect(await rawNamesAbsent(fileOf('a.txt', others), subject)).toBe(true);
    expect(await rawNamesAbsent(fileOf('a.txt', utf8('Søren Østergård')), subject)).toBe(false);
    expect(await rawNamesAbsent(fileOf('a.txt', utf8('hr. Oestergaard')), subject)).toBe(false);
    expect(await rawNamesAbsent(fileOf('Søren Østergård.txt', others), subject)).toBe(false);
    expect(await rawNamesAbsent(fileOf('a.json', utf8('{"n":"\\u00d8sterg\\u00e5rd"}')), subject)).toBe(
      false,
    );
    expect(await rawNamesAbsent(fileOf('a.pdf', utf8('%PDF-1.4 nothing')), subject)).toBe(false);
    expect(await rawNamesAbsent(fileOf('a.txt', others), subjectOf({ emails: ['x@example.dk'] }))).toBe(true);
  });
});

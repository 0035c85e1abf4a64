import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { decode as libqpDecode, encode as qpEncode, wrap as qpWrap } from 'libqp';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { registry } from '../../detectors/index.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { subjectAnchors } from '../../src/engine/anchors.js';
import { needsDecoding } from '../../src/engine/raw-anchors.js';
import { rawAnchorsOf } from '../../src/engine/raw-first.js';
import { htmlToText } from '../../src/extract/html/html.js';
import {
  decodeQuotedPrintable,
  headersWithWordsDecoded,
  wellFormedBase64,
} from '../../src/extract/mail/decode.js';
import { cleanMessageItems, ownTextClean } from '../../src/extract/mail/message.js';
import { splitEntity } from '../../src/extract/mail/mime.js';
import { compareBothWays, mboxItem, topLevelFile } from '../helpers/both-ways.js';
import { subjectOf } from '../helpers/detector-tester.js';

/**
 * The subject scan's fast paths through mail (issue 28): transfer encodings undone in bulk here, RFC
 * 2047 headers decoded before the raw-anchor test, base64 attachments decoded without mailparser.
 * They must give the findings mailparser's full decoding gives, and a message they pass over must,
 * decoded in full, hold nothing of the subject.
 */
const work = mkdtempSync(join(tmpdir(), 'dsr-mail-fast-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const subject = subjectOf();
const raw = rawAnchorsOf(subject, registry)!;
const anchors = subjectAnchors(subject, registry)!;
const clean = (b: Uint8Array) => {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  return !needsDecoding(buf) && !raw.test(buf);
};
const textClean = (t: string) => !anchors(t.normalize('NFC'));

/** mulberry32, as the bench corpus uses it. */
function rngFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mbox = (messages: Buffer[]) => mboxItem(work, messages);
const bothWays = (input: ItemInput) => compareBothWays(input, subject);

const message = (headers: string, body: string | Buffer) =>
  Buffer.concat([
    Buffer.from(`${headers}\n\n`, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
const HEAD = 'From: Karen Holm <karen@example.dk>\nTo: Jens Nielsen <jens@example.dk>\nSubject: Sag 12';
const word = (text: string, charset = 'utf-8', enc: 'Q' | 'B' = 'Q') =>
  enc === 'B'
    ? `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`
    : `=?${charset}?Q?${qpEncode(iconv.encode(text, charset)).replace(/ /g, '_')}?=`;
const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\n');

describe('mail fast paths: decoders equal to the full ones', () => {
  it("decodes quoted-printable byte for byte as libqp (mailparser's decoder), on tricky and random input", () => {
    const tricky = [
      'S=C3=B8ren Kj=C3=A6r=\ngaard',
      '==\n\n',
      '= \n',
      '=\r \nx',
      'a =\n \nb',
      'a= \rb\n',
      '=4=\n1',
      'end=',
      'end= \t',
      '=3',
      '=G1=4a=4A',
      'tlf 21 43=\r\n 65 87  \r\n',
      '\u00f8=F8\t\n',
    ];
    const rng = rngFrom(28);
    const alphabet = ['=', '=', '\r', '\n', ' ', '\t', 'A', '3', 'f', 'g', '\u00f8', 'x', '0'];
    const random = Array.from({ length: 3000 }, () =>
      Array.from(
        { length: Math.floor(rng() * 24) },
        () => alphabet[Math.floor(rng() * alphabet.length)],
      ).join(''),
    );
    const fixtures = ['latin1-qp.eml', 'attachments.eml'].map((f) =>
      readFileSync(join('fixtures/mail/eml', f), 'latin1'),
    );
    const wrong = [...tricky, ...random, ...fixtures].filter(
      (s) => !decodeQuotedPrintable(Buffer.from(s, 'latin1')).equals(libqpDecode(s)),
    );
    expect(wrong).toEqual([]);
  });

  it('decodes base64 of whole quartets, and leaves other base64 to the full decoder', () => {
    const data = iconv.encode('Søren Østergård, CPR 150387-1236\n'.repeat(20), 'latin1');
    expect(wellFormedBase64(Buffer.from(b64(data)))?.equals(data)).toBe(true);
    expect(wellFormedBase64(Buffer.from('QUJD\r\nREVG\r\n'))?.toString()).toBe('ABCDEF');
    expect(wellFormedBase64(Buffer.from('QUI=\n'))?.toString()).toBe('AB');
    expect(wellFormedBase64(Buffer.from('QUI=\nQUI=\n'))).toBeUndefined();
    expect(wellFormedBase64(Buffer.from('QUJ\n'))).toBeUndefined();
    expect(wellFormedBase64(Buffer.from('QU*J\n'))).toBeUndefined();
  });

  it('decodes RFC 2047 words in a header block as libmime does, or says it cannot', () => {
    const name = `From: ${word('Søren Kjær')} ${word('gaard Østergård')} <x@y.dk>\nSubject: ${word('Møde på Østerbro', 'iso-8859-1', 'B')}`;
    const [spaced, joined] = headersWithWordsDecoded(name)!;
    expect(iconv.decode(joined, 'utf8')).toContain('Søren Kjærgaard Østergård <x@y.dk>');
    expect(spaced.toString('utf8')).toContain('Søren Kjær gaard Østergård');
    expect(iconv.decode(joined, 'latin1')).toContain('Møde på Østerbro');
    expect(headersWithWordsDecoded('Subject: =?koi8-r?Q?abc?=')).toBeUndefined();
    expect(headersWithWordsDecoded('Subject: =?utf-8?B?QU=JD?=')).toBeUndefined();
    expect(headersWithWordsDecoded('Subject: =?utf-8?Q?open word')).toBeUndefined();
    expect(headersWithWordsDecoded('Subject: =?utf-8*da?Q?S=C3=B8ren?=')?.[1].toString('utf8')).toBe(
      'Subject: Søren',
    );
  });
});

/** Messages holding the subject only in an encoded form the fast paths must decode to see it. */
const ENCODED: [string, Buffer][] = [
  [
    'name in a Q-encoded display name',
    message(`From: ${word('Søren Østergård')} <a@b.dk>\nSubject: x`, 'x\n'),
  ],
  [
    'name across two adjacent encoded words',
    message(`From: a@b.dk\nSubject: ${word('Vedr. Søren Øster')}\n ${word('gård')}`, 'x\n'),
  ],
  [
    'name in a B-encoded Latin-1 subject',
    message(`From: a@b.dk\nSubject: ${word('Søren Østergård', 'iso-8859-1', 'B')}`, 'x\n'),
  ],
  [
    'name cut by a quoted-printable soft line break, others in encoded headers',
    message(
      `From: ${word('Karen Holm')} <karen@example.dk>\nSubject: ${word('Møde')}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable`,
      'Vedr. S=C3=B8ren Kj=C3=A6r=\ngaard =C3=98sterg=C3=A5rd\n',
    ),
  ],
  [
    'name in a base64 body, lines of 76',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64`,
      b64(Buffer.from(`${'Hej med dig. '.repeat(20)}Vedr. Søren Kjærgaard Østergård.\n`)),
    ),
  ],
  [
    'name in ISO-8859-1 quoted-printable',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable`,
      qpWrap(qpEncode(iconv.encode('Mødet om Søren Kjærgaard Østergård på Ærø.\n', 'latin1')), 76),
    ),
  ],
  [
    'name in Windows-1252 8bit, with a dash the Latin-1 table lacks',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit`,
      iconv.encode('Vedr. Søren Kjærgaard Østergård – sagen.\n', 'win1252'),
    ),
  ],
  [
    'CPR in a base64 CSV attachment with a plain name',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      `--b\nContent-Type: text/plain; charset=utf-8\n\nhej\n--b\nContent-Type: text/csv; name="kunder.csv"\nContent-Disposition: attachment; filename="kunder.csv"\nContent-Transfer-Encoding: base64\n\n${b64(Buffer.from('navn;cpr\nKaren Holm;010190-1234\nSøren Østergård;150387-1236\n'))}\n--b--\n`,
    ),
  ],
  [
    'CPR in a base64 attachment with an RFC 2231 name (left to mailparser)',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      `--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8''k%C3%B8b.txt\nContent-Transfer-Encoding: base64\n\n${b64(Buffer.from('CPR 150387-1236\n'))}\n--b--\n`,
    ),
  ],
  [
    'name in the quoted-printable HTML of an alternative with encoded headers',
    message(
      `From: ${word('Jens Ærø')} <jens@example.dk>\nSubject: ${word('Hej')}\nContent-Type: multipart/alternative; boundary="b"`,
      '--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nhej\n--b\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<p>S=C3=B8ren =C3=98ster=\ng=C3=A5rd</p>\n--b--\n',
    ),
  ],
];

describe('mail fast paths: the findings of the full decoders', () => {
  const others = Array.from({ length: 6 }, (_, i) =>
    message(
      `From: ${word('Karen Hølm')} <karen@example.dk>\nSubject: ${word(`Sag ${i} på Østerbro`)}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable`,
      `${i}. Karen H=C3=B8lm ringede; tlf 2000100${i}.\n`,
    ),
  );

  it.each(ENCODED)('keeps every finding: %s', async (_label, held) => {
    const { fast, full, subjectFindings } = await bothWays(
      mbox([...others.slice(0, 3), held, ...others.slice(3)]),
    );
    expect(subjectFindings).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });

  it('passes over none of them by their own text', () => {
    const passed = ENCODED.filter(([, m]) => ownTextClean(splitEntity(m), clean, textClean, 100));
    // The attachments are items of their own: only their messages' own text is clean.
    expect(passed.map(([label]) => label)).toEqual([
      'CPR in a base64 CSV attachment with a plain name',
      'CPR in a base64 attachment with an RFC 2231 name (left to mailparser)',
    ]);
    expect(others.every((m) => ownTextClean(splitEntity(m), clean, textClean, 100))).toBe(true);
  });
});

/** A random message of the shapes the bench's mail has, the subject in it in some encoded form or not. */
function randomMessage(rng: () => number, i: number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const names = ['Karen Hølm', 'Jens Ærø', 'Søren Østergård', 'Søren Kjærgaard Østergård', 'Mette Brøndum'];
  const charset = pick(['utf-8', 'iso-8859-1', 'windows-1252'] as const);
  const who = pick(names);
  const person = rng() < 0.5 ? word(who, pick(['utf-8', 'iso-8859-1']), pick(['Q', 'B'] as const)) : who;
  const text = `${i}. ${pick(names)} ringede om sagen; ${pick(['tlf 21 43 65 87', 'tlf 20 00 10 00', 'CPR 150387-1236', 'CPR 010190-1234', 'skriv til karen@example.dk', 'mødet på Ærø'])}. ${'Tekst om møder og leverancer. '.repeat(Math.floor(rng() * 6))}\n`;
  const bytes = iconv.encode(text, charset);
  const cte = pick(['8bit', 'quoted-printable', 'base64'] as const);
  const body =
    cte === 'base64'
      ? b64(bytes)
      : cte === 'quoted-printable'
        ? qpWrap(qpEncode(bytes), 20 + Math.floor(rng() * 56))
        : bytes.toString('latin1');
  const head = `From: ${person} <x${i}@example.dk>\nTo: ${word(pick(names))} <y@example.dk>\nSubject: ${rng() < 0.5 ? word(`Sag ${i}: ${pick(names)}`) : `Sag ${i}`}`;
  const part = `Content-Type: text/plain; charset=${charset}\nContent-Transfer-Encoding: ${cte}`;
  if (rng() < 0.6) return message(`${head}\n${part}`, body);
  const html = iconv.encode(`<p>${text.replace(/&/g, '&amp;')}</p>`, charset);
  return message(
    `${head}\nContent-Type: multipart/alternative; boundary="b"`,
    `--b\n${part}\n\n${body}\n--b\nContent-Type: text/html; charset=${charset}\nContent-Transfer-Encoding: quoted-printable\n\n${qpWrap(qpEncode(html), 76)}\n--b--\n`,
  );
}

describe('mail fast paths: generated messages', () => {
  const rng = rngFrom(2028);
  const generated = Array.from({ length: 200 }, (_, i) => randomMessage(rng, i));

  it('a message passed over by its own text holds nothing of the subject when mailparser decodes it in full', async () => {
    let passed = 0;
    for (const m of generated) {
      if (!ownTextClean(splitEntity(m), clean, textClean, 100)) continue;
      passed++;
      const parsed = await simpleParser(m);
      const texts = [
        parsed.subject ?? '',
        ...[parsed.from, parsed.to]
          .flatMap((a) => (a && !Array.isArray(a) ? a.value : []))
          .flatMap((a) => [a.name, a.address ?? '']),
        parsed.text ?? '',
        typeof parsed.html === 'string' ? htmlToText(parsed.html).body : '',
      ];
      expect(texts.filter((t) => !textClean(t))).toEqual([]);
    }
    // Both kinds are there: messages about others passed over, and messages about the subject read.
    expect(passed).toBeGreaterThan(10);
    expect(passed).toBeLessThan(generated.length - 10);
  });

  it('the fast paths give the findings of the full decoders', async () => {
    const { fast, full, subjectFindings } = await bothWays(mbox(generated));
    expect(subjectFindings).toBeGreaterThan(20);
    expect(fast).toEqual(full);
  });

  it('the mail fixtures give the findings of the full decoders', async () => {
    for (const dir of [
      'fixtures/mail/eml',
      'fixtures/mail/maildir/Maildir/cur',
      'fixtures/mail/maildir/Maildir/new',
    ]) {
      for (const f of readdirSync(dir)) {
        const input = topLevelFile(work, f.endsWith('.eml') ? f : `${f}.eml`, readFileSync(join(dir, f)));
        const { fast, full } = await bothWays(input);
        expect({ f, ...fast }).toEqual({ f, ...full });
      }
    }
  });
});

describe('mail fast paths: messages passed over whole', () => {
  const withAttachment = (type: string, name: string, data: Buffer) =>
    message(
      `From: ${word('Karen Hølm')} <karen@example.dk>\nSubject: Bilag\nContent-Type: multipart/mixed; boundary="b"`,
      `--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nSe bilag, K=C3=B8benhavn.\n--b\nContent-Type: ${type}; name="${name}"\nContent-Disposition: attachment; filename="${name}"\nContent-Transfer-Encoding: base64\n\n${b64(data)}\n--b--\n`,
    );
  const csv = Buffer.from('navn;cpr\nKaren Hølm;010190-1234\n');
  const pdf = readFileSync(
    join('fixtures/documents', readdirSync('fixtures/documents').find((f) => f.endsWith('.pdf'))!),
  );
  const tests = { clean, textClean, limits: DEFAULT_LIMITS };

  it('counts a message and its plain-text attachments as items, or says it must be read', () => {
    expect(cleanMessageItems(withAttachment('text/csv', 'kunder.csv', csv), 1, tests)).toBe(2);
    // Only the PDF extractor can tell what a PDF holds; UTF-16 is not read as bytes; the subject's name.
    expect(cleanMessageItems(withAttachment('application/pdf', 'a.pdf', pdf), 1, tests)).toBeUndefined();
    expect(
      cleanMessageItems(
        withAttachment('text/plain', 'a.txt', Buffer.from('\ufeffKaren', 'utf16le')),
        1,
        tests,
      ),
    ).toBeUndefined();
    expect(
      cleanMessageItems(withAttachment('text/csv', 'soren-ostergaard.csv', csv), 1, tests),
    ).toBeUndefined();
    expect(
      cleanMessageItems(withAttachment('text/csv', 'k.csv', Buffer.from('CPR 150387-1236')), 1, tests),
    ).toBeUndefined();
    // Past the nesting limit the full read reports it.
    expect(
      cleanMessageItems(withAttachment('text/csv', 'kunder.csv', csv), DEFAULT_LIMITS.maxDepth, tests),
    ).toBeUndefined();
  });

  it('a mailbox of such messages gives what the full read gives, items and all', async () => {
    const box = [
      withAttachment('text/csv', 'kunder.csv', csv),
      withAttachment('application/pdf', 'a.pdf', pdf),
      withAttachment('text/plain', 'a.txt', Buffer.from('\ufeffKaren Hølm', 'utf16le')),
      withAttachment('text/csv', 'k.csv', Buffer.from('Søren Østergård;150387-1236\n')),
      withAttachment('application/octet-stream', 'data.bin', Buffer.from([0, 1, 2, 3, 0, 0, 7])),
    ];
    const { fast, full, subjectFindings } = await bothWays(mbox(box));
    expect(subjectFindings).toBeGreaterThan(0);
    expect(full.itemCount).toBe(1 + 2 * box.length);
    expect(fast).toEqual(full);
  });
});

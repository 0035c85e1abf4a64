import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { readsAsItsBytes } from '../../src/extract/mail/message.js';
import { headerFields, splitEntity } from '../../src/extract/mail/mime.js';
import { compareBothWays, mboxItem, scanBothWays } from '../helpers/both-ways.js';
import { subjectOf } from '../helpers/detector-tester.js';

/**
 * A subject scan passes over a message whose raw bytes hold nothing of the subject when mailparser's
 * text of it would be those bytes decoded (see readsAsItsBytes). It must never lose a finding: every
 * mailbox is scanned the normal way and with every detector given (which reads every message in full),
 * and both must agree exactly.
 */
const work = mkdtempSync(join(tmpdir(), 'dsr-mail-raw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const subject = subjectOf();

const mbox = (messages: Buffer[]) => mboxItem(work, messages);
const bothWays = (input: ItemInput) => compareBothWays(input, subject);

const message = (headers: string, body: string | Buffer) =>
  Buffer.concat([Buffer.from(`${headers}\n\n`, 'utf8'), typeof body === 'string' ? Buffer.from(body) : body]);
const HEAD = 'From: Karen Holm <karen@example.dk>\nTo: Jens Nielsen <jens@example.dk>\nSubject: Sag 12';
const PLAIN = `${HEAD}\nContent-Type: text/plain; charset=utf-8`;
/** Plain messages of other people, passed over raw. */
const others = Array.from({ length: 30 }, (_, i) =>
  message(
    PLAIN,
    `${i}. Karen Holm ringede om sag ${1000 + i}; tlf 2000${1000 + i}, cpr 010190-12${10 + i}.\n`,
  ),
);

/** Messages holding the subject, each in a way a raw pass must see or leave to the parser. */
const HOLDING: [string, Buffer][] = [
  ['CPR in a plain body', message(PLAIN, 'CPR 150387-1236.\n')],
  ['name in a plain body', message(PLAIN, 'Vedr. Søren Kjærgaard Østergård.\n')],
  // The surname runs across the first 64 KiB block of the body (bytes 65,531–65,541), the CPR across
  // the third (196,604–196,614).
  [
    'name across a 64 KiB block of the body',
    message(PLAIN, `${'ab '.repeat(21_841)} Søren Østergård\n${'cd '.repeat(30_000)}`),
  ],
  ['CPR across the third block of the body', message(PLAIN, `${'ab '.repeat(65_534)}x 150387-1236\n`)],
  [
    'name in ISO-8859-1',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=iso-8859-1`,
      iconv.encode('Søren Østergård\n', 'latin1'),
    ),
  ],
  [
    'name in Windows-1252',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=windows-1252`,
      iconv.encode('Søren Øštergård\n', 'win1252'),
    ),
  ],
  ['name with no Content-Type', message(HEAD, 'Søren Østergård ringede.\n')],
  [
    'e-mail in From',
    message(`From: Søren <soren.ostergard@example.dk>\nSubject: hej\nContent-Type: text/plain`, 'tak\n'),
  ],
  [
    'phone across a folded Subject',
    message(`From: a@b.dk\nSubject: ring 21 43\n 65 87\nContent-Type: text/plain`, 'x\n'),
  ],
  [
    'name in an encoded word',
    message(`From: a@b.dk\nSubject: =?utf-8?B?${Buffer.from('Søren Østergård').toString('base64')}?=`, 'x\n'),
  ],
  [
    'name in a quoted-pair display name',
    message('From: "S\\øren \\Øster\\gård" <a@b.dk>\nSubject: x', 'x\n'),
  ],
  [
    'name quoted-printable',
    message(`${PLAIN}\nContent-Transfer-Encoding: quoted-printable`, 'S=C3=B8ren =C3=98sterg=\n=C3=A5rd\n'),
  ],
  [
    'CPR in quoted-printable digits',
    message(`${PLAIN}\nContent-Transfer-Encoding: quoted-printable`, 'CPR =31=35=30=33=38=37-1236\n'),
  ],
  [
    'phone across a quoted-printable soft line break',
    message(`${PLAIN}\nContent-Transfer-Encoding: quoted-printable`, 'tlf 21 43=\n 65 87 og mere tekst\n'),
  ],
  [
    'name in quoted-printable Latin-1, in a multipart body',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      '--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nhej =F8 =\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nS=F8ren =D8sterg=E5rd  \n--b--\n',
    ),
  ],
  [
    'name in base64 Latin-1, lines of whole quartets',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64`,
      `${iconv
        .encode('Hej. Søren Østergård ringede.\n', 'latin1')
        .toString('base64')
        .replace(/(.{8})/g, '$1\n')}\n`,
    ),
  ],
  [
    'CPR in base64 padded in between (decoders differ)',
    message(
      `${PLAIN}\nContent-Transfer-Encoding: base64`,
      `${Buffer.from('CP').toString('base64')}\n${Buffer.from('R 150387-1236').toString('base64')}\n`,
    ),
  ],
  [
    'CPR in base64',
    message(
      `${PLAIN}\nContent-Transfer-Encoding: base64`,
      `${Buffer.from('CPR 1503871236\n').toString('base64')}\n`,
    ),
  ],
  [
    'phone across a flowed line',
    message(`${HEAD}\nContent-Type: text/plain; charset=utf-8; format=flowed`, 'tlf 21 43 \n65 87\n'),
  ],
  ['name decomposed (NFD)', message(PLAIN, 'Søren Østerga\u030ard\n')],
  [
    'name in UTF-16',
    message(
      `${HEAD}\nContent-Type: text/plain; charset=utf-16le`,
      Buffer.from('Søren Østergård\n', 'utf16le'),
    ),
  ],
  [
    'name in an HTML body',
    message(
      `${HEAD}\nContent-Type: text/html; charset=utf-8`,
      '<p>S&oslash;ren &Oslash;sterg&aring;rd</p>\n',
    ),
  ],
  [
    'name in a second plain part, others in the headers',
    message(
      `${HEAD}\nCc: Jens Nielsen <jens.nielsen@example.dk>\nContent-Type: multipart/mixed; boundary="b"`,
      '--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: text/plain; charset=utf-8\n\n \u00a0\n--b\nContent-Type: text/plain\n\nSøren Østergård, tlf 21 43 65 87 og karen@example.dk\n--b--\n',
    ),
  ],
  [
    'name in the HTML part of an alternative',
    message(
      `${HEAD}\nContent-Type: multipart/alternative; boundary="b"`,
      '--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: text/html\n\n<p>S&oslash;ren &Oslash;sterg&aring;rd</p>\n--b--\n',
    ),
  ],
  [
    'name in a plain part after a broken one',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      '--b\nContent-Type: multipart/alternative; boundary="nope"\n\nhej\n--b\nContent-Type: text/plain\n\nSøren Østergård\n--b--\n',
    ),
  ],
  [
    'name in a multipart body whose boundary never occurs',
    message(`${HEAD}\nContent-Type: multipart/mixed; boundary="never"`, 'Søren Østergård\n'),
  ],
  ...(
    [
      ['name cut by inline tags', '<p>Vedr. S<b>ø</b>ren <span>Øster</span>gård</p>'],
      ['e-mail in a mailto link only', '<p><a href="mailto:soren.ostergard@example.dk">skriv</a></p>'],
      ['CPR as numeric entities', '<p>CPR &#49;&#53;0387-&#x31;236</p>'],
      ['phone across a no-break space entity', '<p>tlf 21&nbsp;43&nbsp;65&nbsp;87</p>'],
    ] as const
  ).map(
    ([label, html]) =>
      [
        `${label}, in the HTML of an alternative`,
        message(
          `${HEAD}\nContent-Type: multipart/alternative; boundary="b"`,
          `--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: text/html; charset=utf-8\n\n${html}\n--b--\n`,
        ),
      ] as [string, Buffer],
  ),
  [
    'name in quoted-printable HTML',
    message(
      `${HEAD}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable`,
      '<div>S=C3=B8ren =C3=98sterg=\n=C3=A5rd</div>\n',
    ),
  ],
  [
    'name in Windows-1252 HTML, in base64',
    message(
      `${HEAD}\nContent-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: base64`,
      `${iconv.encode('<p>Søren Øštergård</p>', 'win1252').toString('base64')}\n`,
    ),
  ],
  [
    'name in UTF-8 HTML that says it is ASCII',
    message(`${HEAD}\nContent-Type: text/html; charset=us-ascii`, '<p>Søren Østergård</p>\n'),
  ],
  [
    'CPR in an attached message',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      `--b\nContent-Type: text/plain\n\nvideresendt\n--b\nContent-Type: message/rfc822\n\nFrom: a@b.dk\nSubject: fwd\n\nCPR 150387-1236\n--b--\n`,
    ),
  ],
  [
    'CPR in an attachment',
    message(
      `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
      `--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: text/plain; name="a.txt"\nContent-Disposition: attachment; filename="a.txt"\nContent-Transfer-Encoding: base64\n\n${Buffer.from('CPR 150387-1236').toString('base64')}\n--b--\n`,
    ),
  ],
];

describe('mail: messages passed over by their raw bytes', () => {
  it.each(HOLDING)('keeps every finding: %s', async (_label, held) => {
    const { fast, full, subjectFindings } = await bothWays(
      mbox([...others.slice(0, 5), held, ...others.slice(5, 10)]),
    );
    expect(subjectFindings).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });

  it('gives what the full parse gives for multipart mail of others, broken and with attachments', async () => {
    const multipart = [
      message(
        `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
        `--b\nContent-Type: text/plain\n\nhej\n--b\nContent-Type: text/plain; name="a.txt"\nContent-Disposition: attachment; filename="a.txt"\nContent-Transfer-Encoding: base64\n\n${Buffer.from('Karen Holm 010190-1234').toString('base64')}\n--b--\n`,
      ),
      message(
        `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
        '--b\nContent-Type: text/plain\n\nhej, ingen slutning\n',
      ),
      message(`${HEAD}\nContent-Type: multipart/mixed; boundary="never"`, 'tekst uden dele\n'),
      message(
        `${HEAD}\nContent-Type: multipart/mixed; boundary="b"`,
        `--b\nContent-Type: text/plain\n\na\n--b\nContent-Type: message/rfc822\n\nFrom: c@d.dk\nSubject: fwd\n\nKaren Holm\n--b--\n`,
      ),
    ];
    const { fast, full } = await bothWays(mbox([...multipart, ...others.slice(0, 5)]));
    expect(full.errors.length).toBeGreaterThan(0);
    expect(fast).toEqual(full);
    const { fast: limited, full: limitedFull } = await scanBothWays(mbox(multipart), subject, {
      ...DEFAULT_LIMITS,
      maxMembers: 2,
    });
    expect(limited.errors).toEqual(limitedFull.errors);
    expect(limited.itemCount).toBe(limitedFull.itemCount);
  });

  it('gives what the full parse gives for base64 mail of others, well-formed or not', async () => {
    const b64 = Array.from({ length: 10 }, (_, i) =>
      message(
        `${PLAIN}\nContent-Transfer-Encoding: base64`,
        i % 3 === 0
          ? `${Buffer.from(`${i}. Karen`).toString('base64')}\n${Buffer.from(' Holm, København').toString('base64')}\n`
          : `${Buffer.from(`${i}. Karen Holm ringede om sag ${1000 + i}, København`).toString('base64')}\n`,
      ),
    );
    const { fast, full } = await bothWays(mbox(b64));
    expect(fast).toEqual(full);
  });

  it('gives what the full parse gives for HTML mail of others, the subject only where it is not read', async () => {
    const alternative = (html: string, encoding = '8bit') =>
      message(
        `${HEAD}\nContent-Type: multipart/alternative; boundary="b"`,
        `--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: ${encoding}\n\nKaren Holm, tlf 20001000\n--b\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: ${encoding}\n\n${html}\n--b--\n`,
      );
    const html = [
      alternative('<p>Karen <b>Holm</b>, K&oslash;benhavn, <a href="mailto:karen@example.dk">mail</a></p>'),
      alternative('<p>Karen Holm, K=C3=B8benhavn =\n</p>', 'quoted-printable'),
      alternative('<style>p { }</style><script>var s = "Søren Østergård 150387-1236";</script><p>hej</p>'),
      alternative('<!-- Søren Østergård --><p>hej</p>'),
      message(
        `${HEAD}\nContent-Type: text/html; charset=iso-8859-1`,
        iconv.encode('<p>Karen Holm, Kø</p>', 'latin1'),
      ),
    ];
    const { fast, full } = await bothWays(mbox([...html, ...others.slice(0, 3)]));
    expect(fast).toEqual(full);
  });

  it('gives what the full parse gives for quoted-printable mail of others', async () => {
    const qp = Array.from({ length: 10 }, (_, i) =>
      message(
        `${PLAIN}\nContent-Transfer-Encoding: quoted-printable`,
        `${i}. Karen Holm ringede om sag =\n${1000 + i}; tlf 2000=3${i % 10}, K=C3=B8benhavn  \n`,
      ),
    );
    const { fast, full } = await bothWays(mbox(qp));
    expect(full.itemCount).toBe(qp.length + 1);
    expect(fast).toEqual(full);
  });

  it('gives what the full parse gives for a mailbox of others (items, counts, no findings)', async () => {
    const { fast, full } = await bothWays(mbox(others));
    expect(full.itemCount).toBe(others.length + 1);
    expect(fast).toEqual(full);
  });

  it.each([
    ['plain, no Content-Type', HEAD, true],
    ['text/plain in UTF-8', PLAIN, true],
    [
      'text/plain in ISO-8859-15, 8bit',
      `${HEAD}\nContent-Type: text/plain; charset=ISO-8859-15\nContent-Transfer-Encoding: 8bit`,
      true,
    ],
    ['a folded header', `From: a@b.dk\nTo: c@d.dk,\n e@f.dk\nSubject: x`, true],
    ['quoted-printable', `${PLAIN}\nContent-Transfer-Encoding: quoted-printable`, true],
    ['an extended (RFC 2231) charset', `${HEAD}\nContent-Type: text/plain; charset*=utf-16''`, false],
    ['base64', `${PLAIN}\nContent-Transfer-Encoding: Base64`, true],
    ['format=flowed', `${HEAD}\nContent-Type: text/plain; format=Flowed`, false],
    ['UTF-16', `${HEAD}\nContent-Type: text/plain; charset=utf-16`, false],
    ['Windows-1258', `${HEAD}\nContent-Type: text/plain; charset=windows-1258`, false],
    ['text/html', `${HEAD}\nContent-Type: text/html`, false],
    ['multipart', `${HEAD}\nContent-Type: multipart/mixed; boundary=b`, false],
    ['an attachment', `${PLAIN}\nContent-Disposition: attachment; filename=a.txt`, false],
    ['an encoded word', `From: =?utf-8?Q?S=C3=B8ren?= <a@b.dk>`, false],
    ['a quoted pair', 'From: "a\\"b" <a@b.dk>', false],
    ['a punycode domain', 'From: a@xn--strm-ira.dk', false],
    ['two Content-Types', `${PLAIN}\nContent-Type: text/html`, false],
  ])('reads as its bytes or not: %s', (_label, headers, expected) => {
    const entity = splitEntity(message(headers, 'body\n'));
    expect(readsAsItsBytes(entity, headerFields(entity.header))).toBe(expected);
  });
});

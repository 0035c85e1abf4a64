/**
 * The mailparser pin (docs/decisions/dependencies.md): dsr reads simple messages without mailparser
 * (a body that is one text part, decoded here with libqp, Buffer's base64 and iconv-lite; large
 * base64 attachments decoded by mime.ts), and relies on that text being mailparser's own. These
 * tables decode tricky bodies both ways and fail when either side changes: a mailparser upgrade that
 * decodes differently, or a change to dsr's fast paths.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { bodyWithoutParser } from '../../src/extract/mail/message.js';
import { decodeBase64 } from '../../src/extract/mail/mime.js';

/** The options dsr parses with (src/extract/mail/message.ts). */
const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
} as const;

function message(type: string, charset: string | undefined, encoding: string, body: string | Buffer): Buffer {
  const ct = `Content-Type: ${type}${charset ? `; charset=${charset}` : ''}`;
  const head = `From: Anne <anne@firma.dk>\r\nSubject: drift\r\n${ct}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(head, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
}

/** The UTF-8 of `text` in base64, in lines of `width` characters separated by `eol`. */
function base64Lines(text: string, width: number, eol: string): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `${lines.join(eol)}${eol}`;
}

/** Bodies written as latin1 strings, so that every byte is as given. */
const CASES: [name: string, type: string, charset: string | undefined, encoding: string, body: string][] = [
  [
    'QP soft line breaks (CRLF)',
    'text/plain',
    'utf-8',
    'quoted-printable',
    'S=C3=B8ren =\r\n=C3=98sterg=C3=A5rd\r\n',
  ],
  [
    'QP soft line break inside a UTF-8 sequence',
    'text/plain',
    'utf-8',
    'quoted-printable',
    'S=C3=\r\n=B8ren\r\n',
  ],
  ['QP soft line breaks (LF only)', 'text/plain', 'utf-8', 'quoted-printable', 'one =\ntwo=\nthree\nfour\n'],
  [
    'QP lowercase hex',
    'text/plain',
    'utf-8',
    'quoted-printable',
    's=c3=b8ren@firma.dk =c3=a6=c3=b8=c3=a5\r\n',
  ],
  [
    'QP invalid escapes',
    'text/plain',
    'utf-8',
    'quoted-printable',
    'a =ZZ b =4 c = d =\u00e6 e ==41 f =3 g=\r\nh =G1\r\n',
  ],
  [
    'QP trailing white space',
    'text/plain',
    'utf-8',
    'quoted-printable',
    'Hej   \r\nSøren\t \r\ntak =20\r\nend \t',
  ],
  ['QP ending in a soft line break', 'text/plain', 'utf-8', 'quoted-printable', 'CPR 150387-=\r\n1236='],
  ['QP long line', 'text/plain', 'utf-8', 'quoted-printable', `${'x'.repeat(200)}=\r\n${'y'.repeat(80)}\r\n`],
  [
    'QP windows-1252 (euro, quotes, dashes)',
    'text/plain',
    'windows-1252',
    'quoted-printable',
    '=80 =93S=F8ren=94 =96 =85 =9Cuvre\r\n',
  ],
  [
    'QP iso-8859-1 with C1 bytes',
    'text/plain',
    'iso-8859-1',
    'quoted-printable',
    '=E6=F8=E5 =C6=D8=C5 =80=9F\r\n',
  ],
  ['QP iso-8859-15', 'text/plain', 'ISO-8859-15', 'quoted-printable', '=A4 =BD =F8\r\n'],
  ['QP latin1 alias, upper case', 'text/plain', 'LATIN1', 'quoted-printable', 'S=F8ren\r\n'],
  ['QP us-ascii with 8-bit bytes', 'text/plain', 'us-ascii', 'quoted-printable', 'S=C3=B8ren =F8\r\n'],
  ['QP, no charset', 'text/plain', undefined, 'quoted-printable', 'S=C3=B8ren =F8\r\n'],
  [
    'base64 with line breaks',
    'text/plain',
    'utf-8',
    'base64',
    base64Lines('Søren Østergård, CPR 150387-1236\n', 20, '\r\n'),
  ],
  ['base64 with LF and blanks', 'text/plain', 'utf-8', 'base64', base64Lines('Søren Østergård', 8, '\n  \t')],
  ['base64 iso-8859-1', 'text/plain', 'iso-8859-1', 'base64', 'U/hyZW4g2HN0ZXJn5XJk\r\nCg==\r\n'],
  ['base64 windows-1252', 'text/plain', 'windows-1252', 'base64', 'gCCTU/hyZW6U\r\n'],
  ['8bit UTF-8', 'text/plain', 'utf-8', '8bit', 'Søren Østergård, søren@firma.dk\r\n'],
  ['8bit windows-1252', 'text/plain', 'windows-1252', '8bit', '\x80 \x93Søren\x94\r\n'],
  ['7bit with CRLF and LF', 'text/plain', 'us-ascii', '7bit', 'one\r\ntwo\nthree\r\n'],
  ['binary', 'text/plain', 'utf-8', 'binary', 'a\r\nb\x00c\r\n'],
  ['HTML in QP UTF-8', 'text/html', 'utf-8', 'quoted-printable', '<p>S=C3=B8ren</p>=\r\n<b>=c3=98</b>\r\n'],
  ['HTML in QP windows-1252', 'text/html', 'windows-1252', 'quoted-printable', '<p>=80 =93x=94 =F8</p>\r\n'],
  ['HTML in base64 iso-8859-1', 'text/html', 'iso-8859-1', 'base64', 'PHA+U/hyZW48L3A+DQo=\r\n'],
  [
    'HTML in QP iso-8859-1 with C1 bytes',
    'text/html',
    'ISO-8859-1',
    'quoted-printable',
    '<p>=8Aimon =80</p>\r\n',
  ],
];

/** Messages the fast paths leave to mailparser: they must not start reading them. */
const LEFT_TO_MAILPARSER: [
  name: string,
  type: string,
  charset: string | undefined,
  encoding: string,
  body: string,
][] = [
  ['base64 with garbage', 'text/plain', 'utf-8', 'base64', 'U8O4!!cmVu*IMOY\r\nc3Rlcmc=w6VyZA\r\n'],
  ['base64 padding in the middle', 'text/plain', 'utf-8', 'base64', 'U8O4cg==ZW4K\r\n'],
  ['base64 not whole quartets', 'text/plain', 'utf-8', 'base64', 'U8O4cmVu\r\nIMO\r\n'],
  ['a charset outside the byte charsets', 'text/plain', 'utf-16le', 'base64', 'UwD4AHIAZQBuAA==\r\n'],
  ['format=flowed', 'text/plain', 'utf-8; format=flowed', '7bit', 'one \r\ntwo\r\n'],
  ['an unknown transfer encoding', 'text/plain', 'utf-8', 'x-uuencode', 'begin 644 a\r\n'],
];

describe('mailparser and dsr decode a single text part alike', () => {
  it.each(CASES)('%s', async (_name, type, charset, encoding, body) => {
    const raw = message(type, charset, encoding, body);
    const fast = bodyWithoutParser(raw);
    expect(fast, 'dsr reads this message without mailparser').toBeDefined();
    expect(fast!.type).toBe(type);
    const parsed = await simpleParser(raw, PARSE_OPTIONS);
    const theirs = type === 'text/html' ? parsed.html : parsed.text;
    // mailparser gives LF for CRLF; a line break is white space to every detector either way.
    expect(fast!.text.replace(/\r\n/g, '\n')).toBe(theirs);
  });

  it.each(LEFT_TO_MAILPARSER)('%s is left to mailparser', (_name, type, charset, encoding, body) => {
    expect(bodyWithoutParser(message(type, charset, encoding, body))).toBeUndefined();
  });
});

describe('mailparser and dsr decode a base64 attachment alike (mime.ts decodeBase64)', () => {
  const BODIES = [
    'U8O4cmVuIMOYc3Rlcmc=\r\nw6VyZAo=\r\n',
    'U8O4!!cmVu*IMOY\r\nc3Rlcmc=w6VyZA\r\n',
    'U/hy ZW4g!!2HN0\r\nZXJn5X=Jk\r\nCg==\r\nQUJD\r\n',
    'QUJD\nREVG\nR0g\n',
    'QQ==QQ==QQ',
    '====QUJD',
    `${'QUJDREVG'.repeat(300)}\r\n`.repeat(40),
    '',
  ];

  it.each(BODIES.map((b, i) => [i, b]))('body %i', async (_i, body) => {
    const raw = Buffer.from(
      'From: a@firma.dk\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
        '--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${body}\r\n--XX--\r\n`,
      'latin1',
    );
    const parsed = await simpleParser(raw, PARSE_OPTIONS);
    const theirs = parsed.attachments[0]?.content ?? Buffer.alloc(0);
    expect(decodeBase64(Buffer.from(body, 'latin1')).equals(theirs)).toBe(true);
  });
});

describe('the pinned versions', () => {
  const require = createRequire(import.meta.url);
  const version = (entry: string) => {
    let dir = dirname(require.resolve(entry));
    for (;;) {
      try {
        return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version as string;
      } catch {
        dir = dirname(dir);
      }
    }
  };
  const declared = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

  it('are the ones installed, and dsr decodes QP with the same libqp as mailparser', () => {
    expect(version('mailparser')).toBe(declared.dependencies.mailparser);
    expect(version('libqp')).toBe(declared.dependencies.libqp);
    // mailparser's splitter (@zone-eu/mailsplit) decodes QP with the libqp dsr imports, not a copy of its own.
    const mailsplit = createRequire(require.resolve('mailparser')).resolve('@zone-eu/mailsplit');
    expect(createRequire(mailsplit).resolve('libqp')).toBe(require.resolve('libqp'));
  });
});

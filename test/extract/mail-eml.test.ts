import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { findingLines, MAIL_FIXTURES, scanMailFile } from '../helpers/mail-scan.js';

const eml = (name: string) => join(MAIL_FIXTURES, name);

describe('.eml extraction', () => {
  it('decodes RFC 2047 headers and a quoted-printable ISO-8859-1 body (name split by a soft break)', async () => {
    const r = await scanMailFile(eml('eml/latin1-qp.eml'));
    expect(r.format).toBe('eml');
    expect(r.errors).toEqual([]);
    expect(findingLines(r)).toEqual([
      '[] cpr 150387-1236 body',
      '[] email soren.ostergard@example.dk header:From',
      '[] email soren.ostergard@example.dk header:Return-Path',
      '[] name Søren Kjærgaard Østergård body',
      '[] name Søren Kjærgaard Østergård header:From',
      '[] name Søren Kjærgaard Østergård header:Subject',
      '[] phone +4521436587 body',
    ]);
    expect(r.items).toHaveLength(1);
    expect(r.items[0].message).toMatchObject({ kind: 'eml', itemPath: [], fingerprint: { size: 569 } });
    expect(r.items[0].message?.fingerprint.sha256).toBe(r.items[0].fingerprint.sha256);
  });

  it('reads display names in To/Cc and base64 HTML (text, mailto attribute) of a multipart/alternative', async () => {
    const r = await scanMailFile(eml('eml/html-base64.eml'));
    expect(r.errors).toEqual([]);
    expect(findingLines(r)).toEqual([
      '[] email soren.ostergard@example.dk header:To',
      '[] email soren.ostergard@example.dk html attributes',
      '[] name Søren Kjærgaard Østergård header:To',
      '[] name Søren Østergård header:Cc',
      '[] phone +4521436587 html',
    ]);
    expect(r.items.map((i) => i.evidence)).toEqual(['confirmed']);
  });

  it('tells the subject from other people in the headers (--all)', async () => {
    const r = await scanMailFile(eml('eml/html-base64.eml'), {}, MAIL_FIXTURES, true);
    expect(findingLines(r)).toEqual([
      '[] email arkiv@example.net header:Bcc (other)',
      '[] email jonas.vestergaard@example.net header:From (other)',
      '[] email kontor@example.net header:Reply-To (other)',
      '[] email s.ostergaard@other.dk header:Cc (other)',
      '[] email soren.ostergard@example.dk header:To',
      '[] email soren.ostergard@example.dk html attributes',
      '[] name Søren Kjærgaard Østergård header:To',
      '[] name Søren Østergård header:Cc',
      '[] phone +4521436587 html',
    ]);
  });

  it('hands attachments and an attached message (with its own attachment) back to the extractors', async () => {
    const r = await scanMailFile(eml('eml/attachments.eml'));
    expect(r.errors).toEqual([]);
    // The message itself, the PDF, the text file, the attached message and its attachment.
    expect(r.itemCount).toBe(5);
    expect(findingLines(r)).toEqual([
      '["attachment cpr-brev.pdf","page 1"] cpr 150387-1236 page 1',
      '["attachment cpr-brev.pdf","page 1"] name Søren Kjærgaard Østergård page 1',
      '["attachment noter.txt"] phone +4521436587 body',
      '["message <inner-forward@example.dk>","attachment kontakt.txt"] email soren.ostergard@example.dk body',
      '["message <inner-forward@example.dk>"] cpr 150387-1236 body',
      '["message <inner-forward@example.dk>"] email soren.ostergard@example.dk header:From',
      '["message <inner-forward@example.dk>"] name Søren Kjærgaard Østergård header:From',
    ]);
    // Every nested item is erased by removing the enclosing .eml file.
    for (const item of r.items) expect(item.message).toMatchObject({ kind: 'eml', itemPath: [] });
    expect(r.items.map((i) => [i.itemPath.join(' › '), i.format]).sort()).toEqual([
      ['attachment cpr-brev.pdf', 'pdf'],
      ['attachment noter.txt', 'text'],
      ['message <inner-forward@example.dk> › attachment kontakt.txt', 'text'],
      ['message <inner-forward@example.dk>', 'eml'],
    ]);
  });

  it('finds nothing in a message about other people, and reads Windows-1252', async () => {
    const none = await scanMailFile(eml('eml/unrelated.eml'));
    expect(none.findings).toEqual([]);
    expect(none.items).toEqual([]);
    expect(none.errors).toEqual([]);
    const cp = await scanMailFile(eml('eml/windows-1252.eml'));
    expect(findingLines(cp)).toEqual(['[] name Søren Kjærgaard Østergård body']);
    expect(cp.items[0].evidence).toBe('possible');
  });

  it('searches the body of a message whose MIME boundary is broken and reports it', async () => {
    const r = await scanMailFile(eml('hostile/broken-boundary.eml'));
    expect(findingLines(r)).toEqual(['[] cpr 150387-1236 body']);
    expect(r.errors).toEqual([
      {
        path: eml('hostile/broken-boundary.eml'),
        itemPath: [],
        kind: 'corrupt',
        message:
          'broken MIME structure: the multipart boundary never occurs; the body was searched as plain text',
      },
    ]);
  });

  it('reads a truncated message as far as it goes (no closing boundary, cut attachment)', async () => {
    const r = await scanMailFile(eml('hostile/truncated.eml'));
    expect(findingLines(r)).toEqual(['[] phone +4521436587 body']);
    expect(r.errors.map((e) => [e.itemPath, e.kind])).toEqual([
      [[], 'corrupt'],
      [['attachment scan.pdf'], 'corrupt'],
    ]);
    expect(r.errors[0].message).toContain('closing multipart boundary is missing');
  });

  it('follows attached messages down to --max-depth and reports the deeper ones as a limit', async () => {
    let raw =
      'From: a@example.com\nTo: b@example.com\nMessage-ID: <level-7@example.com>\n\nCPR 150387-1236\n';
    for (let level = 6; level >= 1; level--) {
      raw = `From: a@example.com\nTo: b@example.com\nMessage-ID: <level-${level}@example.com>\nContent-Type: message/rfc822\n\n${raw}`;
    }
    const dir = tempTree({ 'nested.eml': raw });
    const r = await scanMailFile(join(dir, 'nested.eml'));
    const path = [2, 3, 4, 5, 6, 7].map((n) => `message <level-${n}@example.com>`);
    expect(r.errors).toEqual([
      {
        path: join(dir, 'nested.eml'),
        itemPath: path,
        kind: 'limit',
        message: 'nested deeper than 5 levels; not read',
      },
    ]);
    expect(r.findings).toEqual([]);
    const shallow = await scanMailFile(join(dir, 'nested.eml'), { maxDepth: 6 });
    expect(findingLines(shallow)).toEqual([`${JSON.stringify(path)} cpr 150387-1236 body`]);
  });

  it('keeps itemPaths unique: same-named attachments get #2, an unnamed one a name from its type', async () => {
    const part = (headers: string, body: string) => `--b\n${headers}\n\n${body}\n`;
    const raw = [
      'From: a@example.com\nTo: b@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n',
      part('Content-Type: text/plain', 'Hej'),
      part(
        'Content-Type: text/plain; name=a.txt\nContent-Disposition: attachment; filename=a.txt',
        'mail soren.ostergard@example.dk',
      ),
      part(
        'Content-Type: text/plain; name=a.txt\nContent-Disposition: attachment; filename=a.txt',
        'ring +45 21 43 65 87',
      ),
      part('Content-Type: text/csv', 'cpr;150387-1236'),
      '--b--\n',
    ].join('');
    const dir = tempTree({ 'dupes.eml': raw });
    const r = await scanMailFile(join(dir, 'dupes.eml'));
    expect(r.errors).toEqual([]);
    expect(findingLines(r)).toEqual([
      '["attachment a.txt #2"] phone +4521436587 body',
      '["attachment a.txt"] email soren.ostergard@example.dk body',
      '["attachment attachment-3.csv"] cpr 150387-1236 body',
    ]);
  });

  it('never crashes on garbage named .eml, and sniffs an extensionless saved message', async () => {
    const dir = tempTree({
      'garbage.eml': Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0x2d, 0x2d]),
      'empty.eml': '',
      'saved-message':
        'From: Mette Holm <mette.holm@example.com>\nTo: soren.ostergard@example.dk\nSubject: x\n\nHej\n',
      'nested/deep.eml': `Content-Type: multipart/mixed; boundary=a\nFrom: a@example.com\nTo: b@example.com\n\n${'--a\nContent-Type: multipart/mixed; boundary=a\n\n'.repeat(200)}`,
    });
    const garbage = await scanMailFile(join(dir, 'garbage.eml'));
    expect(garbage.errors.map((e) => e.kind)).toEqual(['corrupt']);
    const empty = await scanMailFile(join(dir, 'empty.eml'));
    expect(empty.findings).toEqual([]);
    const saved = await scanMailFile(join(dir, 'saved-message'));
    expect(saved.format).toBe('eml');
    expect(findingLines(saved)).toEqual(['[] email soren.ostergard@example.dk header:To']);
    const deep = await scanMailFile(join(dir, 'nested/deep.eml'));
    expect(deep.findings).toEqual([]);
  });
});

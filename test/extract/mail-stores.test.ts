import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { findingLines, MAIL_FIXTURES, scanMailFile } from '../helpers/mail-scan.js';

const ARCHIVE = join(MAIL_FIXTURES, 'mbox/archive.mbox');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('mbox', () => {
  it('splits on From lines, unescapes >From, names messages by Message-ID or index', async () => {
    const r = await scanMailFile(ARCHIVE);
    expect(r.format).toBe('mbox');
    // The mbox and its four messages: the body line "From what I hear" (no empty line before it) does not split.
    expect(r.itemCount).toBe(5);
    expect(findingLines(r)).toEqual([
      '["message #2"] cpr 150387-1236 body',
      '["message #3"] phone +4521436587 body',
      '["message <mbox-1@example.dk>"] email soren.ostergard@example.dk header:From',
      '["message <mbox-1@example.dk>"] name Søren Kjærgaard Østergård header:From',
      '["message <mbox-4@example.com>"] name Søren Østergård body',
    ]);
    const cpr = r.findings.find((f) => f.detector === 'cpr');
    expect(cpr?.context).toContain('From the archive: CPR 150387-1236');
    expect(cpr?.context).not.toContain('>From');
    expect(r.errors).toEqual([
      {
        path: ARCHIVE,
        itemPath: ['message #3'],
        kind: 'corrupt',
        message: 'no RFC 822 header block; the message was searched as plain text',
      },
    ]);
    expect(r.items.find((i) => i.itemPath[0] === 'message <mbox-4@example.com>')?.evidence).toBe('namesake');
  });

  it('records each message byte range (From line included) that erasure can cut out exactly', async () => {
    const bytes = readFileSync(ARCHIVE);
    const r = await scanMailFile(ARCHIVE);
    const refs = r.items.map((i) => ({ itemPath: i.itemPath, ...i.message }));
    expect(refs.map((m) => [m.itemPath[0], m.kind, m.fingerprint?.offset, m.fingerprint?.length])).toEqual([
      ['message <mbox-1@example.dk>', 'mbox', 0, 286],
      ['message #2', 'mbox', 286, 266],
      ['message #3', 'mbox', 552, 116],
      ['message <mbox-4@example.com>', 'mbox', 668, 342],
    ]);
    expect(668 + 342).toBe(bytes.length);
    for (const item of r.items) {
      const fp = item.message!.fingerprint;
      const slice = bytes.subarray(fp.offset!, fp.offset! + fp.length!);
      expect(slice.subarray(0, 5).toString()).toBe('From ');
      expect(fp.sha256).toBe(sha256(slice));
      expect(item.message!.itemPath).toEqual(item.itemPath);
      expect(item.fingerprint).toMatchObject({ offset: fp.offset, length: fp.length, sha256: fp.sha256 });
    }
  });

  it('stops at --max-members with a limit error, and skips a message over --max-extract-bytes', async () => {
    const few = await scanMailFile(ARCHIVE, { maxMembers: 2 });
    expect(few.itemCount).toBe(3);
    expect(few.errors.map((e) => [e.itemPath, e.kind, e.message])).toEqual([
      [[], 'limit', 'more than 2 messages; the rest of the mailbox was not read'],
    ]);
    const small = await scanMailFile(ARCHIVE, { maxExtractBytes: 280 });
    expect(small.errors.map((e) => [e.itemPath, e.kind])).toEqual([
      [['message <mbox-1@example.dk>'], 'limit'],
      [['message #3'], 'corrupt'],
      [['message <mbox-4@example.com>'], 'limit'],
    ]);
    expect(findingLines(small)).toEqual([
      '["message #2"] cpr 150387-1236 body',
      '["message #3"] phone +4521436587 body',
    ]);
  });

  it('stops a mailbox that would outlive the time limit early, keeping what was read', async () => {
    const r = await scanMailFile(ARCHIVE, { timeoutMs: 0 });
    expect(r.itemCount).toBe(1);
    expect(r.errors.map((e) => [e.itemPath, e.kind, e.message])).toEqual([
      [
        [],
        'timeout',
        'read 0 messages (up to byte 0) before the time limit; the rest was not read (raise --timeout)',
      ],
    ]);
  });

  it('streams a large mbox in pieces and keeps exact offsets across piece boundaries', async () => {
    const msg = (i: number) =>
      `From sender@example.com Mon Mar  2 10:00:00 2026\nMessage-ID: <big-${i}@example.com>\nFrom: a@example.com\nSubject: n${i}\n\n${'x'.repeat(9000 + i)}\n${i === 150 ? 'CPR 150387-1236\n' : ''}\n`;
    const parts = Array.from({ length: 250 }, (_, i) => msg(i));
    const dir = tempTree({ 'big.mbox': parts.join('') });
    const r = await scanMailFile(join(dir, 'big.mbox'));
    expect(r.itemCount).toBe(251);
    expect(findingLines(r)).toEqual(['["message <big-150@example.com>"] cpr 150387-1236 body']);
    const offset = parts.slice(0, 150).reduce((n, p) => n + Buffer.byteLength(p), 0);
    expect(r.items[0].message?.fingerprint).toMatchObject({ offset, length: Buffer.byteLength(parts[150]) });
  });

  it('sniffs an extensionless mbox (Thunderbird Inbox) and reports a .mbox without From lines', async () => {
    const tb = await scanMailFile(join(MAIL_FIXTURES, 'mbox/Thunderbird/Inbox'));
    expect(tb.format).toBe('mbox');
    expect(findingLines(tb)).toEqual([
      '["message <tb-1@example.com>"] email soren.ostergard@example.dk header:To',
      '["message <tb-1@example.com>"] name Søren Kjærgaard Østergård header:To',
    ]);
    const dir = tempTree({ 'not.mbox': 'just some text\n' });
    const bad = await scanMailFile(join(dir, 'not.mbox'));
    expect(bad.errors.map((e) => [e.kind, e.message])).toEqual([
      ['corrupt', 'no "From " line found: not an mbox, nothing read'],
    ]);
  });
});

describe('Maildir', () => {
  const MAILDIR = join(MAIL_FIXTURES, 'maildir/Maildir');

  it('reads each message file in cur/new and in sub-folders such as .Sent', async () => {
    const inbox = join(MAILDIR, 'cur/1772442000.M1P100.fixture:2,S');
    const r = await scanMailFile(inbox, {}, MAILDIR);
    expect(r.format).toBe('maildir');
    expect(findingLines(r)).toEqual([
      '[] email soren.ostergard@example.dk header:From',
      '[] email soren.ostergard@example.dk header:Return-Path',
      '[] name Søren Kjærgaard Østergård header:From',
    ]);
    const st = statSync(inbox);
    expect(r.items[0].message).toEqual({
      kind: 'maildir',
      itemPath: [],
      fingerprint: { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(readFileSync(inbox)) },
    });
    const sent = await scanMailFile(join(MAILDIR, '.Sent/cur/1772442002.M3P100.fixture:2,S'), {}, MAILDIR);
    expect(sent.format).toBe('maildir');
    expect(findingLines(sent)).toEqual(['[] cpr 150387-1236 body']);
    const other = await scanMailFile(join(MAILDIR, 'new/1772442001.M2P100.fixture'), {}, MAILDIR);
    expect(other.format).toBe('maildir');
    expect(other.findings).toEqual([]);
  });

  it('treats a message in a lone cur/ folder (no Maildir siblings) as a plain saved message', async () => {
    const dir = tempTree({
      'cur/123.host': 'From: a@example.com\nTo: soren.ostergard@example.dk\nSubject: x\n\nHej\n',
    });
    const r = await scanMailFile(join(dir, 'cur/123.host'));
    expect(r.format).toBe('eml');
    expect(r.items[0].message?.kind).toBe('eml');
  });

  it('scans the whole mail fixture tree through the built CLI', () => {
    const dir = tempTree();
    const out = join(dir, 'scan.json');
    const r = runCli([
      'scan',
      join(MAIL_FIXTURES, 'maildir'),
      join(MAIL_FIXTURES, 'mbox'),
      '--subject',
      writeSubject(dir),
      '--out',
      out,
      '--no-progress',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3); // the malformed mbox message is an error entry
    const scan = JSON.parse(readFileSync(out, 'utf8'));
    const rel = (p: string) => p.slice(MAIL_FIXTURES.length + 1);
    expect(
      scan.items
        .map((i: { path: string; itemPath: string[]; message: { kind: string } }) =>
          [rel(i.path), ...i.itemPath, i.message.kind].join(' | '),
        )
        .sort(),
    ).toEqual([
      'maildir/Maildir/.Sent/cur/1772442002.M3P100.fixture:2,S | maildir',
      'maildir/Maildir/cur/1772442000.M1P100.fixture:2,S | maildir',
      'mbox/Thunderbird/Inbox | message <tb-1@example.com> | mbox',
      'mbox/archive.mbox | message #2 | mbox',
      'mbox/archive.mbox | message #3 | mbox',
      'mbox/archive.mbox | message <mbox-1@example.dk> | mbox',
      'mbox/archive.mbox | message <mbox-4@example.com> | mbox',
    ]);
  });
});

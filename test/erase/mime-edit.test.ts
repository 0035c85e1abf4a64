import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  decodedBody,
  findAttachment,
  listAttachments,
  removalNote,
  replaceBody,
} from '../../src/erase/mime-edit.js';
import { viewItem } from '../../src/erase/verify.js';
import { compileSubject } from '../../src/match/subject.js';
import { SUBJECT, sha256 } from '../helpers/erase.js';

const CPR = 'CPR 150387-1236';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Two attachments of the same name, one without a name, an RFC 2231 name, nested multiparts and an attached message. */
const TRICKY = [
  'From: karen.jensen@firma.dk',
  'Message-ID: <t1@firma.dk>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: multipart/alternative; boundary="alt"',
  '',
  '--alt',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hej',
  '--alt',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hej</p>',
  '--alt--',
  '--outer',
  'Content-Type: text/plain; name="a.txt"',
  'Content-Disposition: attachment; filename="a.txt"',
  '',
  `første ${CPR}`,
  '--outer',
  'Content-Type: text/plain; name="a.txt"',
  'Content-Disposition: attachment; filename="a.txt"',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  `anden s=C3=B8ren ${CPR}`,
  '--outer',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  b64(`uden navn ${CPR}`),
  '--outer',
  'Content-Type: text/plain',
  "Content-Disposition: attachment; filename*=utf-8''l%C3%B8n.txt",
  '',
  `løn ${CPR}`,
  '--outer',
  'Content-Type: message/rfc822',
  '',
  'From: jens@firma.dk',
  'Message-ID: <inner@firma.dk>',
  'Content-Type: multipart/mixed; boundary="in"',
  '',
  '--in',
  'Content-Type: text/plain; name="inner.txt"',
  'Content-Disposition: attachment; filename="inner.txt"',
  '',
  `indre ${CPR}`,
  '--in--',
  '--outer--',
  '',
].join('\r\n');

describe('listAttachments names the parts as the scan does', () => {
  it('same names get #2, an unnamed part attachment-N, RFC 2231 names decoded; attached messages are left out', async () => {
    const raw = Buffer.from(TRICKY);
    const subject = compileSubject(SUBJECT);
    const view = await viewItem({ path: 't.eml', data: raw }, subject);
    const scanned = view.subjectItems.filter((p) => p.length === 1).map((p) => p[0]);
    const listed = (await listAttachments(raw)).map((p) => p.segment);
    expect(listed).toEqual([
      'attachment a.txt',
      'attachment a.txt #2',
      'attachment attachment-3.bin',
      'attachment løn.txt',
    ]);
    expect(scanned.sort()).toEqual([...listed].sort());
  });

  it('an attachment whose content differs from the planned sha256 is stale', async () => {
    const raw = Buffer.from(TRICKY);
    const ok = await findAttachment(raw, 'attachment a.txt #2', sha256(Buffer.from(`anden søren ${CPR}`)));
    expect(ok.name).toBe('a.txt');
    await expect(findAttachment(raw, 'attachment a.txt #2', 'f'.repeat(64))).rejects.toMatchObject({
      result: 'stale',
    });
  });

  it('re-encodes quoted-printable and base64 bodies exactly; removal keeps every other byte', async () => {
    const raw = Buffer.from(TRICKY);
    const parts = await listAttachments(raw);
    const qp = parts[1];
    const content = decodedBody(raw, qp)!;
    expect(content.toString('utf8')).toBe(`anden søren ${CPR}`);
    const same = applyEdits(raw, [replaceBody(raw, qp, content)]);
    expect(decodedBody(same, (await listAttachments(same))[1])).toEqual(content);
    const unnamed = parts[2];
    const rewritten = applyEdits(raw, [replaceBody(raw, unnamed, decodedBody(raw, unnamed)!)]);
    expect(rewritten.equals(raw)).toBe(true);

    const removed = applyEdits(raw, [
      removalNote(raw, parts[3], 'løn.txt', new Date('2026-03-02T10:00:00Z')),
    ]);
    expect(removed.subarray(0, parts[3].start).equals(raw.subarray(0, parts[3].start))).toBe(true);
    expect(
      removed.subarray(removed.length - (raw.length - parts[3].end)).equals(raw.subarray(parts[3].end)),
    ).toBe(true);
    const subject = compileSubject(SUBJECT);
    const after = await viewItem({ path: 't.eml', data: removed }, subject);
    expect(after.subjectItems.map((p) => p[0])).not.toContain('attachment løn.txt');
    expect(removed.toString('utf8')).toContain('=C3=B8n.txt removed on 2026-03-02');
    const before = await viewItem({ path: 't.eml', data: raw }, subject);
    expect(after.subject).toHaveLength(before.subject.length - 1);
    expect(after.others).toEqual(before.others);
  });
});

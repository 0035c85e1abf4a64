import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../src/extract/mail/mime.js';
import { inPrivateTmpdir } from '../helpers/private-tmpdir.js';
import { seededRandom } from '../helpers/random.js';
import { bodyFindings, scanBytes } from '../helpers/scan-bytes.js';

const CPR = '150387-1236';

describe('large attachments', () => {
  it('decodes base64 as mailparser does: line breaks and stray characters skipped, `=` ending a run', async () => {
    const { simpleParser } = await import('mailparser');
    const random = seededRandom(5);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const noise = ['\r\n', '\n', ' ', '=', '==', '!', '-', '_', '\t'];
    const wrong: string[] = [];
    for (let n = 0; n < 200; n++) {
      let body = '';
      const length = random(400);
      for (let i = 0; i < length; i++)
        body += random(10) === 0 ? noise[random(noise.length)] : alphabet[random(alphabet.length)];
      const parsed = await simpleParser(
        Buffer.from(
          `Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`,
        ),
      );
      const want = parsed.attachments[0]?.content ?? Buffer.alloc(0);
      if (!decodeBase64(Buffer.from(body)).equals(want)) wrong.push(JSON.stringify(body));
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('decodes a body of many pieces exactly', () => {
    const random = seededRandom(6);
    const data = Buffer.from(Array.from({ length: 3_000_000 }, () => random(256)));
    const body = Buffer.from(data.toString('base64').replace(/.{76}/g, '$&\r\n'));
    expect(decodeBase64(body).equals(data)).toBe(true);
  });

  const message = (csv: string) =>
    [
      'From: kontor@example.dk',
      'Subject: Kundeliste',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Listen er vedhæftet.',
      '--XX',
      'Content-Type: text/csv',
      "Content-Disposition: attachment; filename*=utf-8''k%C3%B8b.csv",
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(csv).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--XX--',
      '',
    ].join('\r\n');
  const export_ = (rows: number) =>
    `${Array.from({ length: rows }, (_, i) => `kunde ${i};Mette Hansen;mette${i}@example.dk`).join('\n')}\nSøren;${CPR}\n`;

  it.each([
    ['decoded in memory', 40_000, 2],
    ['decoded to a temporary file', 400_000, 20],
  ])(
    'reads a large base64 attachment without mailparser (%s), with its RFC 2231 name and exact offsets',
    async (_how, rows, mib) => {
      const csv = export_(rows);
      const eml = message(csv);
      expect(eml.length).toBeGreaterThan(mib * 1024 * 1024);
      const { result: r, left } = await inPrivateTmpdir(() => scanBytes('liste.eml', eml));
      expect(r.errors).toEqual([]);
      const found = r.findings.filter((f) => f.detector === 'cpr');
      expect(found.map((f) => [f.itemPath, f.location.offset, f.location.line])).toEqual([
        [['attachment køb.csv'], csv.indexOf(CPR), rows + 1],
      ]);
      expect(bodyFindings(r).filter((f) => f.detector === 'cpr')).toHaveLength(1);
      // Fingerprinted as the attachment's bytes wherever they were held, and nothing left behind.
      const item = r.items.find((i) => i.itemPath[0] === 'attachment køb.csv');
      expect(item?.fingerprint).toEqual({
        length: Buffer.byteLength(csv),
        sha256: createHash('sha256').update(csv).digest('hex'),
      });
      expect(left).toEqual([]);
    },
  );
});

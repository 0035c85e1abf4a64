/**
 * A huge mailbox whose messages both workers read, in parts planned by the main thread (see
 * `planMbox` and readMailboxInParts): the scan file must be the one a single read gives.
 */
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import {
  CONTAINER_ONE_READ as ONE_READ,
  SCAN_MODES,
  CONTAINER_SPLIT as SPLIT,
  scanShared,
} from '../helpers/scan-shared.js';

const KiB = 1024;

/** Messages of every kind the splitter and the namer tell apart; fake people only. */
function mailbox(count: number): string {
  const out: string[] = ['preamble that is not a message\n\n'];
  for (let m = 0; m < count; m++) {
    // Some without a Message-ID, some repeating one (a copied message).
    const id = m % 7 === 3 ? '' : `Message-ID: <m${m % 50 === 49 ? 1 : m}@example.dk>\n`;
    const about =
      m % 11 === 0
        ? 'Søren Kjærgaard Østergård, cpr 150387-1236, soren.ostergard@example.dk'
        : m % 13 === 0
          ? 'Søren Østergård står ved siden af 020340-1234'
          : `kunde${m}@example.com tlf 2${String(m).padStart(7, '0')} cpr 0101${50 + (m % 40)}-${1000 + m}`;
    const body = `Hej,\n\n${about}\n${'Venlig hilsen\nKontoret\n'.repeat(m % 5)}\n>From the archive: not a new message\n`;
    const attachment =
      m % 9 === 0
        ? `--b\nContent-Type: text/plain; name="liste.txt"\nContent-Disposition: attachment; filename="liste.txt"\nContent-Transfer-Encoding: base64\n\n${Buffer.from(`Mette Hansen 1203${60 + (m % 30)}-4321 mette@example.com\n`).toString('base64')}\n--b--\n`
        : '';
    const type = attachment ? 'Content-Type: multipart/mixed; boundary="b"\n' : '';
    const text = attachment ? `--b\nContent-Type: text/plain; charset=utf-8\n\n${body}\n${attachment}` : body;
    out.push(
      `From kontor@example.dk Mon Jan  ${(m % 9) + 1} 10:00:00 2024\n${id}From: kontor@example.dk\nSubject: sag ${m}\n${type}\n${text}\n`,
    );
  }
  return out.join('');
}

describe('a huge mailbox read in parts by both workers', () => {
  it.each(SCAN_MODES)(
    '%s gives what one read gives: messages, names, findings, evidence, errors',
    async (_, opts) => {
      const plain = (n: number) => mailbox(n).replace(/^preamble.*\n\n/, '');
      // Named after the subject: only the first part reads the mailbox's own name.
      const dir = tempTree({
        'arkiv.mbox': mailbox(600),
        Indbakke: plain(400),
        'Søren Østergård.mbox': plain(300),
      });
      const split = await scanShared(dir, SPLIT, opts);
      const one = await scanShared(dir, ONE_READ, opts);
      expect(split.parts['arkiv.mbox']).toBeGreaterThan(10);
      expect(split.parts.Indbakke).toBeGreaterThan(5);
      expect(split.parts['Søren Østergård.mbox']).toBeGreaterThan(5);
      expect(one.parts).toEqual({ 'arkiv.mbox': 1, Indbakke: 1, 'Søren Østergård.mbox': 1 });
      expect(one.findings.filter((f) => f.location.field === 'path')).toHaveLength(1);
      expect(split.findings.length).toBeGreaterThan(opts.all ? 2000 : 100);
      expect(one.errors).toHaveLength(1);
      expect(split).toEqual({ ...one, parts: split.parts });
    },
    60_000,
  );

  it('stops at --max-members and reports messages over --max-extract-bytes as one read does', async () => {
    const big = `From a@example.dk Mon Jan  1 10:00:00 2024\nMessage-ID: <big@example.dk>\n\n${'kunde@example.com\n'.repeat(3000)}\n`;
    const dir = tempTree({
      'arkiv.mbox': `${mailbox(200)}${big}${mailbox(400).replace(/^preamble.*\n\n/, '')}`,
    });
    const limits = { maxMembers: 450, maxExtractBytes: 40 * KiB };
    const split = await scanShared(dir, SPLIT, { all: true, limits });
    const one = await scanShared(dir, ONE_READ, { all: true, limits });
    expect(split.parts['arkiv.mbox']).toBeGreaterThan(5);
    // Stopped at --max-members, the mailbox's preamble is not reported (as before).
    expect(one.errors.map((e) => (e as { kind: string }).kind)).toEqual(['limit', 'limit']);
    expect(split).toEqual({ ...one, parts: split.parts });
  }, 60_000);

  it('reads a file with no message the usual way', async () => {
    const dir = tempTree({ 'tom.mbox': 'not a mailbox\n'.repeat(10_000) });
    const split = await scanShared(dir, SPLIT, { all: true });
    const one = await scanShared(dir, ONE_READ, { all: true });
    expect(split.errors).toMatchObject([{ kind: 'corrupt' }]);
    expect(split).toEqual(one);
  }, 60_000);
});

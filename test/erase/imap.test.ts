import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { approvePlan, buildPlan, type Plan, writePlan } from '../../src/erase/plan.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { startDovecot } from '../helpers/dovecot.js';
import { message, readJson, writeScan } from '../helpers/erase.js';

describe('expunge-imap-message against a real Dovecot', () => {
  it('expunges exactly the planned UIDs; a message someone else flagged \\Deleted survives; a changed UIDVALIDITY is stale', async () => {
    const dc = await startDovecot({
      messages: [
        { raw: message('i1@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236') },
        { raw: message('i2@firma.dk', 'jens@firma.dk', 'Frokost?') },
        { raw: message('i3@example.dk', 'soren.ostergard@example.dk', '+45 21 43 65 87') },
        { raw: message('i4@firma.dk', 'anne@firma.dk', 'Møde') },
      ],
      mailboxes: ['Archive'],
    });
    try {
      const client = await dc.client();
      const box = await client.mailboxOpen('INBOX');
      const uidValidity = String(box.uidValidity);
      const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      expect(uids).toHaveLength(4);
      // Another user of the mailbox flags message 2 \Deleted without expunging it.
      await client.messageFlagsAdd(String(uids[1]), ['\\Deleted'], { uid: true });
      await client.logout();

      const server = `imap://${dc.user}@${dc.host}:${dc.port}`;
      const item = (uid: number, mailbox = 'INBOX', validity = uidValidity) => ({
        path: `${server}/${mailbox};UIDVALIDITY=${validity}/;UID=${uid}`,
        format: 'eml',
        message: { kind: 'imap' as const, itemPath: [], fingerprint: { uidValidity: validity, uid } },
      });
      const dir = tempTree();
      const scan = readJson<ScanFile>(
        writeScan(
          dir,
          [`${server}/INBOX`, `${server}/Archive`],
          [item(uids[0]), item(uids[2]), item(1, 'Archive', '1')],
        ),
      );
      const planPath = join(dir, 'plan.json');
      await writePlan(planPath, approvePlan(buildPlan(scan, undefined, {}), 'Test DPO'));

      const env = { ...process.env, DSR_IMAP_PASSWORD: dc.password };
      const dry = runCli(['erase', planPath], { env });
      expect(dry.stdout).toMatch(/would +expunge-imap-message/);
      const r = runCli(['erase', planPath, '--execute'], { env });
      expect(r.stdout).toMatch(new RegExp(`done +expunge-imap-message .*UID=${uids[0]}`));
      expect(r.stdout).toMatch(new RegExp(`done +expunge-imap-message .*UID=${uids[2]}`));
      expect(r.stdout).toMatch(/stale +expunge-imap-message .*Archive[^\n]*\n.*UIDVALIDITY/);
      expect(r.code).toBe(5);

      const check = await dc.client();
      await check.mailboxOpen('INBOX');
      const left: [number, boolean][] = [];
      for await (const m of check.fetch('1:*', { uid: true, flags: true }))
        left.push([m.uid, m.flags?.has('\\Deleted') ?? false]);
      await check.logout();
      expect(left.sort((a, b) => a[0] - b[0])).toEqual([
        [uids[1], true],
        [uids[3], false],
      ]);
    } finally {
      await dc.stop();
    }
  }, 60_000);

  it('end to end: dsr scan imap://… , dsr plan, dsr erase --execute removes the subject’s messages only', async () => {
    const dc = await startDovecot({
      messages: [
        { raw: message('e1@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236') },
        { raw: message('e2@firma.dk', 'jens@firma.dk', 'Frokost?') },
        { raw: message('e3@firma.dk', 'anne@firma.dk', 'Ring til Søren på +45 21 43 65 87') },
      ],
    });
    try {
      const dir = tempTree();
      const subject = writeSubject(dir);
      const env = { ...process.env, DSR_IMAP_PASSWORD: dc.password };
      const scanPath = join(dir, 'scan.json');
      const scanned = runCli(
        [
          'scan',
          `imap://${dc.user}@${dc.host}:${dc.port}/INBOX`,
          '--subject',
          subject,
          '--out',
          scanPath,
          '--no-progress',
        ],
        { env },
      );
      expect(scanned.stderr).toBe('');
      expect(scanned.code).toBe(0);
      const planPath = join(dir, 'plan.json');
      expect(runCli(['plan', scanPath, '--out', planPath, '--approve', '--approved-by', 'DPO']).code).toBe(0);
      const plan = readJson<Plan>(planPath);
      expect(plan.actions.map((a) => a.kind)).toEqual(['expunge-imap-message', 'expunge-imap-message']);
      const r = runCli(['erase', planPath, '--execute'], { env });
      expect(r.code).toBe(0);
      const client = await dc.client();
      await client.mailboxOpen('INBOX');
      const left: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) left.push(m.envelope?.messageId ?? '');
      await client.logout();
      expect(left).toEqual(['<e2@firma.dk>']);
    } finally {
      await dc.stop();
    }
  }, 60_000);
});

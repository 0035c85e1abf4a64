/** dsr export of IMAP items against a real Dovecot: messages fetched by UID, read-only. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';

const MAIL = join(PROJECT, 'fixtures/mail');
const fixture = (rel: string) => readFileSync(join(MAIL, rel));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface ScanItem {
  id: string;
  path: string;
  itemPath: string[];
  fingerprint: { sha256?: string };
}

describe('dsr export of IMAP messages (real Dovecot)', () => {
  let dc: Dovecot;
  let dir: string;
  let scanPath: string;
  let items: ScanItem[];

  const env = (password?: string) => {
    const e: NodeJS.ProcessEnv = { ...process.env };
    delete e.DSR_IMAP_PASSWORD;
    if (password !== undefined) e.DSR_IMAP_PASSWORD = password;
    return e;
  };

  beforeAll(async () => {
    dc = await startDovecot({
      messages: [
        { raw: fixture('eml/latin1-qp.eml') },
        { raw: fixture('eml/unrelated.eml') },
        { raw: fixture('eml/attachments.eml'), mailbox: 'Sent' },
      ],
    });
    dir = tempTree();
    scanPath = join(dir, 'scan.json');
    const r = runCli(
      [
        'scan',
        `imap://${dc.user}@${dc.host}:${dc.port}/`,
        '--subject',
        writeSubject(dir),
        '--out',
        scanPath,
        '--no-progress',
      ],
      { env: env(dc.password) },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    items = (JSON.parse(readFileSync(scanPath, 'utf8')) as { items: ScanItem[] }).items;
  });

  afterAll(async () => {
    await dc?.stop();
  });

  it('--unredacted copies a message as .eml and an attachment as its own file, checked by sha256, changing nothing', async () => {
    const out = join(dir, 'export.zip');
    const r = runCli(['export', scanPath, '--out', out, '--include-possible', '--unredacted'], {
      env: env(dc.password),
    });
    expect(r.stderr).toContain('Warning: --unredacted: the copies are raw');
    expect(r.stderr).not.toContain('Not exported');
    expect(r.code).toBe(0);
    const files = unzipSync(readFileSync(out));
    const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8'));
    expect(manifest.notExported).toEqual([]);
    const report = JSON.parse(Buffer.from(files['report.json']).toString('utf8'));
    expect(manifest.items.map((i: { id: string }) => i.id).sort()).toEqual(
      report.items.map((i: { id: string }) => i.id).sort(),
    );
    for (const entry of manifest.items) {
      expect(sha(files[entry.file])).toBe(entry.sha256);
      expect(entry.sha256).toBe(items.find((i) => i.id === entry.id)?.fingerprint.sha256);
    }

    const inbox = items.find((i) => i.path.includes('/INBOX;') && i.itemPath.length === 0)!;
    const message = manifest.items.find((i: { id: string }) => i.id === inbox.id);
    expect(message.file).toMatch(/^items\/\d{3}-.+\.eml$/);
    // The copy is the message as the server holds it.
    const c = await dc.client();
    try {
      const lock = await c.getMailboxLock('INBOX', { readOnly: true });
      try {
        const m = await c.fetchOne('1', { source: true }, { uid: true });
        const source = m ? m.source : undefined;
        expect(source ? sha(source) : '').toBe(message.sha256);
        for await (const f of c.fetch('1:*', { uid: true, flags: true })) {
          expect([...(f.flags ?? [])].filter((x) => x !== '\\Recent')).toEqual([]);
        }
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }

    const note = items.find(
      (i) => i.path.includes('/Sent;') && i.itemPath.join() === 'attachment noter.txt',
    )!;
    const noteCopy = manifest.items.find((i: { id: string }) => i.id === note.id);
    expect(noteCopy.file).toMatch(/^items\/\d{3}-noter\.txt$/);
    expect(Buffer.from(files[noteCopy.file]).toString('utf8')).toMatch(/21 ?43 ?65 ?87/);
  });

  it("masks other people's addresses in a fetched message by default, the subject's kept", () => {
    const out = join(dir, 'masked.zip');
    const r = runCli(['export', scanPath, '--out', out], { env: env(dc.password) });
    expect(r.code).toBe(0);
    const files = unzipSync(readFileSync(out));
    const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8'));
    const inbox = items.find((i) => i.path.includes('/INBOX;') && i.itemPath.length === 0)!;
    const message = manifest.items.find((i: { id: string }) => i.id === inbox.id);
    expect(message.copy).toBe('masked');
    expect(message.masked.email).toBeGreaterThan(0);
    const eml = Buffer.from(files[message.file]).toString('utf8');
    expect(eml).toContain('soren.ostergard@example.dk');
    expect(eml).toMatch(/[a-z]\*\*\*@/);
  });

  it('lists IMAP items as not exported without a password and exits 3', () => {
    const out = join(dir, 'nopass.zip');
    const r = runCli(['export', scanPath, '--out', out], { env: env() });
    expect(r.stderr).toContain('Not exported');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('DSR_IMAP_PASSWORD');
    const manifest = JSON.parse(Buffer.from(unzipSync(readFileSync(out))['manifest.json']).toString('utf8'));
    expect(manifest.items).toEqual([]);
    expect(manifest.notExported.length).toBeGreaterThan(0);
    for (const n of manifest.notExported) expect(n.reason).toBe('imap');
  });
});

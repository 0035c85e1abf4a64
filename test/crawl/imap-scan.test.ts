import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';

const MAIL = join(PROJECT, 'fixtures/mail');
const fixture = (rel: string) => readFileSync(join(MAIL, rel));

interface ScanJson {
  roots: string[];
  findings: {
    path: string;
    itemPath: string[];
    detector: string;
    value: string;
    location: { field?: string };
  }[];
  items: {
    path: string;
    itemPath: string[];
    fingerprint: Record<string, unknown>;
    message?: { kind: string; itemPath: string[]; fingerprint: Record<string, unknown> };
  }[];
  errors: unknown[];
}

describe('dsr scan imap:// (real Dovecot)', () => {
  let dc: Dovecot;
  let dir: string;
  let subject: string;
  const uidValidity: Record<string, string> = {};

  beforeAll(async () => {
    dc = await startDovecot({
      messages: [
        { raw: fixture('eml/latin1-qp.eml') },
        { raw: fixture('eml/unrelated.eml') },
        { raw: fixture('eml/attachments.eml'), mailbox: 'Sent' },
        { raw: fixture('eml/html-base64.eml'), mailbox: 'Kunder Ø' },
      ],
    });
    const c = await dc.client();
    try {
      for (const box of ['INBOX', 'Sent', 'Kunder Ø']) {
        const st = await c.status(box, { uidValidity: true });
        if (!st) throw new Error(`STATUS of ${box} failed`);
        uidValidity[box] = String(st.uidValidity);
      }
    } finally {
      await c.logout();
    }
    dir = tempTree();
    subject = writeSubject(dir);
  });

  afterAll(async () => {
    await dc?.stop();
  });

  const env = (password?: string) => {
    const e: NodeJS.ProcessEnv = { ...process.env };
    delete e.DSR_IMAP_PASSWORD;
    if (password !== undefined) e.DSR_IMAP_PASSWORD = password;
    return e;
  };
  const base = () => `imap://${dc.user}@${dc.host}:${dc.port}`;

  it('scans every mailbox read-only, with RFC 5092 paths and UIDVALIDITY/UID fingerprints', async () => {
    const out = join(dir, 'all.json');
    const r = runCli(['scan', `${base()}/`, '--subject', subject, '--out', out, '--no-progress'], {
      env: env(dc.password),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanJson;
    expect(scan.roots).toEqual([`${base()}/`]);
    expect(scan.errors).toEqual([]);

    const inbox1 = `${base()}/INBOX;UIDVALIDITY=${uidValidity.INBOX}/;UID=1`;
    const sent1 = `${base()}/Sent;UIDVALIDITY=${uidValidity.Sent}/;UID=1`;
    const kunder1 = `${base()}/Kunder%20%C3%98;UIDVALIDITY=${uidValidity['Kunder Ø']}/;UID=1`;
    const got = scan.findings
      .map((f) => `${f.path} ${JSON.stringify(f.itemPath)} ${f.detector} ${f.value} ${f.location.field}`)
      .sort();
    expect(got).toEqual(
      [
        `${inbox1} [] cpr 150387-1236 body`,
        `${inbox1} [] email soren.ostergard@example.dk header:From`,
        `${inbox1} [] email soren.ostergard@example.dk header:Return-Path`,
        `${inbox1} [] name Søren Kjærgaard Østergård body`,
        `${inbox1} [] name Søren Kjærgaard Østergård header:From`,
        `${inbox1} [] name Søren Kjærgaard Østergård header:Subject`,
        `${inbox1} [] phone +4521436587 body`,
        `${sent1} ["attachment cpr-brev.pdf","page 1"] cpr 150387-1236 page 1`,
        `${sent1} ["attachment cpr-brev.pdf","page 1"] name Søren Kjærgaard Østergård page 1`,
        `${sent1} ["attachment noter.txt"] phone +4521436587 body`,
        `${sent1} ["message <inner-forward@example.dk>","attachment kontakt.txt"] email soren.ostergard@example.dk body`,
        `${sent1} ["message <inner-forward@example.dk>"] cpr 150387-1236 body`,
        `${sent1} ["message <inner-forward@example.dk>"] email soren.ostergard@example.dk header:From`,
        `${sent1} ["message <inner-forward@example.dk>"] name Søren Kjærgaard Østergård header:From`,
        `${kunder1} [] email soren.ostergard@example.dk header:To`,
        `${kunder1} [] email soren.ostergard@example.dk html attributes`,
        `${kunder1} [] name Søren Kjærgaard Østergård header:To`,
        `${kunder1} [] name Søren Østergård header:Cc`,
        `${kunder1} [] phone +4521436587 html`,
      ].sort(),
    );

    const top = scan.items.find((i) => i.path === inbox1 && i.itemPath.length === 0);
    expect(top?.fingerprint).toMatchObject({ uidValidity: uidValidity.INBOX, uid: 1 });
    expect(top?.message?.kind).toBe('imap');
    expect(top?.message?.itemPath).toEqual([]);
    expect(top?.message?.fingerprint).toMatchObject({
      uidValidity: uidValidity.INBOX,
      uid: 1,
      size: fixture('eml/latin1-qp.eml').length,
    });
    expect(String(top?.message?.fingerprint.modseq)).toMatch(/^\d+$/);
    // An attachment is erased with its message: it carries the message's IMAP identity.
    const att = scan.items.find((i) => i.path === sent1 && i.itemPath[0] === 'attachment noter.txt');
    expect(att?.message).toMatchObject({
      kind: 'imap',
      fingerprint: { uidValidity: uidValidity.Sent, uid: 1 },
    });

    const text = readFileSync(out, 'utf8') + r.stdout + r.stderr;
    expect(text).not.toContain(dc.password);

    // Read-only: nothing was marked \Seen (or changed at all).
    const c = await dc.client();
    try {
      for (const box of ['INBOX', 'Sent', 'Kunder Ø']) {
        const lock = await c.getMailboxLock(box, { readOnly: true });
        try {
          for await (const m of c.fetch('1:*', { uid: true, flags: true })) {
            // \Recent is session state, not a stored flag; EXAMINE leaves it alone.
            const flags = [...(m.flags ?? [])].filter((f) => f !== '\\Recent');
            expect({ box, uid: m.uid, flags }).toEqual({ box, uid: m.uid, flags: [] });
          }
        } finally {
          lock.release();
        }
      }
    } finally {
      await c.logout();
    }
  });

  it('scans only the mailbox named in the URL', () => {
    const out = join(dir, 'sent.json');
    const r = runCli(['scan', `${base()}/Sent`, '--subject', subject, '--out', out, '--no-progress'], {
      env: env(dc.password),
    });
    expect(r.code).toBe(0);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanJson;
    const paths = [...new Set(scan.findings.map((f) => f.path))];
    expect(paths).toEqual([`${base()}/Sent;UIDVALIDITY=${uidValidity.Sent}/;UID=1`]);
  });

  it('refuses a password in the URL without printing it (exit 2)', () => {
    const r = runCli(
      ['scan', `imap://${dc.user}:${dc.password}@${dc.host}:${dc.port}/`, '--subject', subject],
      {
        env: env(dc.password),
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password in the URL');
    expect(r.stderr).toContain(':***@');
    expect(r.stderr + r.stdout).not.toContain(dc.password);
  });

  it('asks for the password on a terminal without echoing it (tmux)', async () => {
    const socket = `dsr-imap-test-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const out = join(dir, 'tty.json');
    const cmd = `env -u DSR_IMAP_PASSWORD ${process.execPath} ${CLI} scan ${base()}/INBOX --subject ${subject} --out ${out} --no-progress; echo EXIT=$?; sleep 60`;
    const started = tmux('new-session', '-d', '-s', 'imap', '-x', '160', '-y', '40', cmd);
    expect(started.error, 'tmux is needed for this test (apt-get install -y tmux)').toBeUndefined();
    expect(started.status).toBe(0);
    const pane = () => tmux('capture-pane', '-p', '-t', 'imap').stdout;
    const waitFor = async (text: string) => {
      for (let i = 0; i < 300 && !pane().includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      return pane();
    };
    try {
      expect(await waitFor('Password for')).toContain(`Password for ${base()}:`);
      tmux('send-keys', '-t', 'imap', '-l', dc.password);
      tmux('send-keys', '-t', 'imap', 'Enter');
      const screen = await waitFor('EXIT=');
      expect(screen).toContain('EXIT=0');
      expect(screen).not.toContain(dc.password);
      expect(existsSync(out)).toBe(true);
      const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanJson;
      expect(new Set(scan.findings.map((f) => f.detector))).toEqual(
        new Set(['cpr', 'email', 'name', 'phone']),
      );
    } finally {
      tmux('kill-server');
    }
  });

  it('fails with a usage error on a wrong password, and without one when not on a terminal', () => {
    const wrong = runCli(['scan', `${base()}/`, '--subject', subject, '--out', join(dir, 'x.json')], {
      env: env('not-the-password'),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('login failed');
    expect(wrong.stderr).not.toContain('not-the-password');
    const none = runCli(['scan', `${base()}/`, '--subject', subject, '--out', join(dir, 'y.json')], {
      env: env(),
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('DSR_IMAP_PASSWORD');
  });
});

describe('dsr scan imaps:// (TLS, real Dovecot)', () => {
  let dc: Dovecot;
  let dir: string;

  beforeAll(async () => {
    dc = await startDovecot({ tls: true, messages: [{ raw: fixture('eml/latin1-qp.eml') }] });
    dir = tempTree();
  });

  afterAll(async () => {
    await dc?.stop();
  });

  it('scans over TLS when the certificate is trusted, and refuses an untrusted one', () => {
    const subject = writeSubject(dir);
    const url = `imaps://${dc.user}@127.0.0.1:${dc.tlsPort}/INBOX`;
    const out = join(dir, 'tls.json');
    const env = { ...process.env, DSR_IMAP_PASSWORD: dc.password };
    const ok = runCli(['scan', url, '--subject', subject, '--out', out, '--no-progress'], {
      env: { ...env, NODE_EXTRA_CA_CERTS: dc.caFile },
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanJson;
    expect([...new Set(scan.findings.map((f) => f.path))]).toEqual([
      expect.stringMatching(
        new RegExp(`^imaps://alice@127\\.0\\.0\\.1:${dc.tlsPort}/INBOX;UIDVALIDITY=\\d+/;UID=1$`),
      ),
    ]);
    const untrusted = runCli(['scan', url, '--subject', subject, '--out', join(dir, 'no.json')], { env });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toContain('cannot connect');
    expect(untrusted.stderr).not.toContain(dc.password);
  });
});

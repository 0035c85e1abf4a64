import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, tempTree, writeSubject } from '../helpers/cli.js';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';

/**
 * An IMAP server that dies, is stopped or hangs in the middle of a scan: the scan must never end as if
 * every message had been read. A mailbox of 4,000 small messages keeps the scan busy for seconds.
 */
const MESSAGES = 4000;

interface ScanJson {
  stats: { items: number; errors: number };
  items: { path: string }[];
  errors: { path: string; itemPath: string[]; kind: string; message: string }[];
}

/** A Dovecot with MESSAGES messages in INBOX, every tenth to the subject, written straight into its Maildir. */
async function bigMailbox(): Promise<Dovecot> {
  const dc = await startDovecot({ messages: [{ raw: message(0) }] });
  const cur = join(dc.mailDir, 'cur');
  mkdirSync(cur, { recursive: true });
  const owner = process.getuid?.() === 0 ? 65534 : undefined;
  for (let i = 1; i < MESSAGES; i++) {
    const file = join(cur, `1700000000.M${i}P1.test:2,S`);
    writeFileSync(file, message(i));
    if (owner !== undefined) chownSync(file, owner, owner);
  }
  return dc;
}

function message(i: number): string {
  const body =
    i % 10 === 0
      ? `Hej Søren Kjærgaard Østergård, dit CPR 150387-1236 er noteret (sag ${i}).`
      : `Mødereferat nr. ${i}: ingen personoplysninger her.`;
  return `From: kontor@example.dk\r\nTo: team@example.dk\r\nSubject: Besked ${i}\r\nMessage-ID: <m${i}@example.dk>\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\n${body}\r\n`;
}

interface Running {
  done: Promise<{ code: number; scan: ScanJson; stderr: string }>;
  child: ChildProcess;
}

function startScan(dc: Dovecot, extra: string[] = []): Running {
  const dir = tempTree();
  const out = join(dir, 'scan.json');
  const args = [CLI, 'scan', `imap://${dc.user}@${dc.host}:${dc.port}/INBOX`, '--subject', writeSubject(dir)];
  const child = spawn(process.execPath, [...args, '--out', out, '--no-progress', ...extra], {
    env: { ...process.env, DSR_IMAP_PASSWORD: dc.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number; scan: ScanJson; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code: code ?? -1, scan: JSON.parse(readFileSync(out, 'utf8')), stderr });
      } catch (err) {
        reject(new Error(`no scan file (exit ${code}): ${stderr} ${(err as Error).message}`));
      }
    });
  });
  return { done, child };
}

const logins = (dc: Dovecot) => dc.log().match(/Login: user=<alice>/g)?.length ?? 0;

/**
 * Resolves once the scan has logged in and fetched for a second: the mailbox is being read. (Dovecot
 * logs each session's login; `before` counts those of the set-up.)
 */
async function fetching(dc: Dovecot, before: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (logins(dc) > before) {
      await new Promise((r) => setTimeout(r, 1000));
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the scan never logged in: ${dc.log()}`);
}

const uidOf = (path: string) => Number(/;UID=(\d+)$/.exec(path)?.[1]);

describe('dsr scan imap:// when the server goes away mid-scan (real Dovecot)', () => {
  let dc: Dovecot | undefined;
  afterEach(async () => {
    await dc?.stop();
    dc = undefined;
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal} of the server: exit 3, an error naming the mailbox and how many messages were not read`, async () => {
      dc = await bigMailbox();
      const before = logins(dc);
      const scan = startScan(dc);
      await fetching(dc, before);
      await dc.kill(signal, { all: true });
      const { code, scan: s } = await scan.done;
      expect({ code, items: s.stats.items, errors: s.errors }).toMatchObject({ code: 3 });
      const lost = s.errors.filter((e) => e.path.endsWith('/INBOX'));
      expect(lost).toHaveLength(1);
      const m = /^connection lost: (\d+) of 4000 messages in INBOX not read \(/.exec(lost[0].message);
      expect(m, lost[0].message).not.toBeNull();
      expect(lost[0].kind).toBe('connection');
      // The count is exact: every message is either read (an item, with or without findings) or counted.
      expect(s.stats.items + Number(m![1])).toBe(MESSAGES);
      expect(Number(m![1])).toBeGreaterThan(0);
    }, 120_000);
  }

  it('a server back after being killed: dsr reconnects once and resumes after the last UID read', async () => {
    dc = await bigMailbox();
    const before = logins(dc);
    const scan = startScan(dc);
    await fetching(dc, before);
    await dc.kill('SIGKILL', { all: true });
    await dc.restart();
    const { code, scan: s } = await scan.done;
    // Every message read exactly once, and nothing lost: the record is complete, so the scan is done (0).
    expect(s.errors).toEqual([]);
    expect(code).toBe(0);
    expect(s.stats.items).toBe(MESSAGES);
    const uids = s.items.map((i) => uidOf(i.path));
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids).toHaveLength(MESSAGES / 10);
  }, 120_000);

  it('a hung server (SIGSTOP) is given up after --timeout seconds: exit 3 with the count not read', async () => {
    dc = await bigMailbox();
    const before = logins(dc);
    const scan = startScan(dc, ['--timeout', '3']);
    await fetching(dc, before);
    await dc.kill('SIGSTOP', { all: true });
    try {
      const { code, scan: s } = await scan.done;
      expect(code).toBe(3);
      const lost = s.errors.filter((e) => e.path.endsWith('/INBOX'));
      expect(lost.map((e) => e.kind)).toEqual(['timeout']);
      const m = /^server did not answer for 3 s: (\d+) of 4000 messages in INBOX not read/.exec(
        lost[0].message,
      );
      expect(m, lost[0].message).not.toBeNull();
      expect(s.stats.items + Number(m![1])).toBe(MESSAGES);
    } finally {
      await dc.kill('SIGCONT', { all: true });
    }
  }, 120_000);
});

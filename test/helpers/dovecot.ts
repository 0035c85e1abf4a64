/**
 * A real, unprivileged Dovecot IMAP server for tests: temp config and home, 127.0.0.1, a free port,
 * `{PLAIN}` passwords, no TLS. Messages are delivered with IMAP APPEND (imapflow), so Dovecot owns
 * every file it later reads. Used by the IMAP scan tests and the IMAP erasure tests; keep the API stable.
 *
 *   const dc = await startDovecot({ messages: [{ raw, mailbox: 'INBOX' }] });
 *   ... imap://${dc.user}@${dc.host}:${dc.port}/ with DSR_IMAP_PASSWORD=dc.password ...
 *   await dc.stop();
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotMessage {
  raw: string | Uint8Array;
  /** Mailbox to APPEND to (created when missing). @default 'INBOX' */
  mailbox?: string;
  /** Flags set at APPEND time, e.g. ['\\Seen']. @default none (the message is unseen) */
  flags?: string[];
  /** Which user receives it. @default the first user */
  user?: string;
}

export interface StartDovecotOptions {
  /** Users to create. @default one user `alice` with password `s3cret-Pass` */
  users?: DovecotUser[];
  /** Messages delivered before startDovecot resolves. */
  messages?: DovecotMessage[];
  /** Extra mailboxes to create for the first user (empty ones included). */
  mailboxes?: string[];
  /** Also listen for IMAP over TLS (imaps) with a fresh self-signed certificate for 127.0.0.1. */
  tls?: boolean;
}

export interface Dovecot {
  host: string;
  port: number;
  /** The first user, and its password. */
  user: string;
  password: string;
  users: DovecotUser[];
  /** The first user's Maildir (`<home>/Maildir`). */
  mailDir: string;
  /** The temp folder holding config, homes, logs. */
  baseDir: string;
  /** With `tls: true`: the imaps port, and the PEM file of the certificate to trust (NODE_EXTRA_CA_CERTS). */
  tlsPort?: number;
  caFile?: string;
  /** Deliver more messages (APPEND). Returns the UIDs assigned, in order. */
  deliver(messages: DovecotMessage[]): Promise<number[]>;
  /** A logged-in imapflow client for `user` (default the first); the caller logs out. */
  client(user?: string): Promise<ImapFlow>;
  /** The Dovecot log so far (for failure messages). */
  log(): string;
  /**
   * Sends a signal to the server: its master process alone, or with `all` every process of it (the
   * login and mail processes serving connections too: SIGSTOP of the master alone hangs nothing).
   * Resolves once a SIGKILL or SIGTERM has ended the master.
   */
  kill(signal: NodeJS.Signals, opts?: { all?: boolean }): Promise<void>;
  /** Starts the server again after a kill, on the same port, config and mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_USERS: DovecotUser[] = [{ user: 'alice', password: 's3cret-Pass' }];

function findDovecot(): string {
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status === 0 && found) return found;
  throw new Error(
    'dovecot is not installed: the IMAP tests need a real Dovecot. Install it with `apt-get install -y dovecot-imapd` (.ci/run does this).',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the server sends its IMAP greeting. */
async function waitForGreeting(
  port: number,
  deadline: number,
  exited: () => string | undefined,
): Promise<void> {
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(1000, () => done(false));
      sock.on('error', () => done(false));
      sock.on('data', (d) => done(d.toString().startsWith('* OK')));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('dovecot did not answer within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDovecot(opts: StartDovecotOptions = {}): Promise<Dovecot> {
  const bin = findDovecot();
  const users = opts.users?.length ? opts.users : DEFAULT_USERS;
  const dir = mkdtempSync(join(tmpdir(), 'dsr-dovecot-'));
  // As root, run as nobody (Dovecot refuses mail as uid 0); otherwise as ourselves.
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? 65534 : (process.getuid?.() ?? 0);
  const gid = asRoot ? 65534 : (process.getgid?.() ?? 0);
  const who = asRoot ? 'nobody' : userInfo().username;
  const group = asRoot
    ? 'nogroup'
    : spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim() || String(gid);
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'passwd'), users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''));
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : 0;
  if (opts.tls) {
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl could not make a test certificate: ${r.stderr || r.error}`);
  }
  const sslConf = opts.tls
    ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem\n`
    : 'ssl = no\n';
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
${sslConf}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${who}
default_internal_group = ${group}
default_login_user = ${who}
first_valid_uid = ${uid}
first_valid_gid = ${gid}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
  }
}
service anvil {
  chroot =
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  if (asRoot) {
    chmodSync(dir, 0o755);
    for (const p of [
      '',
      'run',
      'state',
      'home',
      'passwd',
      'dovecot.conf',
      ...(opts.tls ? ['key.pem', 'cert.pem'] : []),
    ])
      chownSync(join(dir, p), uid, gid);
  }
  const args = ['-F', '-c', join(dir, 'dovecot.conf')];
  let child!: ChildProcess;
  let output = '';
  let exitInfo: string | undefined;
  let exited!: Promise<void>;
  const launch = () => {
    output = '';
    exitInfo = undefined;
    child = asRoot
      ? spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', bin, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const proc = child;
    exited = new Promise<void>((resolve) => {
      proc.on('exit', (code, sig) => {
        exitInfo = `dovecot exited (${code ?? sig}) before serving: ${output.trim()} ${readLog(dir)}`;
        resolve();
      });
    });
  };
  launch();
  const log = () => readLog(dir);
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (running()) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  /** The master and every process below it (from /proc: no `ps` needed). */
  const processTree = (): number[] => {
    const parents = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // `pid (comm) state ppid …`: the name may hold spaces and parentheses, so read after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
      } catch {
        // Gone meanwhile.
      }
    }
    const pids = [child.pid!];
    for (let i = 0; i < pids.length; i++) pids.push(...(parents.get(pids[i]) ?? []));
    return pids;
  };

  const kill = async (signal: NodeJS.Signals, o: { all?: boolean } = {}) => {
    for (const pid of o.all ? processTree() : [child.pid!]) {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone meanwhile.
      }
    }
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
  };

  const restart = async () => {
    if (running()) throw new Error('dovecot is still running');
    // A master killed with SIGKILL leaves its pid file; the new one would refuse to start.
    rmSync(join(dir, 'run', 'master.pid'), { force: true });
    launch();
    await waitForGreeting(port, Date.now() + 15_000, () => exitInfo);
  };

  try {
    await waitForGreeting(port, Date.now() + 15_000, () => exitInfo);
  } catch (err) {
    await stop();
    throw new Error(`could not start dovecot: ${(err as Error).message}`);
  }

  const client = async (user = users[0].user): Promise<ImapFlow> => {
    const u = users.find((x) => x.user === user);
    if (!u) throw new Error(`no such dovecot test user: ${user}`);
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      // The helper's own sessions stay on the plain port, also when the server offers STARTTLS.
      doSTARTTLS: false,
      auth: { user: u.user, pass: u.password },
      logger: false,
    });
    await c.connect();
    return c;
  };

  const deliver = async (messages: DovecotMessage[]): Promise<number[]> => {
    const uids: number[] = [];
    const byUser = new Map<string, DovecotMessage[]>();
    for (const m of messages) {
      const u = m.user ?? users[0].user;
      byUser.set(u, [...(byUser.get(u) ?? []), m]);
    }
    for (const [user, list] of byUser) {
      const c = await client(user);
      try {
        const existing = new Set((await c.list()).map((b) => b.path));
        for (const m of list) {
          const box = m.mailbox ?? 'INBOX';
          if (!existing.has(box)) {
            await c.mailboxCreate(box);
            existing.add(box);
          }
          const res = await c.append(box, Buffer.from(m.raw), m.flags ?? []);
          if (res === false || !res.uid) throw new Error(`APPEND to ${box} returned no UID`);
          uids.push(res.uid);
        }
      } finally {
        await c.logout();
      }
    }
    return uids;
  };

  try {
    if (opts.mailboxes?.length) {
      const c = await client();
      try {
        for (const box of opts.mailboxes) await c.mailboxCreate(box);
      } finally {
        await c.logout();
      }
    }
    if (opts.messages?.length) await deliver(opts.messages);
  } catch (err) {
    const l = log();
    await stop();
    throw new Error(`dovecot setup failed: ${(err as Error).message}\n${l}`);
  }

  return {
    host: '127.0.0.1',
    port,
    user: users[0].user,
    password: users[0].password,
    users,
    mailDir: join(dir, 'home', users[0].user, 'Maildir'),
    baseDir: dir,
    ...(opts.tls ? { tlsPort, caFile: join(dir, 'cert.pem') } : {}),
    deliver,
    client,
    log,
    kill,
    restart,
    stop,
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * A private PostgreSQL 15 cluster for tests: `initdb` into a temp folder, `pg_ctl start` on 127.0.0.1
 * and a free port, `fsync=off`, trust authentication for the superuser `dsr`, stopped by `stop()`.
 * `initdb` refuses root, so as root the server runs as the `postgres` user (Debian's package makes it).
 *
 *   const pg = await startPostgres();
 *   ... dsr agent --db ${pg.url} ...
 *   await pg.stop();
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.DSR_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Postgres {
  host: string;
  port: number;
  /** The superuser's URL of the test database `dsr`. */
  url: string;
  /** The cluster's folder (data, socket, log). */
  dir: string;
  /** A plain-text dump of the whole database (`pg_dump`). */
  dump(): string;
  /** Runs SQL as the superuser through psql; returns its standard output. */
  sql(text: string): string;
  /** The server log so far (for failure messages). */
  log(): string;
  /** With `tls`: the CA certificate (PEM) that signed the server's, for `sslrootcert`. */
  caFile?: string;
  stop(): Promise<void>;
}

/** Whether PostgreSQL's server programs are installed (`.ci/run` installs Debian's `postgresql`). */
export function hasPostgres(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));
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

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export interface StartPostgresOptions {
  /** Extra `postgresql.conf` lines. */
  conf?: string[];
  /** Also accept TLS, with a fresh CA and a server certificate for 127.0.0.1 (see `caFile`). */
  tls?: boolean;
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const owner = postgresUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = (cmd: string, args: string[], input?: string) => {
    const r = owner
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', input, cwd: dir })
      : spawnSync(cmd, args, { encoding: 'utf8', input, cwd: dir });
    return r;
  };
  const init = as(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'dsr',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const conf = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 200',
    ...(opts.conf ?? []),
  ];
  const caFile = opts.tls ? makeCertificates(dir, data, owner) : undefined;
  if (opts.tls) conf.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
  writeFileSync(join(data, 'postgresql.auto.conf'), `${conf.join('\n')}\n`);
  if (owner) chownSync(join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);
  const start = as(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', 'start']);
  if (start.status !== 0)
    throw new Error(
      `pg_ctl start failed: ${start.stderr}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`,
    );
  const psql = (db: string, text: string) =>
    spawnSync(
      join(PG_BIN, 'psql'),
      ['-h', dir, '-p', String(port), '-U', 'dsr', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt'],
      {
        encoding: 'utf8',
        input: text,
      },
    );
  const created = psql('postgres', 'CREATE DATABASE dsr;');
  if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    url: `postgres://dsr@127.0.0.1:${port}/dsr`,
    dir,
    caFile,
    dump() {
      const r = spawnSync(join(PG_BIN, 'pg_dump'), ['-h', dir, '-p', String(port), '-U', 'dsr', 'dsr'], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
      return r.stdout;
    },
    sql(text: string) {
      const r = psql('dsr', text);
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      as(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a server certificate for 127.0.0.1 signed by it (openssl), the key readable by the server only. */
function makeCertificates(
  dir: string,
  data: string,
  owner: { uid: number; gid: number } | undefined,
): string {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  const ca = join(dir, 'ca.pem');
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=dsr test CA',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    ca,
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    join(data, 'server.key'),
    '-out',
    join(dir, 'server.csr'),
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'x509',
    '-req',
    '-in',
    join(dir, 'server.csr'),
    '-CA',
    ca,
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    join(dir, 'san.ext'),
    '-out',
    join(data, 'server.crt'),
  ]);
  for (const f of ['server.key', 'server.crt']) {
    chmodSync(join(data, f), 0o600);
    if (owner) chownSync(join(data, f), owner.uid, owner.gid);
  }
  return ca;
}

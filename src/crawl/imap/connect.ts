import { ImapFlow } from 'imapflow';
import { type ImapServer, serverUrl } from './url.js';

/**
 * The one way dsr opens an IMAP session, for the scan, the export and the erasure alike.
 *
 * TLS: `imaps://` is TLS from the first byte; `imap://` is upgraded with STARTTLS when the server
 * offers it, and stays plain text otherwise (for a server on a trusted network, or this machine). The
 * server's certificate is always checked against Node's CA store (`NODE_EXTRA_CA_CERTS` adds a
 * private CA); an untrusted certificate fails the connection.
 *
 * Time limits: a server that stays silent longer than `timeoutMs` (while connecting, before its
 * greeting, or during any command) is given up, so that a hung server or a dead link cannot stop a
 * run. What a caller does then (reconnect, an error entry, a refused action) is its own decision.
 */

export interface ImapConnectOptions {
  /** How long the server may stay silent before the connection is given up. @default 60 s */
  timeoutMs?: number;
}

/** One logged-in session and the last error its connection reported. */
export interface ImapSession {
  client: ImapFlow;
  /** The last 'error' event of the connection (imapflow reports a lost socket there). */
  lastError(): Error | undefined;
  /** Logs out, or closes the socket when the server does not answer; never throws. */
  close(): Promise<void>;
}

export const DEFAULT_IMAP_TIMEOUT_MS = 60_000;

/** Connects and logs in; throws what imapflow threw (see describeConnectError). */
export async function connectImap(
  server: ImapServer,
  password: string,
  opts: ImapConnectOptions = {},
): Promise<ImapSession> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_IMAP_TIMEOUT_MS;
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: server.secure,
    // doSTARTTLS left unset: STARTTLS on imap:// whenever the server offers it (the rule above).
    auth: { user: server.user, pass: password },
    logger: false,
    disableAutoIdle: true,
    clientInfo: { name: 'dsr' },
    socketTimeout: timeoutMs,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
  });
  // A dropped connection must become an error the caller sees, not an unhandled 'error' event.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw err;
  }
  return {
    client,
    lastError: () => lastError,
    close: async () => {
      await client.logout().catch(() => client.close());
    },
  };
}

/** Why a connection failed, for a message: a failed login, or the connection's own error. */
export function describeConnectError(
  server: ImapServer,
  err: unknown,
): { authenticationFailed: boolean; message: string } {
  const e = err as { authenticationFailed?: boolean; message?: string } | undefined;
  const authenticationFailed = Boolean(e?.authenticationFailed);
  return {
    authenticationFailed,
    message: `${serverUrl(server)}: ${authenticationFailed ? 'login failed (wrong user or password)' : `cannot connect: ${e?.message ?? err}`}`,
  };
}

import { ImapFlow } from 'imapflow';
import { parseImapUrl } from '../crawl/imap-source.js';

export interface ImapMessageRef {
  /** `imap://user@host:port` — one session per server. */
  server: string;
  target: ReturnType<typeof parseImapUrl>;
  mailbox: string;
  uidValidity: string;
  uid: number;
}

/** `imap://user@host:port/INBOX;UIDVALIDITY=7/;UID=42` -> its parts; undefined for anything else. */
export function parseMessageUrl(url: string): ImapMessageRef | undefined {
  const m = /^(imaps?:\/\/[^/]+)\/([^;]*);UIDVALIDITY=(\d+)\/;UID=(\d+)$/i.exec(url);
  if (!m) return undefined;
  try {
    const target = parseImapUrl(`${m[1]}/${m[2]}`);
    if (!target.mailbox) return undefined;
    return { server: m[1], target, mailbox: target.mailbox, uidValidity: m[3], uid: Number(m[4]) };
  } catch {
    return undefined;
  }
}

export class ImapMessageError extends Error {
  override name = 'ImapMessageError';
  constructor(
    readonly reason: 'changed' | 'missing' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fetches messages by UID for the export, one session per server, every mailbox opened read-only
 * (EXAMINE), so that exporting changes nothing on the server, not even the \Seen flag.
 */
export class ImapFetcher {
  private readonly clients = new Map<string, Promise<ImapFlow>>();

  constructor(private readonly password: string) {}

  async fetch(ref: ImapMessageRef): Promise<Buffer> {
    const client = await this.client(ref);
    const lock = await client.getMailboxLock(ref.mailbox, { readOnly: true }).catch((err: Error) => {
      throw new ImapMessageError('missing', `cannot open mailbox ${ref.mailbox} read-only: ${err.message}`);
    });
    try {
      const box = client.mailbox;
      if (!box || String(box.uidValidity) !== ref.uidValidity) {
        throw new ImapMessageError(
          'changed',
          `mailbox ${ref.mailbox} has UIDVALIDITY ${box ? String(box.uidValidity) : '?'}, the scan saw ${ref.uidValidity}`,
        );
      }
      const msg = await client.fetchOne(String(ref.uid), { uid: true, source: true }, { uid: true });
      const source = msg ? msg.source : undefined;
      if (!source) throw new ImapMessageError('missing', `message UID ${ref.uid} is gone`);
      return Buffer.from(source);
    } finally {
      lock.release();
    }
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) {
      const client = await c.catch(() => undefined);
      await client?.logout().catch(() => client.close());
    }
    this.clients.clear();
  }

  private client(ref: ImapMessageRef): Promise<ImapFlow> {
    let c = this.clients.get(ref.server);
    if (!c) {
      const t = ref.target;
      const client = new ImapFlow({
        host: t.host,
        port: t.port,
        secure: t.secure,
        auth: { user: t.user, pass: this.password },
        logger: false,
        disableAutoIdle: true,
      });
      client.on('error', () => {});
      c = client.connect().then(
        () => client,
        (err: { authenticationFailed?: boolean; message?: string }) => {
          throw new ImapMessageError(
            'unreadable',
            err.authenticationFailed
              ? 'IMAP login failed (check DSR_IMAP_PASSWORD)'
              : `cannot connect: ${err.message}`,
          );
        },
      );
      this.clients.set(ref.server, c);
    }
    return c;
  }
}

import { connectImap, describeConnectError, type ImapSession } from '../crawl/imap/connect.js';
import { type ImapPasswordSource, NO_PASSWORD_HINT } from '../crawl/imap/password.js';
import { type ImapMessageRef, serverUrl } from '../crawl/imap/url.js';

export class ImapMessageError extends Error {
  override name = 'ImapMessageError';
  constructor(
    readonly reason: 'changed' | 'missing' | 'unreadable' | 'imap',
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
  private readonly sessions = new Map<string, Promise<ImapSession>>();

  constructor(
    private readonly password: ImapPasswordSource,
    private readonly timeoutMs?: number,
  ) {}

  async fetch(ref: ImapMessageRef): Promise<Buffer> {
    const { client } = await this.session(ref);
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
    for (const s of this.sessions.values()) await (await s.catch(() => undefined))?.close();
    this.sessions.clear();
  }

  private session(ref: ImapMessageRef): Promise<ImapSession> {
    const server = serverUrl(ref);
    let s = this.sessions.get(server);
    if (!s) {
      s = this.open(ref);
      this.sessions.set(server, s);
    }
    return s;
  }

  private async open(ref: ImapMessageRef): Promise<ImapSession> {
    const password = await this.password(ref);
    if (password === undefined)
      throw new ImapMessageError('imap', `IMAP message not fetched: ${NO_PASSWORD_HINT}`);
    try {
      return await connectImap(ref, password, { timeoutMs: this.timeoutMs });
    } catch (err) {
      const e = describeConnectError(ref, err);
      throw new ImapMessageError(
        'unreadable',
        e.authenticationFailed ? `${e.message} (check DSR_IMAP_PASSWORD)` : e.message,
      );
    }
  }
}

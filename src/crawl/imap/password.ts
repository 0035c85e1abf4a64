import { type ImapServer, serverUrl } from './url.js';

/**
 * The one password rule for IMAP, the same for the scan, the export and the erasure:
 *
 * 1. `DSR_IMAP_PASSWORD`, when it is set and not empty;
 * 2. otherwise, when standard input and standard error are a terminal, a prompt that does not echo,
 *    asked once per server in a run;
 * 3. otherwise none: the caller says what to do (a scan stops with exit 2 before it starts, an export
 *    lists the server's messages as not exported, an erasure refuses its IMAP actions).
 *
 * Never from the URL (refused: see url.ts). The password is never printed, logged or written to a file.
 */
export type ImapPasswordSource = (server: ImapServer) => Promise<string | undefined>;

/** What to tell a user who gave no password. */
export const NO_PASSWORD_HINT = 'set DSR_IMAP_PASSWORD, or run dsr on a terminal to be asked for it';

/** The rule above, over the given environment (the CLI's). */
export function imapPasswordSource(env: NodeJS.ProcessEnv): ImapPasswordSource {
  const given = env.DSR_IMAP_PASSWORD;
  const asked = new Map<string, Promise<string>>();
  return async (server) => {
    if (given) return given;
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    const url = serverUrl(server);
    let answer = asked.get(url);
    if (!answer) {
      answer = readSecret(`Password for ${url}: `);
      asked.set(url, answer);
    }
    return answer;
  };
}

/** Reads a secret from the terminal without echoing it. Ctrl-C aborts; the secret is never printed. */
export function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    const wasRaw = stdin.isRaw;
    stdin.setRawMode?.(true);
    stdin.resume();
    let secret = '';
    const done = (err?: Error) => {
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(secret);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('password prompt cancelled'));
        if (ch === '\u007f' || ch === '\b') secret = [...secret].slice(0, -1).join('');
        else if (ch >= ' ') secret += ch;
      }
    };
    stdin.on('data', onData);
  });
}

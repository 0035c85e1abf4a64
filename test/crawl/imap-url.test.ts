import { describe, expect, it } from 'vitest';
import {
  isImapUrl,
  mailboxUrl,
  maskUrl,
  messageUrl,
  parseImapUrl,
  parseMessageUrl,
  sameServer,
  serverUrl,
} from '../../src/crawl/imap/url.js';

describe('parseImapUrl: the one IMAP URL parser (RFC 5092 style)', () => {
  it.each([
    ['imap://soren@mail.example.dk', { secure: false, user: 'soren', host: 'mail.example.dk', port: 143 }],
    ['imaps://soren@mail.example.dk/', { secure: true, user: 'soren', host: 'mail.example.dk', port: 993 }],
    ['IMAP://soren@Mail.Example.DK:1143/INBOX', { port: 1143, host: 'mail.example.dk', mailbox: 'INBOX' }],
    ['imap://s%C3%B8ren%40firma.dk@host/INBOX/', { user: 'søren@firma.dk', mailbox: 'INBOX' }],
    ['imap://u@host/Archive%2F2024', { mailbox: 'Archive/2024' }],
    ['imap://u@host/Arkiv/S%C3%B8ren%20%C3%86%C3%B8', { mailbox: 'Arkiv/Søren Æø' }],
    ['imap://u@host/a%3Bb', { mailbox: 'a;b' }],
    ['imap://u@[::1]:10143/INBOX', { host: '::1', port: 10143 }],
    ['imap://u@host/INBOX;UIDVALIDITY=7', { mailbox: 'INBOX', uidValidity: '7' }],
    ['imap://u@host:143/INBOX;UIDVALIDITY=7/;UID=42', { mailbox: 'INBOX', uidValidity: '7', uid: 42 }],
    ['imap://u@host:143/INBOX;uidvalidity=007/;uid=42', { uidValidity: '7', uid: 42 }],
    [
      'imap://u@host:143/INBOX;UIDVALIDITY=3857529045/;UID=4294967295',
      { uidValidity: '3857529045', uid: 4294967295 },
    ],
  ])('%s', (url, expected) => {
    expect(parseImapUrl(url)).toMatchObject(expected);
  });

  it.each([
    ['imap://user:secret@host/INBOX', /a password in the URL is refused/],
    ['imap://host/INBOX', /no user name/],
    ['imap://u@/INBOX', /no host|not a valid/],
    ['http://u@host/INBOX', /not an IMAP URL/],
    ['imap://u@host/%E0%A4%A', /not valid percent-encoded UTF-8/],
    ['imap://u@host/INBOX;UID=42', /only ;UIDVALIDITY=v\/;UID=n may follow/],
    ['imap://u@host/INBOX;UIDVALIDITY=x/;UID=1', /only ;UIDVALIDITY/],
    ['imap://u@host/INBOX;UIDVALIDITY=7/;UID=1;SECTION=1', /only ;UIDVALIDITY/],
    ['imap://u@host/;UIDVALIDITY=7/;UID=1', /only ;UIDVALIDITY/],
    ['imap://u@host/INBOX?x=1', /no \?query/],
  ])('refuses %s', (url, message) => {
    expect(() => parseImapUrl(url)).toThrow(message);
  });

  it('never shows the password of a refused URL', () => {
    let message = '';
    try {
      parseImapUrl('imap://user:hunter2@host/INBOX');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('user:***@host');
    expect(message).not.toContain('hunter2');
    expect(maskUrl('imaps://a:b@c/')).toBe('imaps://a:***@c/');
  });
});

describe('parseMessageUrl: one message, or undefined', () => {
  it('reads what messageUrl writes, for every mailbox name and user', () => {
    const server = { secure: true, user: 'søren@firma.dk', host: 'mail.example.dk', port: 993 };
    for (const mailbox of ['INBOX', 'Archive/2024', 'Sendt post', 'a;b', 'Æ/ø/å', '50%']) {
      const url = messageUrl(server, mailbox, '1700000000', 9);
      expect(isImapUrl(url)).toBe(true);
      expect(parseMessageUrl(url)).toEqual({ ...server, mailbox, uidValidity: '1700000000', uid: 9 });
    }
  });

  it.each([
    'imap://u@host/INBOX',
    'imap://u@host/INBOX;UIDVALIDITY=7',
    'imap://u:p@host/INBOX;UIDVALIDITY=7/;UID=1',
    '/home/soren/mail.mbox',
    'imap://u@host/%ZZ;UIDVALIDITY=7/;UID=1',
  ])('%s names no single message', (url) => {
    expect(parseMessageUrl(url)).toBeUndefined();
  });
});

describe('the URLs dsr writes', () => {
  const server = { secure: false, user: 'anne', host: '127.0.0.1', port: 10143 };

  it('always carry the port, and bracket an IPv6 host', () => {
    expect(serverUrl(server)).toBe('imap://anne@127.0.0.1:10143');
    expect(serverUrl({ ...server, host: '::1' })).toBe('imap://anne@[::1]:10143');
    expect(mailboxUrl(server, undefined)).toBe('imap://anne@127.0.0.1:10143/');
    expect(mailboxUrl(server, 'Sendt post')).toBe('imap://anne@127.0.0.1:10143/Sendt%20post');
    expect(messageUrl(server, 'INBOX', '7', 42)).toBe(
      'imap://anne@127.0.0.1:10143/INBOX;UIDVALIDITY=7/;UID=42',
    );
  });

  it('name the same server whichever form a root takes', () => {
    const root = parseImapUrl('imap://anne@127.0.0.1:10143/');
    const message = parseImapUrl('imap://anne@127.0.0.1:10143/INBOX;UIDVALIDITY=7/;UID=42');
    expect(sameServer(root, message)).toBe(true);
    expect(sameServer(root, { ...message, port: 143 })).toBe(false);
    expect(sameServer(root, { ...message, secure: true })).toBe(false);
    expect(sameServer(root, { ...message, user: 'bo' })).toBe(false);
  });
});

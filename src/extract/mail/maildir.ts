import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Extractor } from '../api.js';
import { extractMessage, markMessageFile } from './message.js';
import { looksLikeMessage } from './mime.js';

const MAILDIR_SUBDIRS = ['cur', 'new', 'tmp'];

/**
 * A Maildir message file: it sits in `cur/`, `new/` or `tmp/`, its folder has at least one sibling of
 * those three (the Maildir layout, also for sub-folders such as `.Sent/cur`), and it begins with mail
 * headers. Each file is one message; erasure removes the file.
 */
export function isMaildirFile(absPath: string): boolean {
  const folder = dirname(absPath);
  const own = basename(folder);
  if (!MAILDIR_SUBDIRS.includes(own)) return false;
  const maildir = dirname(folder);
  return MAILDIR_SUBDIRS.some((d) => {
    if (d === own) return false;
    const p = join(maildir, d);
    try {
      return existsSync(p) && statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
}

const maildir: Extractor = {
  id: 'maildir',
  description: 'Maildir message file (cur/new/tmp, sub-folders such as .Sent): one RFC 822 message per file',
  extensions: [],
  sniff(head, input) {
    return (
      input.depth === 0 &&
      input.source.kind === 'file' &&
      isMaildirFile(input.source.absPath) &&
      looksLikeMessage(head)
    );
  },
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    await markMessageFile(input, raw, 'maildir');
    await extractMessage(raw, input, ctx);
  },
};

export default maildir;

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runTempDir } from '../../src/core/run-temp.js';
import type { Finding, ItemRecord } from '../../src/core/types.js';
import { type ItemText, readItemText } from '../../src/engine/item-text.js';
import { labels } from './labels.js';

export type OpenHow = 'pager' | 'editor';

/** What to open for an item: a file (at a line), or why it cannot be opened. */
export type OpenTarget = { file: string; line?: number; temp?: boolean } | { refused: string };

/**
 * The file that shows an item: the file itself, or for an mbox message its bytes (offset and length
 * from the scan) copied to a private temp file (mode 0600, in the run's folder that is removed at exit).
 * Members, attachments and IMAP messages are not opened: their container is named instead.
 */
export function openTarget(record: ItemRecord, findings: Finding[]): OpenTarget {
  if (/^imaps?:\/\//i.test(record.path)) return { refused: labels().msg.imapRefused };
  const line = firstBodyLine(findings);
  if (!record.itemPath.length) return { file: record.path, line };
  const fp = record.fingerprint;
  const message = record.itemPath.length === 1 && /^message /.test(record.itemPath[0]);
  if (message && fp.offset !== undefined && fp.length !== undefined) {
    let bytes = Buffer.alloc(fp.length);
    const fd = openSync(record.path, 'r');
    try {
      // The mbox may have shrunk since the scan: only what is there.
      bytes = bytes.subarray(0, readSync(fd, bytes, 0, fp.length, fp.offset));
    } finally {
      closeSync(fd);
    }
    const file = join(runTempDir(), `${basename(record.path)}-${fp.offset}.eml`);
    writeFileSync(file, bytes, { mode: 0o600 });
    return { file, line: undefined, temp: true };
  }
  return { refused: labels().msg.inside(labels().step(record.itemPath.at(-1) ?? ''), basename(record.path)) };
}

/** The line of the first finding in the item's own text (not a header, path or metadata field). */
function firstBodyLine(findings: Finding[]): number | undefined {
  const lines = findings
    .filter((f) => f.subject && (!f.location.field || /^(body|page \d+)$/.test(f.location.field)))
    .map((f) => f.location.line)
    .filter((l): l is number => typeof l === 'number' && l > 0);
  return lines.length ? Math.min(...lines) : undefined;
}

/**
 * The command line for `$PAGER` (default `less`) or `$EDITOR` (`$VISUAL`, default `vi`): at the line where
 * the program takes `+N`, read-only where it has a flag for that (vi, vim, nvim `-R`; nano `-v`; less is).
 */
export function openCommand(
  how: OpenHow,
  target: { file: string; line?: number },
  env = process.env,
): string[] {
  const raw = how === 'pager' ? env.PAGER || 'less' : env.VISUAL || env.EDITOR || 'vi';
  const [cmd, ...args] = raw.split(/\s+/).filter(Boolean);
  const name = basename(cmd);
  const at =
    target.line && /^(less|more|most|vi|vim|nvim|view|nano|emacs|micro|kak)$/.test(name)
      ? [`+${target.line}`]
      : [];
  const readOnly =
    how === 'editor'
      ? (({ vi: ['-R'], vim: ['-R'], nvim: ['-R'], nano: ['-v'] } as Record<string, string[]>)[name] ?? [])
      : [];
  return [cmd, ...args, ...readOnly, ...at, target.file];
}

/**
 * Opens the item in the pager or editor on the terminal, waiting for it to end: the review screen's
 * keys and drawing pause meanwhile (spawnSync), and the caller redraws after. Returns a status line.
 */
export function openItem(record: ItemRecord, findings: Finding[], how: OpenHow): string {
  const target = openTarget(record, findings);
  if ('refused' in target) return target.refused;
  const [cmd, ...args] = openCommand(how, target);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error)
    return labels().msg.cannotStart(
      cmd,
      (r.error as NodeJS.ErrnoException).code ?? r.error.message,
      how === 'pager' ? 'PAGER' : 'EDITOR',
    );
  return labels().msg.ended(cmd, r.status);
}

/** Characters of an item's text read again for the detail pane: enough for any context shown. */
const TEXT_AGAIN_MAX_CHARS = 2_000_000;

/**
 * An item's text read again for the detail pane (see readItemText): a file, a message in an mbox, an
 * Office document, a PDF's pages, a spreadsheet's cells, a member or an attachment. Undefined for what
 * is not on this machine (IMAP, another agent's host), a file whose size changed since the scan, and
 * text read by OCR (which would run again): the scan's own context is shown then.
 */
export async function readTextAgain(
  record: ItemRecord,
  findings: readonly Finding[],
  signal: AbortSignal,
): Promise<ItemText | undefined> {
  if (record.host || /^imaps?:/i.test(record.path)) return undefined;
  if (findings.length && findings.every((f) => f.location.field === 'ocr')) return undefined;
  try {
    const size = (await stat(record.path)).size;
    if (!record.itemPath.length && record.fingerprint.size !== undefined && size !== record.fingerprint.size)
      return undefined;
    return await readItemText(record.path, record.itemPath, { maxChars: TEXT_AGAIN_MAX_CHARS, signal });
  } catch {
    return undefined;
  }
}

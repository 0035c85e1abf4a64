import iconv from 'iconv-lite';
import { extensionOf } from '../read.js';

/** vCard and iCalendar files: their text is unfolded (and vCard values decoded) before it is searched. */
export const CARD_EXTENSIONS = ['.vcf', '.vcard', '.ics', '.ifb', '.vcs'];

/** Whether an item is a vCard or iCalendar file, by name or by its first line. */
export function isCard(name: string, head: Uint8Array): boolean {
  if (CARD_EXTENSIONS.some((e) => extensionOf(name).endsWith(e))) return true;
  const start = Buffer.from(head.subarray(0, 64))
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  return /^BEGIN:(VCARD|VCALENDAR)\b/i.test(start);
}

/** A logical line longer than this is handed on as it is, unfolded no further (a hostile file). */
const MAX_LINE = 1 << 20;

/**
 * The text of a vCard or iCalendar file, given piece by piece, as logical lines (RFC 6350 3.2,
 * RFC 5545 3.1): a line break followed by a space or tab is removed with that character. vCard 2.1
 * values marked `ENCODING=QUOTED-PRINTABLE` (or a bare `QUOTED-PRINTABLE`) are joined over their soft
 * line breaks (`=` at the end of a line) and decoded in their `CHARSET` (default UTF-8, else
 * Windows-1252 when the bytes are not UTF-8).
 */
export async function* unfoldCards(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  /** The logical line being built: it ends when a line that is not a continuation begins. */
  let logical: string | undefined;
  const out: string[] = [];
  const take = (line: string) => {
    if (
      logical !== undefined &&
      (line.startsWith(' ') || line.startsWith('\t')) &&
      logical.length < MAX_LINE
    ) {
      logical += line.slice(1);
      return;
    }
    if (
      logical !== undefined &&
      isQuotedPrintable(logical) &&
      logical.endsWith('=') &&
      logical.length < MAX_LINE
    ) {
      logical = logical.slice(0, -1) + line;
      return;
    }
    if (logical !== undefined) out.push(decodeLine(logical));
    logical = line;
  };
  for await (const piece of pieces) {
    pending += piece;
    // A piece may end between \r and \n, or in the middle of a line: keep the last line for later.
    const held = pending.endsWith('\r') ? 1 : 0;
    const lines = pending.slice(0, pending.length - held).split(/\r\n|\n|\r/);
    pending = (lines.pop() ?? '') + (held ? '\r' : '');
    for (const line of lines) take(line);
    if (out.length) {
      yield `${out.join('\n')}\n`;
      out.length = 0;
    }
  }
  if (pending) take(pending);
  if (logical !== undefined) out.push(decodeLine(logical));
  if (out.length) yield out.join('\n');
}

const PROPERTY = /^([^:"]*(?:"[^"]*"[^:"]*)*):(.*)$/s;

function isQuotedPrintable(line: string): boolean {
  const m = PROPERTY.exec(line);
  return Boolean(m && /;(?:ENCODING=)?QUOTED-PRINTABLE\b/i.test(m[1]));
}

/** A quoted-printable property decoded, its parameters kept as written; any other line as it is. */
function decodeLine(line: string): string {
  const m = PROPERTY.exec(line);
  if (!m || !/;(?:ENCODING=)?QUOTED-PRINTABLE\b/i.test(m[1])) return line;
  const bytes = Buffer.from(
    m[2].replace(/=([0-9A-Fa-f]{2})|=$/g, (_, hex: string | undefined) =>
      hex ? String.fromCharCode(parseInt(hex, 16)) : '',
    ),
    'latin1',
  );
  const charset = /;CHARSET=("?)([\w.:-]+)\1/i.exec(m[1])?.[2];
  return `${m[1]}:${decodeBytes(bytes, charset)}`;
}

function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  if (charset && !/^utf-?8$/i.test(charset) && iconv.encodingExists(charset))
    return iconv.decode(bytes, charset);
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'windows-1252') : utf8;
}

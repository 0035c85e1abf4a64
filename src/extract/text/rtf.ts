import { TextDecoder } from 'node:util';
import { Windows1252Decoder } from './windows-1252.js';

/**
 * The text of an RTF document: control words dropped, `\'f8` and `\u248?` escapes decoded in the
 * document's code page, paragraphs as line breaks, and the groups that hold no text (font and colour
 * tables, style sheets, pictures, embedded objects, `{\*…}` destinations) skipped. Document
 * properties (`{\info{\author …}}`) are kept: they name people too.
 */

const SKIP_DESTINATIONS = new Set([
  'fonttbl',
  'colortbl',
  'stylesheet',
  'listtable',
  'listoverridetable',
  'revtbl',
  'rsidtbl',
  'generator',
  'pict',
  'object',
  'objdata',
  'themedata',
  'colorschememapping',
  'latentstyles',
  'datastore',
  'xmlnstbl',
  'filetbl',
  'mmathPr',
]);
const BREAKS: Record<string, string> = {
  par: '\n',
  line: '\n',
  sect: '\n',
  page: '\n',
  row: '\n',
  cell: '\t',
  tab: '\t',
};
const CHARS: Record<string, string> = {
  emdash: '—',
  endash: '–',
  bullet: '•',
  lquote: '‘',
  rquote: '’',
  ldblquote: '“',
  rdblquote: '”',
  emspace: ' ',
  enspace: ' ',
};

/** Document properties and field instructions: each stands on a line of its own. */
const OWN_LINE = new Set([
  'title',
  'subject',
  'author',
  'operator',
  'keywords',
  'comment',
  'doccomm',
  'company',
  'manager',
  'category',
  'fldinst',
]);

interface Group {
  skip: boolean;
  /** End the group's text with a line break (a document property, a field instruction). */
  ownLine?: boolean;
  /** Fallback characters after `\uN` (`\ucN`, default 1). */
  uc: number;
}

export function rtfToText(rtf: string): string {
  const out: string[] = [];
  let decoder: TextDecoder | Windows1252Decoder = new Windows1252Decoder();
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length) out.push(decoder.decode(Uint8Array.from(bytes)));
    bytes = [];
  };
  const stack: Group[] = [];
  let group: Group = { skip: false, uc: 1 };
  /** Characters still to drop after a `\uN` escape. */
  let fallback = 0;
  let text = '';
  const emit = (s: string) => {
    if (group.skip) return;
    if (fallback > 0) {
      fallback--;
      return;
    }
    if (bytes.length) {
      if (text) out.push(text);
      text = '';
      flushBytes();
    }
    text += s;
  };
  const emitByte = (b: number) => {
    if (group.skip) return;
    if (fallback > 0) {
      fallback--;
      return;
    }
    if (text) out.push(text);
    text = '';
    bytes.push(b);
  };

  let i = 0;
  const n = rtf.length;
  while (i < n) {
    const ch = rtf[i];
    if (ch === '{') {
      stack.push(group);
      group = { skip: group.skip, uc: group.uc };
      i++;
      continue;
    }
    if (ch === '}') {
      const closed = group;
      group = stack.pop() ?? { skip: false, uc: 1 };
      if (closed.ownLine && !closed.skip) emit('\n');
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      i++;
      continue;
    }
    if (ch !== '\\') {
      // A run of plain text up to the next special character.
      let j = i + 1;
      while (j < n && !'{}\\\r\n'.includes(rtf[j])) j++;
      const run = rtf.slice(i, j);
      if (fallback > 0 && !group.skip) {
        const drop = Math.min(fallback, run.length);
        fallback -= drop;
        emit(run.slice(drop));
      } else emit(run);
      i = j;
      continue;
    }
    // A control symbol or a control word.
    const next = rtf[i + 1] ?? '';
    if (next === "'") {
      const hex = Number.parseInt(rtf.slice(i + 2, i + 4), 16);
      if (!Number.isNaN(hex)) emitByte(hex);
      i += 4;
      continue;
    }
    if (!/[a-zA-Z]/.test(next)) {
      if (next === '*') group.skip = true;
      else if (next === '~') emit('\u00a0');
      else if (next === '_') emit('-');
      else if (next === '\\' || next === '{' || next === '}') emit(next);
      else if (next === '\n' || next === '\r') emit('\n');
      i += 2;
      continue;
    }
    let j = i + 1;
    while (j < n && /[a-zA-Z]/.test(rtf[j])) j++;
    const word = rtf.slice(i + 1, j);
    let k = j;
    if (rtf[k] === '-' || /\d/.test(rtf[k] ?? '')) {
      k++;
      while (k < n && /\d/.test(rtf[k])) k++;
    }
    const arg = k > j ? Number(rtf.slice(j, k)) : undefined;
    if (rtf[k] === ' ') k++;
    i = k;
    if (SKIP_DESTINATIONS.has(word) || word === 'bin') {
      group.skip = true;
      if (word === 'bin' && arg) i += arg;
    } else if (OWN_LINE.has(word)) {
      // `{\*\fldinst HYPERLINK "mailto:…"}`: a field's instruction holds addresses worth reading.
      if (word === 'fldinst') group.skip = stack[stack.length - 1]?.skip ?? false;
      group.ownLine = true;
    } else if (word === 'u' && arg !== undefined) {
      emit(String.fromCharCode(arg < 0 ? arg + 65536 : arg));
      fallback = group.uc;
    } else if (word === 'uc' && arg !== undefined) {
      group.uc = arg;
    } else if (word === 'ansicpg' && arg) {
      flushBytes();
      decoder = decoderFor(arg);
    } else if (BREAKS[word]) {
      emit(BREAKS[word]);
    } else if (CHARS[word]) {
      emit(CHARS[word]);
    }
  }
  if (text) out.push(text);
  flushBytes();
  return out.join('');
}

function decoderFor(codePage: number): TextDecoder | Windows1252Decoder {
  if (codePage === 1252) return new Windows1252Decoder();
  try {
    return new TextDecoder(codePage === 65001 ? 'utf-8' : `windows-${codePage}`);
  } catch {
    return new Windows1252Decoder();
  }
}

import { ExtractError } from '../../../core/errors.js';
import { numberText } from '../ooxml.js';
import {
  type BiffRecord,
  CONTINUE,
  ContinuedReader,
  cellName,
  records,
  rkNumber,
  unicodeString,
} from './biff.js';

/** What a legacy workbook holds as text. */
export interface Workbook {
  /** Each sheet's rows: line N of `text` is row N of the sheet, cells separated by tabs. */
  sheets: { name: string; text: string }[];
  /** Cell notes and text boxes, `Sheet!B3: text` where the note's cell is known. */
  comments: string[];
  commentAuthors: string[];
  /** Page headers and footers, their `&P`-style codes removed. */
  headersFooters: string[];
}

const BOF = 0x0809;
const EOF = 0x000a;
const FILEPASS = 0x002f;
const BOUNDSHEET = 0x0085;
const SST = 0x00fc;
const FORMAT = 0x041e;
const XF = 0x00e0;
const DATEMODE = 0x0022;
const LABELSST = 0x00fd;
const LABEL = 0x0204;
const NUMBER = 0x0203;
const RK = 0x027e;
const MULRK = 0x00bd;
const FORMULA = 0x0006;
const STRING = 0x0207;
const NOTE = 0x001c;
const OBJ = 0x005d;
const TXO = 0x01b6;
const HEADER = 0x0014;
const FOOTER = 0x0015;

const BIFF8 = 0x0600;
/** Rows of one sheet written as lines at most: row numbers past it would be empty lines only. */
const MAX_ROW = 1 << 20;

/** Built-in number formats that show a date (MS-XLS 2.5.165). */
const DATE_FORMATS = new Set([14, 15, 16, 17, 22, 45, 46, 47]);

/**
 * Reads the text of a BIFF8 `Workbook` stream: every worksheet's cells (shared strings, inline labels,
 * numbers as their number format shows them, formula results), cell notes, headers and footers.
 * Throws ExtractError `encrypted` for a password-protected workbook, `unsupported` for BIFF5 and older.
 */
export function readWorkbook(stream: Buffer): Workbook {
  const globals = readGlobals(stream);
  const book: Workbook = { sheets: [], comments: [], commentAuthors: [], headersFooters: [] };
  for (const sheet of globals.sheets) {
    if (sheet.offset >= stream.length)
      throw new ExtractError('corrupt', `sheet "${sheet.name}" lies outside the workbook`);
    readSheet(stream, sheet, globals, book);
  }
  return book;
}

interface Globals {
  sheets: { name: string; offset: number }[];
  shared: string[];
  /** Each XF's number format string. */
  formats: string[];
  date1904: boolean;
}

function readGlobals(stream: Buffer): Globals {
  const all = records(stream);
  const first = all.next();
  if (first.done || first.value.type !== BOF)
    throw new ExtractError('corrupt', 'the Workbook stream does not start with a BOF record');
  const version = first.value.data.readUInt16LE(0);
  if (version !== BIFF8)
    throw new ExtractError(
      'unsupported',
      `Excel workbook in an older format (BIFF version 0x${version.toString(16)}); not read`,
    );
  const g: Globals = { sheets: [], shared: [], formats: [], date1904: false };
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let pending: BiffRecord[] = [];
  const flushSst = () => {
    if (pending.length) g.shared = sharedStrings(pending.map((r) => r.data));
    pending = [];
  };
  for (const r of all) {
    if (pending.length && r.type === CONTINUE) {
      pending.push(r);
      continue;
    }
    flushSst();
    if (r.type === EOF) break;
    switch (r.type) {
      case FILEPASS:
        throw new ExtractError('encrypted', 'password-protected Excel workbook; not read');
      case BOUNDSHEET:
        // Worksheets and macro sheets hold cells; charts and VBA modules do not.
        if (r.data.length >= 8 && (r.data[5] === 0 || r.data[5] === 1))
          g.sheets.push({ offset: r.data.readUInt32LE(0), name: unicodeString(r.data, 6, 1) });
        break;
      case SST:
        pending = [r];
        break;
      case FORMAT:
        if (r.data.length >= 5) custom.set(r.data.readUInt16LE(0), unicodeString(r.data, 2, 2));
        break;
      case XF:
        if (r.data.length >= 4) xfFormats.push(r.data.readUInt16LE(2));
        break;
      case DATEMODE:
        g.date1904 = r.data.length >= 2 && r.data.readUInt16LE(0) === 1;
        break;
    }
  }
  flushSst();
  g.formats = xfFormats.map((f) => custom.get(f) ?? (DATE_FORMATS.has(f) ? 'dd-mm-yyyy' : 'General'));
  return g;
}

/** The shared strings table, as far as it can be read (a damaged tail loses only its own strings). */
function sharedStrings(segments: Buffer[]): string[] {
  const reader = new ContinuedReader(segments);
  const out: string[] = [];
  try {
    reader.skip(4);
    const unique = reader.u32();
    while (out.length < unique && !reader.done) out.push(reader.richString());
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return out;
}

function readSheet(
  stream: Buffer,
  sheet: { name: string; offset: number },
  g: Globals,
  book: Workbook,
): void {
  const rows = new Map<number, Map<number, string>>();
  const notes = new Map<number, string>();
  const objects: number[] = [];
  const texts: { object?: number; body: string }[] = [];
  const put = (data: Buffer, text: string) => {
    if (data.length < 4 || !text) return;
    const row = data.readUInt16LE(0);
    if (row >= MAX_ROW) return;
    const cells = rows.get(row) ?? new Map<number, string>();
    rows.set(row, cells);
    cells.set(data.readUInt16LE(2), text);
  };
  const formatters = new Map<number, (value: number) => string>();
  const number = (value: number, xf: number) => {
    let format = formatters.get(xf);
    if (!format) {
      format = numberFormatter(g.formats[xf] ?? 'General', g.date1904);
      formatters.set(xf, format);
    }
    return format(value);
  };
  let formulaCell: Buffer | undefined;
  let text: { chars: number; parts: string[]; object?: number } | undefined;
  const all = records(stream, sheet.offset);
  const first = all.next();
  if (first.done || first.value.type !== BOF)
    throw new ExtractError('corrupt', `sheet "${sheet.name}" does not start with a BOF record`);
  for (const r of all) {
    const d = r.data;
    if (r.type === CONTINUE && text) {
      text.parts.push(
        d.length
          ? unicodeChars(
              d,
              1,
              Math.min(text.chars, d[0] & 1 ? (d.length - 1) >> 1 : d.length - 1),
              (d[0] & 1) === 1,
            )
          : '',
      );
      text.chars -= text.parts[text.parts.length - 1].length;
      if (text.chars <= 0) {
        finishText(text, texts);
        text = undefined;
      }
      continue;
    }
    if (text) {
      finishText(text, texts);
      text = undefined;
    }
    if (r.type === EOF) break;
    switch (r.type) {
      case LABELSST:
        if (d.length >= 10) put(d, g.shared[d.readUInt32LE(6)] ?? '');
        break;
      case LABEL:
        put(d, unicodeString(d, 6, 2));
        break;
      case NUMBER:
        if (d.length >= 14) put(d, number(d.readDoubleLE(6), d.readUInt16LE(4)));
        break;
      case RK:
        if (d.length >= 10) put(d, number(rkNumber(d.readInt32LE(6)), d.readUInt16LE(4)));
        break;
      case MULRK: {
        if (d.length < 4) break;
        const row = d.readUInt16LE(0);
        const col = d.readUInt16LE(2);
        for (let i = 0, p = 4; p + 6 <= d.length - 2; i++, p += 6) {
          const cell = Buffer.alloc(4);
          cell.writeUInt16LE(row, 0);
          cell.writeUInt16LE((col + i) & 0xffff, 2);
          put(cell, number(rkNumber(d.readInt32LE(p + 2)), d.readUInt16LE(p)));
        }
        break;
      }
      case FORMULA:
        formulaCell = undefined;
        if (d.length < 14) break;
        if (d.readUInt16LE(12) !== 0xffff) put(d, number(d.readDoubleLE(6), d.readUInt16LE(4)));
        else if (d[6] === 0) formulaCell = d; // a string result: in the STRING record that follows
        break;
      case STRING:
        if (formulaCell) put(formulaCell, unicodeString(d, 0, 2));
        formulaCell = undefined;
        break;
      case NOTE:
        if (d.length >= 11) {
          notes.set(d.readUInt16LE(6), cellName(d.readUInt16LE(0), d.readUInt16LE(2)));
          const author = unicodeString(d, 8, 2).replace(/\0/g, '').trim();
          if (author) book.commentAuthors.push(author);
        }
        break;
      case OBJ:
        // ftCmo: its object id ties a text box (TXO) to the NOTE of a cell.
        if (d.length >= 8 && d.readUInt16LE(0) === 0x15) objects.push(d.readUInt16LE(6));
        break;
      case TXO:
        if (d.length >= 12 && d.readUInt16LE(10) > 0)
          text = { chars: d.readUInt16LE(10), parts: [], object: objects[objects.length - 1] };
        break;
      case HEADER:
      case FOOTER:
        if (d.length >= 3) book.headersFooters.push(withoutCodes(unicodeString(d, 0, 2)));
        break;
    }
  }
  if (text) finishText(text, texts);
  // A cell's NOTE comes after the text box it points to: the cell is known at the sheet's end.
  for (const t of texts) {
    const cell = t.object === undefined ? undefined : notes.get(t.object);
    book.comments.push(cell ? `${sheet.name}!${cell}: ${t.body}` : t.body);
  }
  book.sheets.push({ name: sheet.name, text: sheetLines(rows) });
}

function unicodeChars(d: Buffer, at: number, count: number, wide: boolean): string {
  return wide ? d.toString('utf16le', at, at + count * 2) : d.toString('latin1', at, at + count);
}

function finishText(
  text: { parts: string[]; object?: number },
  texts: { object?: number; body: string }[],
): void {
  const body = text.parts.join('').replace(/\r\n?/g, '\n').trim();
  if (body) texts.push({ object: text.object, body });
}

/** Rows as lines (row N on line N, empty rows empty), cells in column order separated by tabs. */
function sheetLines(rows: Map<number, Map<number, string>>): string {
  if (!rows.size) return '';
  const last = Math.max(...rows.keys());
  const lines: string[] = new Array(last + 1).fill('');
  for (const [row, cells] of rows)
    lines[row] = [...cells]
      .sort((a, b) => a[0] - b[0])
      .map(([, t]) => t.replace(/[\t\r\n]+/g, ' '))
      .join('\t');
  return lines.join('\n');
}

/**
 * A number as its cell's format shows it where that matters for finding people: a format of zeros
 * and separators (`000000-0000` for a CPR number, `00 00 00 00` for a phone number) pads and places
 * the digits; a date format gives dd-mm-yyyy; anything else is the number as `.xlsx` cells are read,
 * a 9-digit CPR number that lost its leading zero zero-padded.
 */
export function shownNumber(value: number, format: string, date1904 = false): string {
  return numberFormatter(format, date1904)(value);
}

/** `shownNumber` for one format, its kind worked out once (a sheet has many cells and few formats). */
function numberFormatter(format: string, date1904: boolean): (value: number) => string {
  const zeros = /^(?:0|\\.|"[^"]*"|[-\s/.])+$/.test(format);
  const date = !zeros && isDateFormat(format);
  return (value) => {
    if (!Number.isFinite(value)) return '';
    const digits = zeros ? zeroPattern(value, format) : undefined;
    if (digits !== undefined) return digits;
    if (date && value >= 0 && value < 2958466) return excelDate(value, date1904);
    return numberText(String(value));
  };
}

function zeroPattern(value: number, format: string): string | undefined {
  const zeros = (format.replace(/\\.|"[^"]*"/g, '').match(/0/g) ?? []).length;
  if (!Number.isInteger(value) || value < 0 || String(value).length > zeros) return undefined;
  const digits = String(value).padStart(zeros, '0');
  let d = 0;
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '0') out += digits[d++];
    else if (c === '\\') out += format[++i] ?? '';
    else if (c === '"') {
      const end = format.indexOf('"', i + 1);
      out += format.slice(i + 1, end);
      i = end;
    } else out += c;
  }
  return out;
}

function isDateFormat(format: string): boolean {
  const bare = format.replace(/\\.|"[^"]*"|\[[^\]]*\]/g, '');
  return /[dy]/i.test(bare) && !/[#0?]/.test(bare);
}

function excelDate(serial: number, date1904: boolean): string {
  const days = Math.floor(serial) + (date1904 ? 1462 : 0);
  // Excel counts the non-existent 29 February 1900.
  const ms = (days - (days > 59 ? 25569 : 25568)) * 86_400_000;
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}-${pad(date.getUTCMonth() + 1)}-${date.getUTCFullYear()}`;
}

/** Header and footer text without its codes: `&L`, `&C`, `&R`, `&P`, `&"Arial,Bold"`, `&12`. */
function withoutCodes(s: string): string {
  return s
    .replace(/&"[^"]*"/g, '')
    .replace(/&\d+/g, '')
    .replace(/&[LCR]/g, '\n')
    .replace(/&[A-Za-z]/g, '')
    .replace(/&&/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

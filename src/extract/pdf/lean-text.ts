import { decodeWindows1252 } from '../text/windows-1252.js';
import {
  type Dict,
  decodeStream,
  isDict,
  isStream,
  Lexer,
  Name,
  NotLean,
  notLean,
  Op,
  PdfFile,
  PdfString,
  Ref,
  type Value,
} from './lean-objects.js';
import { STANDARD_WIDTHS } from './standard-widths.js';

/**
 * The lean PDF text reader: the text of the common PDF (unencrypted, its fonts the standard ones with
 * WinAnsi encoding, no forms or images in its pages) exactly as pdf.js's `getTextContent` and
 * pdf-parse's `getText` make it — the same items, spaces and line breaks, computed the same way — in a
 * fraction of the time. Anything else returns undefined and the file is read by pdf.js; a test compares
 * both readers on every PDF fixture. See docs/decisions/0018-lean-pdf-text-reader.md.
 */
export interface LeanPdf {
  /** `Title: …` lines of the document information dictionary, as the pdf.js path writes them. */
  info: string[];
  /** Each page's text, the first page first. */
  pages: string[];
}

const INFO_FIELDS = ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer'] as const;
/** Pages past which a page tree is left to pdf.js (a loop, or a file built to exhaust us). */
const MAX_PAGES = 100_000;

/** Pages with fewer visible characters than this are checked for a scanned image (pdf.ts). */
export const SCANNED_CHECK_CHARS = 200;

export function visibleChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length && n < SCANNED_CHECK_CHARS; i++) if (text.charCodeAt(i) > 32) n++;
  return n;
}

/** The text of `data`, or undefined when the lean reader cannot vouch for reading it as pdf.js does. */
export function readLeanPdf(
  data: Uint8Array,
  signal?: AbortSignal,
  /** Told why a file is left to pdf.js (for tests and profiling). */
  explain?: (why: string) => void,
): LeanPdf | undefined {
  try {
    const file = new PdfFile(data);
    const catalog = file.dict(file.trailer.get('Root'));
    if (!catalog) return notLean('no catalog');
    // XMP metadata and forms are pdf.js's to read.
    if (catalog.has('Metadata') || catalog.has('AcroForm')) notLean('XMP metadata or a form');
    const info = infoLines(file);
    const pages = pageDicts(file, catalog);
    const texts: string[] = [];
    const fonts = new Map<unknown, LeanFont>();
    for (const page of pages) {
      signal?.throwIfAborted();
      const { text, images } = pageText(file, page, fonts);
      // A page with little text and an image may be a scanned page: pdf.js measures its images.
      if (images && visibleChars(text) < SCANNED_CHECK_CHARS) notLean('a page of little text and an image');
      texts.push(text);
    }
    return { info, pages: texts };
  } catch (err) {
    if ((err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError') throw err;
    // Beyond NotLean, a bug or a file shape not foreseen: pdf.js reads it, and reports what is wrong.
    explain?.(err instanceof NotLean ? err.message : String((err as Error)?.stack ?? err));
    return undefined;
  }
}

/** pdf.js's `stringToPDFString`, for the strings it decodes the same way. */
function pdfString(bytes: string): string {
  if (bytes.startsWith('\xfe\xff')) {
    const even = bytes.length % 2 ? bytes.slice(0, -1) : bytes;
    let text: string;
    try {
      text = new TextDecoder('utf-16be', { fatal: true }).decode(Buffer.from(even, 'latin1'));
    } catch {
      return notLean('undecodable UTF-16 string');
    }
    if (text.includes('\x1b')) notLean('escape sequence in a string');
    return text;
  }
  // PDFDocEncoding equals latin1 for these bytes.
  if (/[^\t\n\r\x20-\x7e\xa1-\xac\xae-\xff]/.test(bytes)) notLean('string outside plain PDFDocEncoding');
  return bytes;
}

function infoLines(file: PdfFile): string[] {
  const info = file.dict(file.trailer.get('Info'));
  if (!info) return [];
  const lines: string[] = [];
  for (const key of INFO_FIELDS) {
    const value = file.get(info.get(key));
    if (!(value instanceof PdfString)) continue;
    const text = pdfString(value.text);
    if (text.trim()) lines.push(`${key}: ${text.trim()}`);
  }
  return lines;
}

interface PageDict {
  dict: Dict;
  resources: Dict;
  view: number[];
  rotate: number;
}

/** The page tree's leaves in order, with their inherited resources, boxes and rotation. */
function pageDicts(file: PdfFile, catalog: Dict): PageDict[] {
  const root = file.dict(catalog.get('Pages'));
  if (!root) return notLean('no page tree');
  const pages: PageDict[] = [];
  const seen = new Set<Dict>();
  const walk = (node: Dict, inherited: Map<string, Value | undefined>, depth: number) => {
    if (seen.has(node) || depth > 64) notLean('page tree loop');
    seen.add(node);
    const here = new Map(inherited);
    for (const key of ['Resources', 'MediaBox', 'CropBox', 'Rotate'])
      if (node.has(key)) here.set(key, file.get(node.get(key)));
    const type = file.get(node.get('Type'));
    const kids = file.get(node.get('Kids'));
    if (type instanceof Name && type.name === 'Page') {
      if (node.has('UserUnit')) notLean('UserUnit');
      pages.push(leaf(node, here));
      if (pages.length > MAX_PAGES) notLean('too many pages');
      return;
    }
    if (!(type instanceof Name) || type.name !== 'Pages' || !Array.isArray(kids))
      notLean('odd page tree node');
    for (const kid of kids) {
      const d = file.dict(kid);
      if (!d) notLean('page tree kid is not a dictionary');
      walk(d, here, depth + 1);
    }
  };
  walk(root, new Map(), 0);
  if (file.get(root.get('Count')) !== pages.length) notLean('page count differs from the page tree');
  return pages;
}

function normalRect(v: Value | undefined): number[] | undefined {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((n) => typeof n === 'number')) return undefined;
  const [x1, y1, x2, y2] = v as number[];
  const r = [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
  return r[2] - r[0] > 0 && r[3] - r[1] > 0 ? r : undefined;
}

function leaf(dict: Dict, inherited: Map<string, Value | undefined>): PageDict {
  const resources = inherited.get('Resources');
  if (resources !== undefined && !isDict(resources)) notLean('odd page resources');
  const mediaBox = normalRect(inherited.get('MediaBox'));
  if (!mediaBox) notLean('no usable MediaBox');
  let view = mediaBox;
  const cropBox = normalRect(inherited.get('CropBox'));
  if (inherited.get('CropBox') !== undefined) {
    if (!cropBox) notLean('odd CropBox');
    const box = [
      Math.max(cropBox[0], mediaBox[0]),
      Math.max(cropBox[1], mediaBox[1]),
      Math.min(cropBox[2], mediaBox[2]),
      Math.min(cropBox[3], mediaBox[3]),
    ];
    if (box[2] - box[0] > 0 && box[3] - box[1] > 0) view = box;
  }
  const rotate = inherited.get('Rotate') ?? 0;
  if (typeof rotate !== 'number' || ![0, 90, 180, 270].includes(rotate)) notLean('unusual /Rotate');
  return { dict, resources: resources ?? new Map(), view, rotate };
}

/** A simple font as pdf.js sees it, for what text extraction needs: each byte's text and width. */
interface LeanFont {
  unicode: readonly string[];
  /** Glyph widths in 1/1000 of the font size; undefined where the lean reader does not know pdf.js's. */
  widths: (number | undefined)[];
}

/** What pdf.js makes of the WinAnsi codes 32-255 (its glyph names read through its glyph list). */
const WIN_ANSI: readonly string[] = (() => {
  const text = decodeWindows1252(Uint8Array.from({ length: 256 }, (_, i) => i));
  const chars = [...text];
  for (let c = 0; c < 32; c++) chars[c] = '';
  for (const c of [0x7f, 0x81, 0x8d, 0x8f, 0x90, 0x9d]) chars[c] = '\u2022';
  chars[0xa0] = ' ';
  chars[0xad] = '-';
  return chars;
})();

function loadFont(file: PdfFile, ref: Value | undefined): LeanFont {
  const dict = file.dict(ref);
  if (!dict) return notLean('font is not a dictionary');
  const subtype = file.get(dict.get('Subtype'));
  if (!(subtype instanceof Name) || (subtype.name !== 'Type1' && subtype.name !== 'TrueType'))
    notLean('font other than a simple Type1 or TrueType');
  // Embedded or described fonts and ToUnicode maps go pdf.js's longer way.
  if (dict.has('FontDescriptor') || dict.has('ToUnicode')) notLean('font with a descriptor or ToUnicode');
  const encoding = file.get(dict.get('Encoding'));
  const base =
    isDict(encoding) && !encoding.has('Differences') ? file.get(encoding.get('BaseEncoding')) : encoding;
  if (!(base instanceof Name) || base.name !== 'WinAnsiEncoding') notLean('encoding other than WinAnsi');
  const baseFont = file.get(dict.get('BaseFont'));
  if (!(baseFont instanceof Name)) return notLean('font without BaseFont');
  const name = baseFont.name.replaceAll(/[,_]/g, '-');
  if (/Symbol|Dingbats|Wingdings/i.test(name)) notLean('symbol font');
  const widths: (number | undefined)[] = new Array(256).fill(undefined);
  const given = file.get(dict.get('Widths'));
  if (Array.isArray(given)) {
    const first = file.get(dict.get('FirstChar')) ?? 0;
    if (typeof first !== 'number') notLean('odd FirstChar');
    given.forEach((w, i) => {
      const width = file.get(w);
      if (typeof width === 'number' && first + i >= 0 && first + i < 256) widths[first + i] = width;
    });
  } else {
    const table = STANDARD_WIDTHS[name];
    if (!table) notLean('non-standard font without widths');
    for (let c = 32; c < 256; c++) widths[c] = table[c - 32];
  }
  return { unicode: WIN_ANSI, widths };
}

/** pdf.js's `normalizeUnicode`: NFKC for the characters it normalizes (ligatures, µ, odd spaces). */
const NORMALIZE =
  /([\u00a0\u00b5\u037e\u0eb3\u2000-\u200a\u202f\u2126\ufb00-\ufb04\ufb06\ufb20-\ufb36\ufb38-\ufb3c\ufb3e\ufb40-\ufb41\ufb43-\ufb44\ufb46-\ufba1\ufba4-\ufba9\ufbae-\ufbb1\ufbd3-\ufbdc\ufbde-\ufbe7\ufbea-\ufbf8\ufbfc-\ufbfd\ufc00-\ufc5d\ufc64-\ufcf1\ufcf5-\ufd3d\ufd88\ufdf4\ufdfa-\ufdfb\ufe71\ufe77\ufe79\ufe7b\ufe7d]+)|(\ufb05+)/gu;
/** The WinAnsi characters NORMALIZE changes (µ). */
const WIN_ANSI_UNITS = Uint16Array.from(WIN_ANSI, (c) => (c ? c.charCodeAt(0) : 0));
/** Code units as a string, in pieces (apply takes a bounded number of arguments). */
function latin1Codes(codes: Uint16Array, length: number): string {
  let s = '';
  for (let at = 0; at < length; at += 8192)
    s += String.fromCharCode.apply(
      null,
      codes.subarray(at, Math.min(length, at + 8192)) as unknown as number[],
    );
  return s;
}
const NORMALIZED = new Set(WIN_ANSI.filter((c) => c !== '' && c.replaceAll(NORMALIZE, '') !== c));
function normalizeUnicode(s: string): string {
  return s.replaceAll(NORMALIZE, (_, p1: string | undefined) => (p1 ? p1.normalize('NFKC') : '\u017ft'));
}

type Matrix = number[];
function mul(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[2] * m2[1],
    m1[1] * m2[0] + m1[3] * m2[1],
    m1[0] * m2[2] + m1[2] * m2[3],
    m1[1] * m2[2] + m1[3] * m2[3],
    m1[0] * m2[4] + m1[2] * m2[5] + m1[4],
    m1[1] * m2[4] + m1[3] * m2[5] + m1[5],
  ];
}

interface TextState {
  ctm: Matrix;
  font: LeanFont | null;
  fontName: string | null;
  fontSize: number;
  textMatrix: Matrix;
  textLineMatrix: Matrix;
  charSpacing: number;
  wordSpacing: number;
  leading: number;
  textHScale: number;
  textRise: number;
}

/** A pdf.js text item, with the origin of its transform (all pdf-parse reads of it). */
interface Item {
  str: string;
  width: number;
  height: number;
  x: number;
  y: number;
  hasEOL: boolean;
}

const TRACKING_SPACE_FACTOR = 0.102;
const NOT_A_SPACE_FACTOR = 0.03;
const NEGATIVE_SPACE_FACTOR = -0.2;
const SPACE_IN_FLOW_MIN_FACTOR = 0.102;
const SPACE_IN_FLOW_MAX_FACTOR = 0.6;
const VERTICAL_SHIFT_RATIO = 0.25;

/** The operators whose operands the reader takes; every other operator is skipped, as pdf.js's text pass does. */
const TEXT_OPS = new Set(['q', 'Q', 'cm', 'BT', 'Tf', 'Ts', 'Tz', 'TL', 'Td', 'TD', 'T*', 'Tm', 'Tc', 'Tw']);
const SHOW_OPS = new Set(['Tj', 'TJ', "'", '"']);
/** Operators that end the current text item in pdf.js (marked content). */
const FLUSH_OPS = new Set(['BMC', 'BDC', 'EMC']);

/** One page's text: pdf.js's `getTextContent` (horizontal, simple fonts), then pdf-parse's join. */
function pageText(
  file: PdfFile,
  page: PageDict,
  fonts: Map<unknown, LeanFont>,
): { text: string; images: boolean } {
  const contents = file.get(page.dict.get('Contents'));
  const streams = Array.isArray(contents)
    ? contents.map((c) => file.get(c))
    : contents == null
      ? []
      : [contents];
  const parts: Uint8Array[] = [];
  for (const s of streams) {
    if (!isStream(s)) notLean('page content is not a stream');
    if (s.dict.has('Resources')) notLean('content stream with its own resources');
    parts.push(decodeStream(s));
  }
  // pdf.js reads an array of content streams as one, with nothing between them.
  const content = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const fontDict = file.dict(page.resources.get('Font'));
  const { items, images } = textItems(file, content, page, (name) => {
    const ref = fontDict?.get(name);
    if (ref === undefined) return notLean('font not in the page resources');
    const key = ref instanceof Ref ? ref.num : ref;
    let font = fonts.get(key);
    if (!font) {
      font = loadFont(file, ref);
      fonts.set(key, font);
    }
    return font;
  });
  return { text: joinItems(items, page), images };
}

function textItems(
  file: PdfFile,
  content: Uint8Array,
  page: PageDict,
  fontFor: (name: string) => LeanFont,
): { items: Item[]; images: boolean } {
  const viewBox = page.view;
  const items: Item[] = [];
  const result = { items, images: false };
  let state: TextState = {
    ctm: [1, 0, 0, 1, 0, 0],
    font: null,
    fontName: null,
    fontSize: 0,
    textMatrix: [1, 0, 0, 1, 0, 0],
    textLineMatrix: [1, 0, 0, 1, 0, 0],
    charSpacing: 0,
    wordSpacing: 0,
    leading: 0,
    textHScale: 1,
    textRise: 0,
  };
  const stack: TextState[] = [];
  const item = {
    initialized: false,
    /** The item's text so far: UTF-16 code units (WinAnsi maps each byte to one). */
    codes: new Uint16Array(256),
    length: 0,
    /** Whether `str` holds a character pdf.js's normalizeUnicode changes. */
    normalize: false,
    totalWidth: 0,
    totalHeight: 0,
    width: 0,
    height: 0,
    /** The origin of pdf.js's `prevTransform` (none before the first glyph). */
    hasPrev: false,
    prevX: 0,
    prevY: 0,
    textAdvanceScale: 0,
    spaceInFlowMin: 0,
    spaceInFlowMax: 0,
    trackingSpaceMin: Number.POSITIVE_INFINITY,
    negativeSpaceMax: Number.NEGATIVE_INFINITY,
    notASpace: Number.NEGATIVE_INFINITY,
    x: 0,
    y: 0,
    hasEOL: false,
  };
  /** The origin of pdf.js's `getCurrentTextTransform()`, by the same arithmetic, set by `origin()`. */
  let px = 0;
  let py = 0;
  const origin = () => {
    const tm = state.textMatrix;
    const c = state.ctm;
    const rise = state.textRise;
    const x = tm[0] * 0 + tm[2] * rise + tm[4];
    const y = tm[1] * 0 + tm[3] * rise + tm[5];
    px = c[0] * x + c[2] * y + c[4];
    py = c[1] * x + c[3] * y + c[5];
  };
  const pushCode = (unit: number) => {
    if (item.length === item.codes.length) {
      const grown = new Uint16Array(item.codes.length * 2);
      grown.set(item.codes);
      item.codes = grown;
    }
    item.codes[item.length++] = unit;
  };
  const twoLastChars = [' ', ' '];
  let twoLastCharsPos = 0;
  const saveLastChar = (char: string) => {
    const nextPos = (twoLastCharsPos + 1) % 2;
    const ret = twoLastChars[twoLastCharsPos] !== ' ' && twoLastChars[nextPos] === ' ';
    twoLastChars[twoLastCharsPos] = char;
    twoLastCharsPos = nextPos;
    return ret;
  };
  const shouldAddWhitespace = () =>
    twoLastChars[twoLastCharsPos] !== ' ' && twoLastChars[(twoLastCharsPos + 1) % 2] === ' ';
  const resetLastChars = () => {
    twoLastChars[0] = twoLastChars[1] = ' ';
    twoLastCharsPos = 0;
  };
  const translateTextMatrix = (x: number, y: number) => {
    const m = state.textMatrix;
    m[4] = m[0] * x + m[2] * y + m[4];
    m[5] = m[1] * x + m[3] * y + m[5];
  };
  const translateTextLineMatrix = (x: number, y: number) => {
    const m = state.textLineMatrix;
    m[4] = m[0] * x + m[2] * y + m[4];
    m[5] = m[1] * x + m[3] * y + m[5];
  };
  const carriageReturn = () => {
    translateTextLineMatrix(0, -state.leading);
    state.textMatrix = state.textLineMatrix.slice();
  };
  const currentTransform = (): Matrix => {
    const tsm = [state.fontSize * state.textHScale, 0, 0, state.fontSize, 0, state.textRise];
    return mul(state.ctm, mul(state.textMatrix, tsm));
  };
  const pushWhitespace = (width: number, x: number, y: number) => {
    items.push({ str: ' ', width, height: 0, x, y, hasEOL: false });
  };
  const pushWhitespaceAtPrev = (width: number) => {
    if (!item.hasPrev) notLean('white space before any glyph');
    pushWhitespace(width, item.prevX, item.prevY);
  };
  const ensureItem = () => {
    if (item.initialized) return item;
    const trm = currentTransform();
    item.x = trm[4];
    item.y = trm[5];
    item.width = item.totalWidth = 0;
    item.height = item.totalHeight = Math.hypot(trm[2], trm[3]);
    const scaleLineX = Math.hypot(state.textLineMatrix[0], state.textLineMatrix[1]);
    const scaleCtmX = Math.hypot(state.ctm[0], state.ctm[1]);
    item.textAdvanceScale = scaleCtmX * scaleLineX;
    const { fontSize } = state;
    item.trackingSpaceMin = fontSize * TRACKING_SPACE_FACTOR;
    item.notASpace = fontSize * NOT_A_SPACE_FACTOR;
    item.negativeSpaceMax = fontSize * NEGATIVE_SPACE_FACTOR;
    item.spaceInFlowMin = fontSize * SPACE_IN_FLOW_MIN_FACTOR;
    item.spaceInFlowMax = fontSize * SPACE_IN_FLOW_MAX_FACTOR;
    item.hasEOL = false;
    item.initialized = true;
    return item;
  };
  const updateAdvanceScale = () => {
    if (!item.initialized) return;
    const scaleLineX = Math.hypot(state.textLineMatrix[0], state.textLineMatrix[1]);
    const scaleCtmX = Math.hypot(state.ctm[0], state.ctm[1]);
    const scaleFactor = scaleCtmX * scaleLineX;
    if (scaleFactor === item.textAdvanceScale) return;
    item.totalWidth += item.width * item.textAdvanceScale;
    item.width = 0;
    item.textAdvanceScale = scaleFactor;
  };
  const flush = () => {
    if (!item.initialized) return;
    item.totalWidth += item.width * item.textAdvanceScale;
    const str = latin1Codes(item.codes, item.length);
    const text = item.normalize ? normalizeUnicode(str) : str;
    item.normalize = false;
    items.push({
      str: text,
      width: Math.abs(item.totalWidth),
      height: Math.abs(item.totalHeight),
      x: item.x,
      y: item.y,
      hasEOL: item.hasEOL,
    });
    item.initialized = false;
    item.length = 0;
  };
  const appendEOL = () => {
    resetLastChars();
    if (item.initialized) {
      item.hasEOL = true;
      flush();
    } else {
      origin();
      items.push({ str: '', width: 0, height: 0, x: px, y: py, hasEOL: true });
    }
  };
  const addFakeSpaces = (width: number, orientation: number) => {
    if (orientation * item.spaceInFlowMin <= width && width <= orientation * item.spaceInFlowMax) {
      if (item.initialized) {
        resetLastChars();
        pushCode(32);
      }
      return false;
    }
    if (!item.hasPrev) origin();
    const [x, y] = item.hasPrev ? [item.prevX, item.prevY] : [px, py];
    flush();
    resetLastChars();
    pushWhitespace(Math.abs(width), x, y);
    return true;
  };
  /** pdf.js's compareWithLastPosition; `known` when px, py already hold the current origin. */
  const compareWithLastPosition = (glyphWidth: number, known: boolean) => {
    if (!known) origin();
    let posX = px;
    let posY = py;
    if (posX + glyphWidth < viewBox[0] || posX > viewBox[2] || posY < viewBox[1] || posY > viewBox[3])
      return false;
    if (!state.font || !item.hasPrev) return true;
    let lastPosX = item.prevX;
    let lastPosY = item.prevY;
    if (lastPosX === posX && lastPosY === posY) return true;
    // The linear part of getCurrentTextTransform(), by the same arithmetic, for its rotation.
    const tm = state.textMatrix;
    const c = state.ctm;
    const sx = state.fontSize * state.textHScale;
    const sy = state.fontSize;
    const m0 = tm[0] * sx + tm[2] * 0;
    const m1 = tm[1] * sx + tm[3] * 0;
    const m2 = tm[0] * 0 + tm[2] * sy;
    const m3 = tm[1] * 0 + tm[3] * sy;
    const cur0 = c[0] * m0 + c[2] * m1;
    const cur1 = c[1] * m0 + c[3] * m1;
    const cur2 = c[0] * m2 + c[2] * m3;
    const cur3 = c[1] * m2 + c[3] * m3;
    let rotate = -1;
    if (cur0 && cur1 === 0 && cur2 === 0) rotate = cur0 > 0 ? 0 : 180;
    else if (cur1 && cur0 === 0 && cur3 === 0) rotate = cur1 > 0 ? 90 : 270;
    switch (rotate) {
      case 0:
        break;
      case 90:
        [posX, posY] = [posY, posX];
        [lastPosX, lastPosY] = [lastPosY, lastPosX];
        break;
      case 180:
        [posX, posY, lastPosX, lastPosY] = [-posX, -posY, -lastPosX, -lastPosY];
        break;
      case 270:
        [posX, posY] = [-posY, -posX];
        [lastPosX, lastPosY] = [-lastPosY, -lastPosX];
        break;
      default:
        return notLean('skewed text');
    }
    const advanceX = (posX - lastPosX) / item.textAdvanceScale;
    const advanceY = posY - lastPosY;
    const orientation = Math.sign(item.width);
    if (advanceX < orientation * item.negativeSpaceMax) {
      if (Math.abs(advanceY) > 0.5 * item.height) {
        appendEOL();
        return true;
      }
      resetLastChars();
      flush();
      return true;
    }
    if (Math.abs(advanceY) > item.height) {
      appendEOL();
      return true;
    }
    if (advanceX <= orientation * item.notASpace) resetLastChars();
    if (advanceX <= orientation * item.trackingSpaceMin) {
      if (shouldAddWhitespace()) {
        resetLastChars();
        flush();
        pushWhitespaceAtPrev(Math.abs(advanceX));
      } else item.width += advanceX;
    } else if (!addFakeSpaces(advanceX, orientation)) {
      if (item.length === 0) {
        resetLastChars();
        pushWhitespaceAtPrev(Math.abs(advanceX));
      } else item.width += advanceX;
    }
    if (Math.abs(advanceY) > item.height * VERTICAL_SHIFT_RATIO) flush();
    return true;
  };
  const showText = (chars: Uint8Array, extraSpacing: number) => {
    const font = state.font;
    if (!font) return notLean('text shown without a font');
    if (!chars.length) {
      const charSpacing = state.charSpacing + extraSpacing;
      if (charSpacing) translateTextMatrix(charSpacing * state.textHScale, 0);
      return;
    }
    const scale = 0.001 * state.fontSize;
    let known = false;
    for (let i = 0, ii = chars.length; i < ii; i++) {
      const code = chars[i];
      const unicode = font.unicode[code];
      const unit = WIN_ANSI_UNITS[code];
      const glyphWidth = font.widths[code];
      if (!unicode || glyphWidth === undefined) notLean('character the lean reader does not map');
      let charSpacing = state.charSpacing + (i + 1 === ii ? extraSpacing : 0);
      let scaledDim = glyphWidth * scale;
      if (code === 0x20) charSpacing += state.wordSpacing;
      if (unicode === ' ') {
        charSpacing += scaledDim;
        translateTextMatrix(charSpacing * state.textHScale, 0);
        saveLastChar(' ');
        known = false;
        continue;
      }
      if (!compareWithLastPosition(scaledDim, known)) {
        translateTextMatrix(scaledDim * state.textHScale, 0);
        known = false;
        continue;
      }
      const chunk = ensureItem();
      scaledDim *= state.textHScale;
      translateTextMatrix(scaledDim, 0);
      chunk.width += scaledDim;
      known = scaledDim !== 0;
      if (known) {
        origin();
        chunk.hasPrev = true;
        chunk.prevX = px;
        chunk.prevY = py;
      }
      if (saveLastChar(unicode)) pushCode(32);
      pushCode(unit);
      if (NORMALIZED.has(unicode)) chunk.normalize = true;
      if (charSpacing) {
        translateTextMatrix(charSpacing * state.textHScale, 0);
        known = false;
      }
    }
  };

  const lex = new Lexer(content);
  const args: Value[] = [];
  const num = (i: number) => {
    const v = args[i];
    if (typeof v !== 'number') notLean('operand is not a number');
    return v;
  };
  for (;;) {
    const v = lex.next();
    if (v === undefined) break;
    if (!(v instanceof Op)) {
      args.push(v);
      if (args.length > 33) notLean('too many operands');
      continue;
    }
    const op = v.op;
    if (op === 'BI' || op === 'd0' || op === 'd1' || op === 'BX') notLean(`operator ${op}`);
    if (TEXT_OPS.has(op) || SHOW_OPS.has(op)) {
      const wanted =
        op === 'Tm' || op === 'cm'
          ? 6
          : op === '"'
            ? 3
            : op === 'Td' || op === 'TD' || op === 'Tf'
              ? 2
              : op === 'q' || op === 'Q' || op === 'BT' || op === 'T*'
                ? 0
                : 1;
      if (args.length !== wanted) notLean(`operator ${op} with ${args.length} operands`);
    }
    switch (op) {
      case 'q': {
        stack.push(state);
        state = {
          ...state,
          textMatrix: state.textMatrix.slice(),
          textLineMatrix: state.textLineMatrix.slice(),
        };
        break;
      }
      case 'Q': {
        const prev = stack.pop();
        if (prev) {
          const before = state;
          state = prev;
          if (
            before.font !== state.font ||
            before.fontSize !== state.fontSize ||
            before.fontName !== state.fontName
          )
            flush();
        }
        break;
      }
      case 'cm':
        state.ctm = mul(state.ctm, [num(0), num(1), num(2), num(3), num(4), num(5)]);
        break;
      case 'Tf': {
        const name = args[0];
        const size = num(1);
        if (!(name instanceof Name)) notLean('Tf without a font name');
        if (state.font && name.name === state.fontName && size === state.fontSize) break;
        flush();
        state.fontName = name.name;
        state.fontSize = size;
        state.font = fontFor(name.name);
        break;
      }
      case 'Ts':
        state.textRise = num(0);
        break;
      case 'Tz':
        state.textHScale = num(0) / 100;
        break;
      case 'TL':
        state.leading = num(0);
        break;
      case 'Td':
        translateTextLineMatrix(num(0), num(1));
        state.textMatrix = state.textLineMatrix.slice();
        break;
      case 'TD':
        state.leading = -num(1);
        translateTextLineMatrix(num(0), num(1));
        state.textMatrix = state.textLineMatrix.slice();
        break;
      case 'T*':
        carriageReturn();
        break;
      case 'Tm':
        state.textMatrix = [num(0), num(1), num(2), num(3), num(4), num(5)];
        state.textLineMatrix = state.textMatrix.slice();
        updateAdvanceScale();
        break;
      case 'Tc':
        state.charSpacing = num(0);
        break;
      case 'Tw':
        state.wordSpacing = num(0);
        break;
      case 'BT':
        state.textMatrix = [1, 0, 0, 1, 0, 0];
        state.textLineMatrix = [1, 0, 0, 1, 0, 0];
        break;
      case 'Tj':
      case "'":
      case '"': {
        const s = args[args.length - 1];
        if (!(s instanceof PdfString)) notLean(`${op} without a string`);
        if (op === '"') {
          state.wordSpacing = num(0);
          state.charSpacing = num(1);
        }
        if (op !== 'Tj') carriageReturn();
        showText(s.bytes, 0);
        break;
      }
      case 'TJ': {
        const elements = args[0];
        if (!Array.isArray(elements)) notLean('TJ without an array');
        const spaceFactor = -state.fontSize / 1000;
        const buffer: Uint8Array[] = [];
        const joined = () => (buffer.length === 1 ? buffer[0] : Buffer.concat(buffer));
        for (const e of elements) {
          if (e instanceof PdfString) buffer.push(e.bytes);
          else if (typeof e === 'number') {
            if (e !== 0) {
              showText(joined(), e * spaceFactor);
              buffer.length = 0;
            }
          } else notLean('TJ element neither string nor number');
        }
        if (buffer.length) showText(joined(), 0);
        break;
      }
      case 'Do': {
        flush();
        const xobject = file.get(resource(file, page, 'XObject', args[0]));
        if (!isStream(xobject)) return notLean('XObject is not a stream');
        const type = file.get(xobject.dict.get('Subtype'));
        if (!(type instanceof Name) || type.name !== 'Image') notLean('form XObject');
        result.images = true;
        break;
      }
      case 'gs': {
        const gstate = file.dict(resource(file, page, 'ExtGState', args[0]));
        if (!gstate || gstate.has('Font')) notLean('graphics state the lean reader does not apply');
        break;
      }
      default:
        if (FLUSH_OPS.has(op)) flush();
    }
    args.length = 0;
  }
  flush();
  return result;
}

/** The named entry of one of the page's resource dictionaries (`/XObject`, `/ExtGState`). */
function resource(file: PdfFile, page: PageDict, kind: string, name: Value | undefined): Value | undefined {
  if (!(name instanceof Name)) return notLean(`${kind} not named`);
  const dict = file.dict(page.resources.get(kind));
  if (!dict?.has(name.name)) return notLean(`${kind} ${name.name} not in the page resources`);
  return dict.get(name.name);
}

/** pdf-parse's `getPageText` with its default parameters: line breaks, and tabs between cells. */
function joinItems(items: Item[], page: PageDict): string {
  const t = viewportTransform(page.view, page.rotate);
  const LINE_THRESHOLD = 4.6;
  const CELL_THRESHOLD = 7;
  const out: string[] = [];
  let lastX: number | undefined;
  let lastY: number | undefined;
  let lineHeight = 0;
  for (const it of items) {
    const tx = it.x;
    const ty = it.y;
    const x = tx * t[0] + ty * t[2] + t[4];
    const y = tx * t[1] + ty * t[3] + t[5];
    let str = it.str;
    if (lastY !== undefined && Math.abs(lastY - y) > LINE_THRESHOLD) {
      const lastItem = out.length ? out[out.length - 1] : undefined;
      const currentHasNewLine = str.startsWith('\n') || (it.hasEOL && str.trim() === '');
      if (lastItem?.endsWith('\n') === false && !currentHasNewLine) {
        if (Math.abs(lastY - y) - 1 > lineHeight) {
          out.push('\n');
          lineHeight = 0;
        }
      }
    }
    if (lastY !== undefined && Math.abs(lastY - y) < LINE_THRESHOLD) {
      if (lastX !== undefined && Math.abs(lastX - x) > CELL_THRESHOLD) str = `\t${str}`;
    }
    out.push(str);
    lastX = x + it.width;
    lastY = y;
    lineHeight = Math.max(lineHeight, it.height);
    if (it.hasEOL) out.push('\n');
    if (it.hasEOL || str.endsWith('\n')) lineHeight = 0;
  }
  return out.join('');
}

/** pdf.js's `PageViewport` transform at scale 1 (no user unit: such pages are pdf.js's). */
function viewportTransform(viewBox: number[], rotation: number): Matrix {
  const centerX = (viewBox[2] + viewBox[0]) / 2;
  const centerY = (viewBox[3] + viewBox[1]) / 2;
  const [a, b, c, d] =
    rotation === 180
      ? [-1, 0, 0, 1]
      : rotation === 90
        ? [0, 1, 1, 0]
        : rotation === 270
          ? [0, -1, -1, 0]
          : [1, 0, 0, -1];
  const offsetX = a === 0 ? Math.abs(centerY - viewBox[1]) : Math.abs(centerX - viewBox[0]);
  const offsetY = a === 0 ? Math.abs(centerX - viewBox[0]) : Math.abs(centerY - viewBox[1]);
  return [a, b, c, d, offsetX - a * centerX - c * centerY, offsetY - b * centerX - d * centerY];
}

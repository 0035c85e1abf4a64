import { decodeXML } from 'entities';
import { numberText } from '../../extract/office/ooxml.js';
import type { SpanFinder, SubjectSpan } from '../identifiers.js';
import { ActionSkipped } from '../safety.js';
import { type MemberChanges, readMember, readZipLayout, rewriteZip } from './zip-write.js';

/** What takes the place of a span (the placeholder text redaction uses). */
export type SpanReplacement = (s: SubjectSpan) => string;

/**
 * Elements whose text is read as one line (runs joined), so a name split over formatting runs
 * (`<w:t>Sø</w:t></w:r><w:r><w:t>ren</w:t>`) is found and replaced whole. Text outside them is
 * read element by element (properties, authors, cached values).
 */
const BLOCKS = new Set(['w:p', 'a:p', 'text:p', 'text:h', 'si', 'is', 'comment', 'p:text']);
/** Empty elements that read as a space or a break between runs. */
const GAPS = new Set([
  'w:tab',
  'w:ptab',
  'w:br',
  'w:cr',
  'a:br',
  'a:tab',
  'text:s',
  'text:tab',
  'text:line-break',
]);
/** Formulas are left alone (their cached value is redacted, see redactSheetCells). */
const SKIP = new Set(['f']);
/** Attributes that name people or hold links: comment and revision authors, relationship targets, `mailto:` links. */
const ATTRIBUTES = new Set([
  'author',
  'initials',
  'name',
  'displayName',
  'Target',
  'href',
  'creator',
  'string-value',
  'userId',
]);

const TOKEN =
  /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[?!][^>]*>|<(\/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)/g;
const ATTRIBUTE = /(\s)([^\s=]+)(\s*=\s*)("([^"]*)"|'([^']*)')/g;

/**
 * Replaces the subject's identifiers in an Office Open XML or OpenDocument package: every XML part
 * (body, tables, headers and footers, footnotes, comments and their authors, tracked changes, notes,
 * shared strings and cells, relationship targets, properties). Parts with nothing of the subject are
 * copied byte for byte, compressed as they were.
 */
export function redactOfficePackage(
  data: Buffer,
  find: SpanFinder,
  replace: SpanReplacement,
): { bytes: Buffer; spans: SubjectSpan[] } {
  if (data.length < 4 || data.readUInt32LE(0) !== 0x04034b50)
    throw new ActionSkipped('refused', 'not an Office Open XML or OpenDocument package (encrypted?)');
  const layout = readZipLayout(data);
  const changes: MemberChanges = new Map();
  const spans: SubjectSpan[] = [];
  for (const m of layout.members) {
    if (!/\.(xml|rels)$/i.test(m.name)) continue;
    const raw = readMember(data, m);
    if (raw[0] === 0xff || raw[0] === 0xfe) continue; // UTF-16 parts are left to the re-scan check.
    const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
    let xml = raw.subarray(bom).toString('utf8');
    const found: SubjectSpan[] = [];
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(m.name)) xml = redactSheetCells(xml, find, replace, found);
    if (/(^|\/)content\.xml$/.test(m.name)) xml = redactOdfNumberCells(xml, find, replace, found);
    xml = redactXml(xml, find, replace, found);
    if (!found.length) continue;
    spans.push(...found);
    changes.set(m.name, Buffer.concat([raw.subarray(0, bom), Buffer.from(xml, 'utf8')]));
  }
  if (!spans.length)
    throw new ActionSkipped(
      'refused',
      "none of the subject's identifiers were found in the document's parts",
    );
  return { bytes: rewriteZip(data, layout, changes), spans };
}

interface TextPiece {
  token: number;
  /** The start tag of the element the text is in (a `w:t` that comes to begin or end with a space must say to keep it). */
  parent: number;
  start: number;
  end: number;
  text: string;
  cuts: { from: number; to: number; insert: string }[];
}

/** The XML with the subject's spans in its text and in the named attributes replaced; markup kept. */
export function redactXml(
  xml: string,
  find: SpanFinder,
  replace: SpanReplacement,
  found: SubjectSpan[],
): string {
  const tokens: string[] = [];
  const open: string[] = [];
  const openTokens: number[] = [];
  let group: { text: string; pieces: TextPiece[] } = { text: '', pieces: [] };
  let skipping = 0;
  const flush = () => {
    if (group.pieces.length)
      redactGroup(
        group,
        tokens,
        find,
        replace,
        found,
        open.some((n) => BLOCKS.has(n)),
      );
    group = { text: '', pieces: [] };
  };
  const inBlock = () => open.some((n) => BLOCKS.has(n));
  for (const m of xml.matchAll(TOKEN)) {
    const [raw, close, name, attrs, selfClose, text] = m;
    if (text !== undefined) {
      if (!skipping) {
        const decoded = decodeXML(text);
        group.pieces.push({
          token: tokens.length,
          parent: openTokens[openTokens.length - 1] ?? -1,
          start: group.text.length,
          end: group.text.length + decoded.length,
          text: decoded,
          cuts: [],
        });
        group.text += decoded;
      }
      tokens.push(raw);
      continue;
    }
    if (name === undefined) {
      tokens.push(raw);
      continue;
    }
    if (!inBlock() || BLOCKS.has(name)) flush();
    tokens.push(
      close ? raw : `<${name}${redactAttributes(name, attrs ?? '', find, replace, found)}${selfClose}>`,
    );
    if (close) {
      const at = open.lastIndexOf(name);
      if (at >= 0) {
        open.length = at;
        openTokens.length = at;
      }
      if (SKIP.has(name)) skipping = Math.max(0, skipping - 1);
    } else if (!selfClose) {
      open.push(name);
      openTokens.push(tokens.length - 1);
      if (SKIP.has(name)) skipping++;
    } else if (GAPS.has(name)) group.text += ' ';
  }
  flush();
  return tokens.join('');
}

function redactGroup(
  group: { text: string; pieces: TextPiece[] },
  tokens: string[],
  find: SpanFinder,
  replace: SpanReplacement,
  found: SubjectSpan[],
  block: boolean,
): void {
  const spans = find(group.text, !block);
  if (!spans.length) return;
  found.push(...spans);
  for (const s of spans) {
    let placed = false;
    for (const p of group.pieces) {
      const from = Math.max(s.start, p.start);
      const to = Math.min(s.end, p.end);
      if (from >= to) continue;
      // The placeholder goes where the span begins; the rest of a split name is cut from later runs.
      p.cuts.push({ from: from - p.start, to: to - p.start, insert: placed ? '' : replace(s) });
      placed = true;
    }
  }
  for (const p of group.pieces) {
    if (!p.cuts.length) continue;
    let out = '';
    let at = 0;
    for (const c of p.cuts.sort((a, b) => a.from - b.from)) {
      out += p.text.slice(at, c.from) + c.insert;
      at = c.to;
    }
    const text = out + p.text.slice(at);
    tokens[p.token] = escapeText(text);
    const parent = tokens[p.parent] ?? '';
    if (/^<w:t[\s>]/.test(parent) && /^\s|\s$/.test(text) && !parent.includes('xml:space'))
      tokens[p.parent] = parent.replace(/^<w:t/, '<w:t xml:space="preserve"');
  }
}

function redactAttributes(
  element: string,
  attrs: string,
  find: SpanFinder,
  replace: SpanReplacement,
  found: SubjectSpan[],
): string {
  if (!attrs) return attrs;
  return attrs.replace(
    ATTRIBUTE,
    (all, space: string, name: string, eq: string, _q, dq?: string, sq?: string) => {
      const local = name.slice(name.indexOf(':') + 1);
      if (!ATTRIBUTES.has(local)) return all;
      let value = decodeXML(dq ?? sq ?? '');
      if (local === 'Target' || local === 'href') value = decodeUri(value);
      const spans = find(value, true);
      if (!spans.length) return all;
      found.push(...spans);
      // A sheet's name may not hold brackets: Excel would call the workbook damaged.
      const put = element === 'sheet' ? (s: SubjectSpan) => replace(s).replace(/[[\]]/g, '') : replace;
      return `${space}${name}${eq}"${escapeText(splice(value, spans, put)).replace(/"/g, '&quot;')}"`;
    },
  );
}

const CELL = /<c(\s[^>]*?)?(?:\/>|>([\s\S]*?)<\/c>)/g;

/**
 * Spreadsheet cells: a number or formula-string cell holding the subject's value becomes an inline
 * string with the placeholder; a formula is kept and only its cached value dropped (recalculated on
 * opening). Shared strings are redacted where they are stored (sharedStrings.xml).
 */
function redactSheetCells(
  xml: string,
  find: SpanFinder,
  replace: SpanReplacement,
  found: SubjectSpan[],
): string {
  return xml.replace(CELL, (cell, attrs = '', inner?: string) => {
    if (!inner) return cell;
    const type = /\bt="(\w+)"/.exec(attrs)?.[1] ?? 'n';
    const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
    if (v === undefined || (type !== 'n' && type !== 'str')) return cell;
    const shown = type === 'n' ? numberText(v) : decodeXML(v);
    const spans = find(shown);
    if (!spans.length) return cell;
    found.push(...spans);
    if (/<f[\s>/]/.test(inner)) return `<c${attrs}>${inner.replace(/<v>[\s\S]*?<\/v>/, '')}</c>`;
    const rest = attrs.replace(/\s+t="\w+"/, '');
    return `<c${rest} t="inlineStr"><is><t xml:space="preserve">${escapeText(splice(shown, spans, replace))}</t></is></c>`;
  });
}

const ODF_NUMBER_CELL =
  /<table:table-cell\b([^>]*?\boffice:value="([^"]*)"[^>]*?)>([\s\S]*?)<\/table:table-cell>/g;

/** OpenDocument number cells holding the subject's value (a CPR typed as a number) become text cells. */
function redactOdfNumberCells(
  xml: string,
  find: SpanFinder,
  replace: SpanReplacement,
  found: SubjectSpan[],
): string {
  return xml.replace(ODF_NUMBER_CELL, (cell, attrs: string, value: string) => {
    const shown = numberText(value);
    const spans = find(shown);
    if (!spans.length) return cell;
    found.push(...spans);
    const rest = attrs
      .replace(/\s+office:(value|date-value|time-value|boolean-value|currency)="[^"]*"/g, '')
      .replace(/\b(office|calcext):value-type="[^"]*"/g, '$1:value-type="string"');
    return `<table:table-cell${rest}><text:p>${escapeText(splice(shown, spans, replace))}</text:p></table:table-cell>`;
  });
}

function splice(text: string, spans: SubjectSpan[], replace: SpanReplacement): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + replace(s);
    at = s.end;
  }
  return out + text.slice(at);
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function decodeUri(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

import { decodeXML } from 'entities';
import type { OfficePackage } from './package.js';
import {
  attributesOf,
  propertyLines,
  XmlTextReader,
  xmlTextPieces,
  xmlToCheckedText,
  xmlToText,
} from './xml-text.js';

const WORD = {
  text: new Set(['w:t', 'w:delText', 'w:instrText', 'w:delInstrText']),
  block: new Set(['w:p', 'w:tr']),
  tab: new Set(['w:tab', 'w:ptab']),
  br: new Set(['w:br', 'w:cr']),
};
const DRAWING = {
  text: new Set(['a:t']),
  block: new Set(['a:p']),
  br: new Set(['a:br']),
  tab: new Set(['a:tab']),
};
const SHEET_TEXT = { text: new Set(['t']), block: new Set<string>(), skip: new Set(['rPh']) };
const SHEET_COMMENTS = { text: new Set(['t']), block: new Set(['comment']), skip: new Set(['rPh']) };
const PPT_COMMENTS = { text: new Set(['p:text']), block: new Set(['p:cm']) };

/** docProps/core.xml (author, last modified by, title…), app.xml (company, manager) and custom.xml. */
async function properties(pkg: OfficePackage, extra: string[] = []): Promise<void> {
  const lines = [...extra];
  for (const part of ['docProps/core.xml', 'docProps/app.xml', 'docProps/custom.xml']) {
    const xml = await pkg.text(part);
    if (xml) lines.push(...propertyLines(xml));
  }
  pkg.emit([...new Set(lines)].join('\n'), 'properties', true);
}

/** `mailto:` and web links live in relationship parts, not in the text. */
async function links(pkg: OfficePackage, relsPattern: RegExp): Promise<void> {
  const targets: string[] = [];
  for (const part of pkg.names(relsPattern)) {
    const xml = await pkg.text(part);
    if (!xml) continue;
    for (const rel of attributesOf(xml, 'Relationship')) {
      if (rel.TargetMode === 'External' && rel.Target) targets.push(decodeURIComponentSafe(rel.Target));
    }
  }
  pkg.emit([...new Set(targets)].join('\n'), 'links', true);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function authors(xml: string, attr: string): string[] {
  const out = new Set<string>();
  for (const m of xml.matchAll(new RegExp(`\\b${attr}="([^"]+)"`, 'g'))) out.add(m[1]);
  return [...out];
}

/** A part that is not well-formed XML: its text was read leniently and searched, and the damage is reported. */
function damaged(pkg: OfficePackage, part: string, problem: string | undefined): void {
  if (problem)
    pkg.ctx.error(
      'corrupt',
      `${part} is not well-formed XML (${problem}); its text was read as far as it goes`,
    );
}

export async function readDocx(pkg: OfficePackage): Promise<void> {
  const people: string[] = [];
  // The body is read piece by piece: a generated report may run to hundreds of megabytes.
  const revisionAuthors = new Set<string>();
  const body = new XmlTextReader(WORD, (xml) => {
    for (const a of authors(xml, 'w:author')) revisionAuthors.add(a);
  });
  await pkg.ctx.textStream(xmlTextPieces(pkg.textPieces('word/document.xml'), body), {
    field: 'body',
    document: true,
  });
  damaged(pkg, 'word/document.xml', body.problem);
  for (const a of revisionAuthors) people.push(`revision author: ${a}`);
  for (const part of pkg.names(/^word\/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/)) {
    const xml = await pkg.text(part);
    if (!xml) continue;
    const { text, problem } = xmlToCheckedText(xml, WORD);
    pkg.emit(text, part.slice(5, -4));
    damaged(pkg, part, problem);
    for (const a of authors(xml, 'w:author')) people.push(`comment author: ${a}`);
  }
  await properties(pkg, people);
  await links(pkg, /^word\/_rels\/.*\.rels$/);
  await pkg.embeddings(/^word\/embeddings\//);
}

export async function readPptx(pkg: OfficePackage): Promise<void> {
  for (const part of pkg.names(/^ppt\/slides\/slide\d+\.xml$/)) {
    const n = /(\d+)\.xml$/.exec(part)![1];
    const xml = await pkg.text(part);
    if (xml) pkg.emit(xmlToText(xml, DRAWING), `slide ${n}`);
    // Speaker notes are linked from the slide's relationships, not numbered like it.
    const rels = await pkg.text(`ppt/slides/_rels/slide${n}.xml.rels`);
    const notes = attributesOf(rels ?? '', 'Relationship').find((r) => /notesSlide/.test(r.Type ?? ''));
    if (notes?.Target) {
      const notesXml = await pkg.text(resolvePart('ppt/slides/', notes.Target));
      if (notesXml) pkg.emit(xmlToText(notesXml, DRAWING), `notes ${n}`);
    }
  }
  for (const part of pkg.names(/^ppt\/comments\/.*\.xml$/)) {
    const xml = await pkg.text(part);
    if (xml) pkg.emit(xmlToText(xml, PPT_COMMENTS), 'comments');
  }
  const people: string[] = [];
  const commentAuthors = await pkg.text('ppt/commentAuthors.xml');
  if (commentAuthors) for (const a of authors(commentAuthors, 'name')) people.push(`comment author: ${a}`);
  await properties(pkg, people);
  await links(pkg, /^ppt\/slides\/_rels\/.*\.rels$/);
  await pkg.embeddings(/^ppt\/embeddings\//);
}

export async function readXlsx(pkg: OfficePackage): Promise<void> {
  const shared = await sharedStrings(pkg);
  const workbook = (await pkg.text('xl/workbook.xml')) ?? '';
  const rels = attributesOf((await pkg.text('xl/_rels/workbook.xml.rels')) ?? '', 'Relationship');
  const target = new Map(rels.map((r) => [r.Id, resolvePart('xl/', r.Target ?? '')]));
  const sheets = attributesOf(workbook, 'sheet').map((s) => ({
    name: s.name ?? '',
    part: target.get(s['r:id']) ?? '',
  }));
  const listed = new Set(sheets.map((s) => s.part));
  // Sheets missing from the workbook listing are still data.
  for (const part of pkg.names(/^xl\/worksheets\/[^/]+\.xml$/))
    if (!listed.has(part)) sheets.push({ name: part, part });
  for (const sheet of sheets) {
    await pkg.ctx.textStream(sheetTextPieces(pkg.textPieces(sheet.part), shared), {
      field: `sheet ${sheet.name}`,
      document: true,
    });
  }
  pkg.emit(sheets.map((s) => s.name).join('\n'), 'sheet names', true);
  const people: string[] = [];
  for (const part of pkg.names(/^xl\/comments\d*\.xml$/)) {
    const xml = await pkg.text(part);
    if (!xml) continue;
    pkg.emit(xmlToText(xml.replace(/<authors>[\s\S]*?<\/authors>/, ''), SHEET_COMMENTS), 'comments');
    for (const m of xml.matchAll(/<author>([^<]*)<\/author>/g)) people.push(`comment author: ${m[1]}`);
  }
  await properties(pkg, people);
  await links(pkg, /^xl\/worksheets\/_rels\/.*\.rels$/);
  await pkg.embeddings(/^xl\/embeddings\//);
}

const SHARED_STRING = /<si\b[^>]*>([\s\S]*?)<\/si>|<si\b[^>]*\/>/g;

/** The shared strings table, its XML read piece by piece up to the last string begun. */
async function sharedStrings(pkg: OfficePackage): Promise<string[]> {
  const shared: string[] = [];
  const read = (xml: string) => {
    for (const m of xml.matchAll(SHARED_STRING)) shared.push(m[1] ? cellString(m[1]) : '');
  };
  let pending = '';
  for await (const piece of pkg.textPieces('xl/sharedStrings.xml')) {
    pending += piece;
    const cut = lastStringStart(pending);
    if (cut <= 0) continue;
    read(pending.slice(0, cut));
    pending = pending.slice(cut);
  }
  read(pending);
  return shared;
}

function lastStringStart(xml: string): number {
  let at = -1;
  for (const open of ['<si>', '<si ', '<si/', '<si\n', '<si\r', '<si\t'])
    at = Math.max(at, xml.lastIndexOf(open));
  return at;
}

/**
 * One line per row, cells separated by tabs. Numbers are written as integers where they are integers
 * (Excel may store `1.503871236E9`), and a 9-digit number that becomes a valid DDMMYY date with a
 * leading zero is written zero-padded: a CPR number typed into a number cell loses its leading 0.
 */
export function sheetText(xml: string, shared: string[]): string {
  const lines: string[] = [];
  for (const row of xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const cells: string[] = [];
    for (const c of (row[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const type = /\bt="(\w+)"/.exec(c[1])?.[1] ?? 'n';
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      let text = '';
      if (type === 's' && v !== undefined) text = shared[Number(v)] ?? '';
      else if (type === 'inlineStr') text = cellString(inner.replace(/^\s*<is>|<\/is>\s*$/g, ''));
      else if (type === 'str' && v !== undefined) text = decodeXML(v);
      else if (type === 'n' && v !== undefined) text = numberText(v);
      if (text) cells.push(text);
    }
    if (cells.length) lines.push(cells.join('\t'));
  }
  return lines.join('\n');
}

/**
 * `sheetText` over a sheet's XML given piece by piece: rows are read up to the last complete one in
 * what has come, and the pieces joined give the very text `sheetText` gives for the whole sheet.
 */
export async function* sheetTextPieces(xml: AsyncIterable<string>, shared: string[]): AsyncGenerator<string> {
  let pending = '';
  let first = true;
  const rows = function* (part: string) {
    const text = sheetText(part, shared);
    if (!text) return;
    yield first ? text : `\n${text}`;
    first = false;
  };
  for await (const piece of xml) {
    pending += piece;
    const end = pending.lastIndexOf('</row>');
    if (end === -1) continue;
    yield* rows(pending.slice(0, end + 6));
    pending = pending.slice(end + 6);
  }
  yield* rows(pending);
}

const PLAIN_T = /^<t(?:\s[^>]*)?>([^<]*)<\/t>$/;

/** A shared or inline string: most are one plain `<t>`, read without the tokenizer (large sheets). */
function cellString(xml: string): string {
  const plain = PLAIN_T.exec(xml);
  return plain ? decodeXML(plain[1]) : xmlToText(xml, SHEET_TEXT);
}

export function numberText(v: string): string {
  let s = v.trim();
  if (/[eE.]/.test(s)) {
    const n = Number(s);
    if (Number.isInteger(n) && Math.abs(n) < 1e15) s = n.toFixed(0);
  }
  if (/^\d{9}$/.test(s)) {
    const padded = `0${s}`;
    const day = Number(padded.slice(0, 2));
    const month = Number(padded.slice(2, 4));
    if (day >= 1 && day <= 31 && month >= 1 && month <= 12) return padded;
  }
  return s;
}

/** A relationship target relative to the folder of the part that names it. */
function resolvePart(baseDir: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = (baseDir + target).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

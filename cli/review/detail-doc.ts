import { registry } from '../../detectors/index.js';
import type { Finding, Fingerprint, Location } from '../../src/core/types.js';
import { locationText as placeText } from '../../src/report/access/place.js';
import type { DecisionEntry } from '../../src/review/decisions.js';
import { locateMatch } from './highlight.js';
import { labels } from './labels.js';
import type { ReviewIndex, ReviewItem } from './scan-index.js';

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}
export type Line = Segment[];

/**
 * The detail pane's content as blocks whose heights are known up front, so that an item with tens of
 * thousands of findings scrolls by rendering only the lines on screen.
 */
export interface DetailDoc {
  blocks: { height: number; render: () => Line[] }[];
  /** Line offset of each block. */
  offsets: number[];
  total: number;
}

const INDENT = '    ';

/**
 * The text around a finding, wider than the scan's ±40 characters, when the item can be read again;
 * `offset`: where the match starts in it.
 */
export type ReadAround = (
  record: ReviewItem['record'],
  f: Finding,
) => { context: string; offset: number } | undefined;

export function buildDetailDoc(
  index: ReviewIndex,
  item: ReviewItem,
  decision: DecisionEntry | undefined,
  width: number,
  around?: ReadAround,
): DetailDoc {
  const { record } = item;
  const findings = index.findingsByItem.get(record.id) ?? [];
  const mine = findings.filter((f) => f.subject);
  const others = findings.filter((f) => !f.subject);
  const wrapWidth = Math.max(10, width - INDENT.length);
  const blocks: DetailDoc['blocks'] = [];
  const fixed = (lines: Line[]) => blocks.push({ height: lines.length, render: () => lines });

  fixed([
    [{ text: item.location, bold: true }],
    [
      { text: labels().evidence[record.evidence], color: EVIDENCE_COLOR[record.evidence], bold: true },
      {
        text: ` · ${labels().source[item.sourceKind]} ${item.sourceLabel}${record.format ? ` · ${record.format}` : ''}`,
      },
    ],
    [{ text: labels().decision }, ...decisionSegments(decision)],
    [{ text: labels().mine(mine.length), bold: true }],
  ]);
  for (const f of mine) {
    const wide = around?.(record, f);
    blocks.push(
      findingBlock(
        wide ? { ...f, context: wide.context, location: { ...f.location, offset: wide.offset } } : f,
        wrapWidth,
        false,
      ),
    );
  }
  const otherCounts = Object.entries(record.others ?? {})
    .map(([d, n]) => `${detectorLabel(d)} ${n}`)
    .join(' · ');
  if (otherCounts || others.length) {
    fixed([
      [{ text: labels().others, bold: true }],
      [{ text: `  ${otherCounts || labels().othersUnlisted(others.length)}`, color: 'magenta' }],
    ]);
    for (const f of others) {
      const wide = around?.(record, f);
      blocks.push(
        findingBlock(
          wide ? { ...f, context: wide.context, location: { ...f.location, offset: wide.offset } } : f,
          wrapWidth,
          true,
        ),
      );
    }
  }
  const elsewhere = Object.entries(record.messageOthers ?? {})
    .map(([d, n]) => `${detectorLabel(d)} ${n}`)
    .join(' · ');
  if (elsewhere)
    fixed([[{ text: labels().elsewhere, bold: true }], [{ text: `  ${elsewhere}`, color: 'magenta' }]]);
  fixed([
    [{ text: labels().scanned, bold: true }],
    [{ text: `  ${fingerprintText(record.fingerprint)}`, dim: true }],
    [
      {
        text: `  ${labels().scannedAt(formatTime(record.scannedAt ?? index.scan.finishedAt), record.id)}`,
        dim: true,
      },
    ],
  ]);
  const offsets: number[] = [];
  let total = 0;
  for (const b of blocks) {
    offsets.push(total);
    total += b.height;
  }
  return { blocks, offsets, total };
}

/** Lines [top, top + height) of the document. */
export function visibleLines(doc: DetailDoc, top: number, height: number): Line[] {
  const out: Line[] = [];
  let lo = 0;
  let hi = doc.blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (doc.offsets[mid] <= top) lo = mid;
    else hi = mid - 1;
  }
  for (let b = lo; b < doc.blocks.length && out.length < height; b++) {
    const lines = doc.blocks[b].render();
    const from = Math.max(0, top - doc.offsets[b]);
    for (let i = from; i < lines.length && out.length < height; i++) out.push(lines[i]);
  }
  return out;
}

export const EVIDENCE_COLOR: Record<string, string> = {
  confirmed: 'red',
  possible: 'yellow',
  namesake: 'cyan',
};

export const DECISION_COLOR: Record<string, string> = {
  include: 'green',
  exclude: 'gray',
  namesake: 'cyan',
  keep: 'blue',
};

function decisionSegments(d: DecisionEntry | undefined): Segment[] {
  if (!d) return [{ text: labels().undecidedValue, color: 'yellow' }];
  return [
    { text: labels().decisions[d.decision], color: DECISION_COLOR[d.decision], bold: true },
    { text: `${labels().decidedBy(d.by, formatTime(d.at))}${d.note ? ` — ${d.note}` : ''}`, dim: true },
  ];
}

function findingBlock(
  found: Finding,
  width: number,
  other: boolean,
): { height: number; render: () => Line[] } {
  // A context keeps its line breaks (each line of it a row or more) and shows a tab as one visible
  // character, so the rows computed here are the rows drawn.
  const f = { ...found, context: found.context.replace(/\r?\n|\r/g, '\n').replace(/\t/g, '⇥') };
  const rows = contextRows(f.context, width);
  const region = f.location.region ? regionSketch(f.location.region) : [];
  return {
    height: 1 + rows.length + region.length,
    render: () => {
      const head: Line = [
        {
          text: `  ${detectorLabel(f.detector).padEnd(5)} `,
          bold: true,
          color: other ? 'magenta' : undefined,
        },
        { text: locationText(f.location) },
        { text: `  ${Math.round(f.confidence * 100)}%`, dim: true },
      ];
      if (other) head.push({ text: `  ${registry.mask(f.detector, f.value)}`, color: 'magenta' });
      return [head, ...contextLines(f, rows), ...region];
    },
  };
}

/** The [start, end) of each row a context takes: its lines, each cut to the width. */
function contextRows(context: string, width: number): [number, number][] {
  const rows: [number, number][] = [];
  let from = 0;
  for (const line of context.split('\n')) {
    for (let at = 0; at < Math.max(1, line.length); at += width)
      rows.push([from + at, from + Math.min(line.length, at + width)]);
    from += line.length + 1;
  }
  return rows;
}

const SKETCH_W = 24;
const SKETCH_H = 4;

/** Where the face is in the photo: a small frame with the region filled in. */
export function regionSketch(r: { x: number; y: number; w: number; h: number }): Line[] {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const x0 = clamp(Math.floor(r.x * SKETCH_W), SKETCH_W - 1);
  const x1 = clamp(Math.ceil((r.x + r.w) * SKETCH_W), SKETCH_W);
  const y0 = clamp(Math.floor(r.y * SKETCH_H), SKETCH_H - 1);
  const y1 = clamp(Math.ceil((r.y + r.h) * SKETCH_H), SKETCH_H);
  const lines: Line[] = [[{ text: `${INDENT}┌${'─'.repeat(SKETCH_W)}┐`, dim: true }]];
  for (let y = 0; y < SKETCH_H; y++) {
    const inside = y >= y0 && y < y1;
    const fill = inside ? Math.max(1, x1 - x0) : 0;
    lines.push([
      { text: `${INDENT}│${' '.repeat(inside ? x0 : SKETCH_W)}`, dim: true },
      { text: '█'.repeat(fill), color: 'yellow' },
      { text: `${' '.repeat(inside ? SKETCH_W - x0 - fill : 0)}│`, dim: true },
    ]);
  }
  lines.push([{ text: `${INDENT}└${'─'.repeat(SKETCH_W)}┘`, dim: true }]);
  return lines;
}

function contextLines(f: Finding, rows: [number, number][]): Line[] {
  const match = locateMatch(f);
  return rows.map(([at, end]) => {
    const line: Line = [{ text: INDENT }];
    if (!match || match[1] <= at || match[0] >= end) {
      line.push({ text: f.context.slice(at, end), dim: true });
    } else {
      const s = Math.max(at, match[0]);
      const e = Math.min(end, match[1]);
      if (s > at) line.push({ text: f.context.slice(at, s), dim: true });
      line.push({ text: f.context.slice(s, e), inverse: true, bold: true, color: 'yellow' });
      if (e < end) line.push({ text: f.context.slice(e, end), dim: true });
    }
    return line;
  });
}

export function locationText(loc: Location): string {
  const L = labels();
  const parts: string[] = [];
  // In Danish, the place in the words the access report uses ("side 2", "arket Udlæg", "afsenderfeltet").
  if (L.lang === 'da') parts.push(placeText(loc, 'da'));
  else {
    if (loc.field === 'ocr') parts.push(L.ocr);
    else if (loc.field && loc.field !== 'body') parts.push(loc.field);
    if (loc.page !== undefined) parts.push(`page ${loc.page}`);
    if (loc.line !== undefined) parts.push(`line ${loc.line}:${loc.column ?? 1}`);
  }
  if (loc.box) parts.push(L.box(loc.box));
  if (loc.region) {
    const r = loc.region;
    parts.push(
      `${L.faceRegion} x ${r.x.toFixed(2)} y ${r.y.toFixed(2)} w ${r.w.toFixed(2)} h ${r.h.toFixed(2)}`,
    );
  }
  return parts.filter(Boolean).join(' · ') || '—';
}

/** A detector as the screen names it: its id in English (`cpr`, `email`), its short label in Danish. */
export function detectorLabel(id: string): string {
  return labels().lang === 'da' && registry.has(id) ? registry.label(id, 'da').short : id;
}

export function fingerprintText(fp: Fingerprint): string {
  const parts: string[] = [];
  if (fp.size !== undefined) parts.push(`${fp.size} B`);
  const L = labels().fingerprint;
  if (fp.mtimeMs !== undefined) parts.push(`${L.modified} ${formatTime(new Date(fp.mtimeMs).toISOString())}`);
  if (fp.offset !== undefined) parts.push(`${L.offset} ${fp.offset}+${fp.length ?? '?'}`);
  if (fp.uidValidity !== undefined) parts.push(`UIDVALIDITY ${fp.uidValidity} UID ${fp.uid ?? '?'}`);
  if (fp.modseq !== undefined) parts.push(`MODSEQ ${fp.modseq}`);
  if (fp.sha256) parts.push(`sha256 ${fp.sha256.slice(0, 16)}…`);
  return parts.join(' · ') || L.none;
}

/** `2026-11-22T02:42:00.055Z` -> `2026-11-22 02:42:00Z` */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '?';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

import type { DetectorId, Evidence, Finding, ItemRecord, ScanFile } from '../../src/core/types.js';
import type { DecisionEntry } from '../../src/review/decisions.js';
import { labels } from './labels.js';

/** Where an item comes from, as the list groups it. */
export type SourceKind = 'folder' | 'mailbox' | 'archive';

export interface ReviewItem {
  /** Position in the review order (the index into `ReviewIndex.items`). */
  pos: number;
  record: ItemRecord;
  /** Root-relative path plus the nested item path, as shown in a row. */
  location: string;
  sourceKind: SourceKind;
  sourceLabel: string;
  /** Index of the (evidence, source) group this item belongs to. */
  group: number;
  /** Lower-case text the `/` filter searches. */
  search: string;
}

export interface ReviewGroup {
  evidence: Evidence;
  sourceKind: SourceKind;
  sourceLabel: string;
  size: number;
}

/**
 * Everything the review screen needs from a scan, computed once when the scan is opened: the review
 * order, groups, findings per item and counts. Moving and deciding never recompute it.
 */
export interface ReviewIndex {
  scan: ScanFile;
  items: ReviewItem[];
  groups: ReviewGroup[];
  posById: Map<string, number>;
  findingsByItem: Map<string, Finding[]>;
  counts: Record<Evidence, number>;
  /** Items per detector that fired for the subject. */
  detectorCounts: Partial<Record<DetectorId, number>>;
}

/** Judgement is needed on possible and namesake items, so they come first. */
export const EVIDENCE_ORDER: readonly Evidence[] = ['possible', 'namesake', 'confirmed'];

const MAIL_CONTAINER = /\.(mbox|mbx|pst|ost)$/i;

export function buildIndex(
  scan: ScanFile,
  decisions: ReadonlyMap<string, DecisionEntry> = new Map(),
): ReviewIndex {
  const findingsByItem = new Map<string, Finding[]>();
  for (const f of scan.findings) {
    let list = findingsByItem.get(f.itemId);
    if (!list) {
      list = [];
      findingsByItem.set(f.itemId, list);
    }
    list.push(f);
  }
  const counts: Record<Evidence, number> = { confirmed: 0, possible: 0, namesake: 0 };
  const detectorCounts: Partial<Record<DetectorId, number>> = {};
  const prepared = scan.items.map((record) => {
    counts[record.evidence] = (counts[record.evidence] ?? 0) + 1;
    for (const d of record.detectors) detectorCounts[d] = (detectorCounts[d] ?? 0) + 1;
    const rel = relativeToRoots(record.path, scan.roots);
    const source = sourceOf(record, rel);
    const location = [rel, ...record.itemPath.map(labels().step)].join(' › ');
    return {
      record,
      rel,
      location,
      sourceKind: source.kind,
      sourceLabel: source.label,
      evidenceRank: EVIDENCE_ORDER.indexOf(record.evidence),
      decided: decisions.has(record.id) ? 1 : 0,
    };
  });
  prepared.sort(
    (a, b) =>
      a.evidenceRank - b.evidenceRank ||
      compare(a.sourceLabel, b.sourceLabel) ||
      compare(a.sourceKind, b.sourceKind) ||
      a.decided - b.decided ||
      compare(a.location, b.location),
  );
  const groups: ReviewGroup[] = [];
  const items: ReviewItem[] = [];
  const posById = new Map<string, number>();
  for (const p of prepared) {
    const last = groups[groups.length - 1];
    if (
      !last ||
      last.evidence !== p.record.evidence ||
      last.sourceLabel !== p.sourceLabel ||
      last.sourceKind !== p.sourceKind
    ) {
      groups.push({
        evidence: p.record.evidence,
        sourceKind: p.sourceKind,
        sourceLabel: p.sourceLabel,
        size: 0,
      });
    }
    groups[groups.length - 1].size++;
    const pos = items.length;
    posById.set(p.record.id, pos);
    items.push({
      pos,
      record: p.record,
      location: p.location,
      sourceKind: p.sourceKind,
      sourceLabel: p.sourceLabel,
      group: groups.length - 1,
      search: `${p.location} ${p.record.detectors.join(' ')} ${p.record.evidence}`.toLowerCase(),
    });
  }
  return { scan, items, groups, posById, findingsByItem, counts, detectorCounts };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `/abs/root/shared/a.txt` -> `shared/a.txt`; with several roots the root's own name leads. */
export function relativeToRoots(path: string, roots: readonly string[]): string {
  let best = '';
  for (const r of roots) {
    if ((path === r || path.startsWith(`${r}/`)) && r.length > best.length) best = r;
  }
  if (!best) return path;
  const rest = path === best ? (best.split('/').pop() ?? best) : path.slice(best.length + 1);
  if (roots.length > 1) return `${best.split('/').pop()}/${rest}`;
  return rest;
}

/** The folder, mailbox or archive an item sits in. */
export function sourceOf(record: ItemRecord, rel: string): { kind: SourceKind; label: string } {
  if (/^imap:\/\//i.test(record.path)) {
    return {
      kind: 'mailbox',
      label: record.path.replace(/;UIDVALIDITY=.*$/i, '').replace(/\/;UID=.*$/i, ''),
    };
  }
  if (record.message?.kind === 'maildir' && record.message.itemPath.length === 0) {
    // A Maildir message is a file in cur/ or new/: the mailbox is the folder above.
    const parts = rel.split('/');
    return { kind: 'mailbox', label: `${parts.slice(0, -2).join('/') || '.'}/` };
  }
  if (record.itemPath.length > 0) {
    const mail =
      MAIL_CONTAINER.test(record.path) ||
      (record.message !== undefined && ['mbox', 'pst', 'imap'].includes(record.message.kind));
    return { kind: mail ? 'mailbox' : 'archive', label: rel };
  }
  const slash = rel.lastIndexOf('/');
  return { kind: 'folder', label: slash === -1 ? './' : `${rel.slice(0, slash)}/` };
}

export function findingsOf(index: ReviewIndex, itemId: string): Finding[] {
  return index.findingsByItem.get(itemId) ?? [];
}

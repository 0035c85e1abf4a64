import { relative, sep } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import type { Assert, Same } from '../../core/schemas/build.js';
import type { AccessReportSchema } from '../../core/schemas/report.js';
import type {
  DetectorId,
  Evidence,
  Finding,
  Fingerprint,
  ItemRecord,
  Location,
  ScanError,
  ScanFile,
  ScanStats,
  Subject,
} from '../../core/types.js';
import { DEFAULT_KEEP_REASON, type Decision, type ReviewFile } from '../../review/decisions.js';
import type { CategoryPolicy, ControllerProfile } from './controller.js';
import type { Lang } from './i18n.js';
import { maskOthers } from './redact.js';

/**
 * The access report (`dsr.report/1`): one model, rendered as JSON as is and as HTML and CSV.
 * Field-by-field description in docs/file-formats.md; its JSON Schema is src/core/schemas/report.ts.
 */
export interface AccessReport {
  schema: 'dsr.report/1';
  generatedAt: string;
  lang: Lang;
  /**
   * True while items still need a reviewer's decision, or without a controller profile (no purposes,
   * legal basis, retention): the report is not ready for the subject.
   */
  draft: boolean;
  /**
   * Who the report is about: the scan's subject profile, each identifier in full when the subject gave it
   * in the request (`given`), masked (`1503XX-XXXX`) when the organisation added it from its own records.
   */
  subject: Subject;
  /** Which kinds of identifier the subject gave (`--given`); the others are masked in `subject`. */
  given: SubjectField[];
  controller: ControllerProfile | null;
  scan: {
    scanId: string;
    startedAt: string;
    finishedAt: string;
    interrupted: boolean;
    roots: { path: string; kind: 'folder' | 'mailbox' }[];
    stats: ScanStats;
    /** Files listed in the scan's `scanned` (null when the scan ran with --no-file-list). */
    filesListed: number | null;
    /** Symbolic links not followed and special files (pipes, sockets, devices): part of `stats.skipped`. */
    skippedLinks: number;
    skippedSpecial: number;
    errors: ScanError[];
  };
  selection: {
    includePossible: boolean;
    /** The review file read, when one exists beside the scan file. */
    reviewFile: string | null;
    reported: number;
    needsReview: { possible: number; namesake: number };
    excludedByReviewer: number;
    /** Items a reviewer kept (the subject's, kept for a stated reason): reported, with the reason. */
    kept: number;
  };
  categories: ReportCategory[];
  sources: ReportSource[];
  items: ReportItem[];
}

/** The report's JSON is exactly what its schema describes. */
export type AccessReportMatchesSchema = Assert<Same<AccessReport, Static<typeof AccessReportSchema>>>;

export interface ReportCategory {
  id: DetectorId;
  items: number;
  findings: number;
  /** Distinct values found, as normalised by the detector. */
  values: string[];
  policy: CategoryPolicy | null;
}

export interface ReportSource {
  /** What the subject sees as the place: a top folder, a mailbox or a container file. */
  label: string;
  kind: 'folder' | 'mailbox' | 'container' | 'file';
  itemIds: string[];
}

export interface ReportItem {
  id: string;
  path: string;
  itemPath: string[];
  source: string;
  evidence: Evidence;
  /** `include` or `keep` when a reviewer decided so; null for items nobody reviewed. */
  decision: Decision | null;
  /** Why the organisation keeps the item (decision `keep`): the reviewer's reason; null otherwise. */
  keepReason: string | null;
  format: string | null;
  categories: DetectorId[];
  fingerprint: Fingerprint;
  findings: ReportFinding[];
}

export interface ReportFinding {
  id: string;
  category: DetectorId;
  value: string;
  confidence: number;
  location: Location;
  /** Short text around the value; other people's identifiers masked. */
  context: string;
}

export interface ReportOptions {
  lang: Lang;
  includePossible: boolean;
  review: ReviewFile;
  reviewFile?: string | null;
  controller?: ControllerProfile | null;
  /** Kinds of identifier the subject gave in the request (see subjectFields). @default all of them */
  given?: SubjectField[];
  now?: Date;
  /** @default detectors/index.ts */
  registry?: DetectorRegistry;
}

/** A kind of identifier in the subject's profile: the id of the detector that finds it (`--given`). */
export type SubjectField = string;

/** The detectors whose values the subject profile holds (see DetectorMeta.profile), in registry order. */
export function subjectFields(registry: DetectorRegistry = detectors): SubjectField[] {
  return registry.list.filter((d) => d.meta.profile?.length).map((d) => d.meta.id);
}

/** The subject as shown in the report: identifiers the subject did not give are masked. */
function shownSubject(s: Subject, given: SubjectField[], registry: DetectorRegistry): Subject {
  const shown: Subject = {};
  for (const d of registry.list)
    for (const field of d.meta.profile ?? []) {
      const value = s[field];
      const keep = given.includes(d.meta.id);
      if (typeof value === 'string') shown[field] = (keep ? value : d.mask(value)) as never;
      else if (value?.length) shown[field] = (keep ? value : value.map((v) => d.mask(v))) as never;
    }
  return shown;
}

/** Which items the subject sees: confirmed or included ones, never an unreviewed possible or namesake item. */
export function selectItems(
  scan: ScanFile,
  review: ReviewFile,
  includePossible: boolean,
): {
  items: ItemRecord[];
  needsReview: { possible: number; namesake: number };
  excludedByReviewer: number;
  kept: number;
} {
  const items: ItemRecord[] = [];
  const needsReview = { possible: 0, namesake: 0 };
  let excludedByReviewer = 0;
  let kept = 0;
  for (const item of scan.items) {
    const decision = review.decisions[item.id]?.decision;
    if (decision === 'exclude' || decision === 'namesake') excludedByReviewer++;
    else if (decision === 'keep') {
      // The subject's data, kept: the subject is told, with the reason (art. 15(1)(d)).
      kept++;
      items.push(item);
    } else if (decision === 'include' || item.evidence === 'confirmed') items.push(item);
    else if (item.evidence === 'possible' && includePossible) items.push(item);
    else needsReview[item.evidence === 'namesake' ? 'namesake' : 'possible']++;
  }
  return { items, needsReview, excludedByReviewer, kept };
}

export function buildReport(scan: ScanFile, opts: ReportOptions): AccessReport {
  const registry = opts.registry ?? detectors;
  const given = [...(opts.given ?? subjectFields(registry))];
  const { items, needsReview, excludedByReviewer, kept } = selectItems(
    scan,
    opts.review,
    opts.includePossible,
  );
  const findingsByItem = new Map<string, Finding[]>();
  for (const f of scan.findings) {
    if (!f.subject) continue;
    const list = findingsByItem.get(f.itemId) ?? [];
    list.push(f);
    findingsByItem.set(f.itemId, list);
  }
  const mailboxRoots = scan.roots.filter(isRemote);
  const kinds = new Map<string, ReportSource['kind']>();
  const reportItems: ReportItem[] = items.map((item) => {
    const source = sourceOf(item, scan.roots, mailboxRoots);
    kinds.set(item.id, source.kind);
    const findings = (findingsByItem.get(item.id) ?? []).map(
      (f): ReportFinding => ({
        id: f.id,
        category: f.detector,
        value: f.value,
        confidence: f.confidence,
        location: f.location,
        context: maskOthers(f.context, scan.subject, registry),
      }),
    );
    return {
      id: item.id,
      path: item.path,
      itemPath: item.itemPath,
      source: source.label,
      evidence: item.evidence,
      decision: decisionOf(opts.review, item.id),
      keepReason: keepReasonOf(opts.review, item.id),
      format: item.format ?? null,
      categories: [...new Set([...item.detectors, ...findings.map((f) => f.category)])].sort(
        registry.compare,
      ),
      fingerprint: item.fingerprint,
      findings,
    };
  });
  reportItems.sort((a, b) => compareText(a.source, b.source) || compareText(locationKey(a), locationKey(b)));

  // reportItems is sorted by source, then location: each source lists its items in that order.
  const sources = new Map<string, ReportSource>();
  for (const item of reportItems) {
    const entry = sources.get(item.source) ?? { label: item.source, kind: kinds.get(item.id)!, itemIds: [] };
    entry.itemIds.push(item.id);
    sources.set(item.source, entry);
  }

  const categories: ReportCategory[] = registry.ids.map((id) => {
    const withCat = reportItems.filter((r) => r.categories.includes(id));
    const findings = withCat.flatMap((r) => r.findings.filter((f) => f.category === id));
    return {
      id,
      items: withCat.length,
      findings: findings.length,
      values: [...new Set(findings.map((f) => f.value))].sort(compareText),
      policy: opts.controller?.categories[id] ?? null,
    };
  });

  return {
    schema: 'dsr.report/1',
    generatedAt: (opts.now ?? new Date()).toISOString(),
    lang: opts.lang,
    draft: needsReview.possible + needsReview.namesake > 0 || !opts.controller,
    subject: shownSubject(scan.subject, given, registry),
    given,
    controller: opts.controller ?? null,
    scan: {
      scanId: scan.scanId,
      startedAt: scan.startedAt,
      finishedAt: scan.finishedAt,
      interrupted: Boolean(scan.interrupted),
      roots: scan.roots.map((path) => ({ path, kind: isRemote(path) ? 'mailbox' : 'folder' })),
      stats: scan.stats,
      filesListed: scan.scanned ? scan.scanned.length : null,
      skippedLinks: (scan.skippedFiles ?? []).filter((f) => f.reason === 'symlink').length,
      skippedSpecial: (scan.skippedFiles ?? []).filter((f) => f.reason === 'special file').length,
      errors: scan.errors,
    },
    selection: {
      includePossible: opts.includePossible,
      reviewFile: opts.reviewFile ?? null,
      reported: reportItems.length,
      needsReview,
      excludedByReviewer,
      kept,
    },
    categories,
    sources: [...sources.values()],
    items: reportItems,
  };
}

/** A reported item's decision: only `include` and `keep` can reach the report. */
function decisionOf(review: ReviewFile, id: string): Decision | null {
  const d = review.decisions[id]?.decision;
  return d === 'include' || d === 'keep' ? d : null;
}

function keepReasonOf(review: ReviewFile, id: string): string | null {
  const d = review.decisions[id];
  return d?.decision === 'keep' ? d.note?.trim() || DEFAULT_KEEP_REASON : null;
}

function isRemote(path: string): boolean {
  return /^imaps?:\/\//i.test(path);
}

/** Groups an item by mailbox (IMAP), by container file (nested items) or by its top folder under the root. */
function sourceOf(item: ItemRecord, roots: string[], mailboxRoots: string[]): Omit<ReportSource, 'itemIds'> {
  if (isRemote(item.path)) {
    const mailbox = item.path.replace(/;UIDVALIDITY=.*$/i, '').replace(/\/$/, '');
    const root = mailboxRoots.find((r) => mailbox.startsWith(r.replace(/\/$/, '')));
    return { label: mailbox || root || item.path, kind: 'mailbox' };
  }
  if (item.itemPath.length) return { label: item.path, kind: 'container' };
  const root = roots
    .filter((r) => !isRemote(r) && (item.path === r || item.path.startsWith(r.endsWith(sep) ? r : r + sep)))
    .sort((a, b) => b.length - a.length)[0];
  if (!root || item.path === root) return { label: item.path, kind: 'file' };
  const rel = relative(root, item.path).split(sep);
  if (rel.length === 1) return { label: root, kind: 'folder' };
  return { label: `${root}${root.endsWith(sep) ? '' : sep}${rel[0]}`, kind: 'folder' };
}

function locationKey(item: ReportItem): string {
  return [item.path, ...item.itemPath].join('\u0000');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

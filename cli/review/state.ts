import { registry } from '../../detectors/index.js';
import { lowerBound } from '../../src/core/order.js';
import type { DetectorId, Evidence, ItemRecord } from '../../src/core/types.js';
import { isRedactableText } from '../../src/erase/plan.js';
import { foldToken } from '../../src/match/fold.js';
import {
  DEFAULT_KEEP_REASON,
  type Decision,
  type DecisionEntry,
  REVIEW_SCHEMA,
  type ReviewFile,
} from '../../src/review/decisions.js';
import { labels } from './labels.js';
import type { ReviewIndex, ReviewItem } from './scan-index.js';

/**
 * The review screen as a pure state machine: `reduce(state, action)` returns the next state and never
 * does I/O. Saving, plan building and quitting are done by the caller, which reports back with actions.
 */

export type Facet = 'all' | 'undecided' | Evidence | DetectorId;
export const FACETS: readonly Facet[] = [
  'all',
  'undecided',
  'possible',
  'namesake',
  'confirmed',
  ...registry.ids,
];

/** A group header row counts the group's items that pass the filters (`shown`) of all it has. */
export type Row = { kind: 'group'; group: number; shown: number } | { kind: 'item'; pos: number };

/** The items that pass the current filters, as list rows (a header row opens each group). */
export interface View {
  text: string;
  facet: Facet;
  /** Item positions in view, in review order. */
  positions: number[];
  rows: Row[];
  /** Row index of each entry of `positions`. */
  rowOf: number[];
}

/** What a plan would contain, shown before the officer approves it. `token` is the planner's own. */
export interface PlanDraft {
  summary: string[];
  actionCount: number;
  token: unknown;
}

export type Mode =
  | { kind: 'browse' }
  | { kind: 'help' }
  | { kind: 'filter'; draft: string; before: string }
  /** Keeping the current item: the reason being typed (prefilled with its note or DEFAULT_KEEP_REASON). */
  | { kind: 'reason'; draft: string }
  | { kind: 'facets'; cursor: number }
  | { kind: 'busy'; what: string }
  | { kind: 'plan'; draft: PlanDraft; typed: string; error?: string }
  | { kind: 'quit' };

export interface UndoStep {
  label: string;
  changes: { id: string; before: DecisionEntry | undefined }[];
}

export interface ReviewState {
  index: ReviewIndex;
  reviewer: string;
  decisions: Map<string, DecisionEntry>;
  /** Decisions kept in the review file for items this scan does not have. */
  orphans: string[];
  /** Items of this scan with a decision. */
  decided: number;
  undo: UndoStep[];
  view: View;
  /** Index into `view.positions`. */
  cursor: number;
  /** First list row on screen. */
  top: number;
  focus: 'list' | 'detail';
  detailTop: number;
  mode: Mode;
  status: string;
  /** The decisions as last saved (or loaded); entries are shared, so identity tells what changed. */
  saved: ReadonlyMap<string, DecisionEntry>;
  /** Items whose decision differs from the saved one. */
  unsaved: number;
  expectedInitials: string;
}

export type Action =
  /** `by` rows of items; ±Infinity jumps to the ends. `height` is the list's height on screen. */
  | { type: 'move'; by: number; height: number }
  | { type: 'focus' }
  | { type: 'scrollDetail'; by: number; max: number }
  | { type: 'decide'; decision: Decision; at: string; height: number; note?: string }
  | { type: 'toggle'; at: string; height: number }
  /** Keep the current item: ask for the reason. */
  | { type: 'keepStart' }
  | { type: 'reasonDraft'; draft: string }
  /** The reason is given: keep the item with it. */
  | { type: 'keepApply'; at: string; height: number }
  | { type: 'undo'; height: number }
  | { type: 'includeConfirmed'; at: string }
  | { type: 'help' }
  | { type: 'close' }
  | { type: 'filterStart' }
  | { type: 'filterDraft'; draft: string; height: number }
  | { type: 'filterApply' }
  | { type: 'filterCancel'; height: number }
  | { type: 'facetsOpen' }
  | { type: 'facetsMove'; by: number }
  | { type: 'facetApply'; facet: Facet; height: number }
  | { type: 'busy'; what: string }
  | { type: 'saved'; path: string }
  | { type: 'failed'; message: string }
  | { type: 'planBuilt'; draft: PlanDraft }
  | { type: 'planTyped'; typed: string }
  | { type: 'planRejected'; error: string }
  | { type: 'planWritten'; path: string; savedTo?: string }
  | { type: 'quitAsk' }
  | { type: 'status'; text: string };

export function initialState(
  index: ReviewIndex,
  review: Pick<ReviewFile, 'decisions' | 'readAsKeep'>,
  reviewer: string,
): ReviewState {
  const decisions = new Map(Object.entries(review.decisions));
  const orphans = [...decisions.keys()].filter((id) => !index.posById.has(id));
  const decided = decisions.size - orphans.length;
  const parts: string[] = [];
  const msg = labels().msg;
  if (decided) parts.push(msg.restored(decided));
  if (orphans.length) parts.push(msg.orphans(orphans.length));
  if (review.readAsKeep) parts.push(msg.readAsKeep(review.readAsKeep));
  const status = parts.join(' · ') || labels().pressHelp;
  return {
    index,
    reviewer,
    decisions,
    orphans,
    decided,
    undo: [],
    view: buildView(index, decisions, '', 'all'),
    cursor: 0,
    top: 0,
    focus: 'list',
    detailTop: 0,
    mode: { kind: 'browse' },
    status,
    saved: decisions,
    unsaved: 0,
    expectedInitials: initialsOf(index.scan.subject.name),
  };
}

/** `Søren Kjærgaard Østergård` -> `SKØ`; without a name the officer types APPROVE. */
export function initialsOf(name: string | undefined): string {
  const parts = (name ?? '').split(/[\s,.-]+/u).filter(Boolean);
  if (!parts.length) return 'APPROVE';
  return parts.map((p) => [...p][0].toUpperCase()).join('');
}

/** Initials match case-, dot- and transliteration-tolerantly (`skø`, `S.K.O.`, `SKOE`). */
export function initialsMatch(typed: string, expected: string): boolean {
  const fold = (s: string) => foldToken(s.replace(/[^\p{L}]/gu, ''));
  return fold(typed) !== '' && fold(typed) === fold(expected);
}

export function buildView(
  index: ReviewIndex,
  decisions: ReadonlyMap<string, DecisionEntry>,
  text: string,
  facet: Facet,
): View {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  const positions: number[] = [];
  const rows: Row[] = [];
  const rowOf: number[] = [];
  let lastGroup = -1;
  let header: { shown: number } = { shown: 0 };
  for (const item of index.items) {
    if (!passesFacet(item, facet, decisions)) continue;
    if (terms.length && !terms.every((t) => item.search.includes(t))) continue;
    if (item.group !== lastGroup) {
      const row = { kind: 'group' as const, group: item.group, shown: 0 };
      rows.push(row);
      header = row;
      lastGroup = item.group;
    }
    header.shown++;
    rowOf.push(rows.length);
    rows.push({ kind: 'item', pos: item.pos });
    positions.push(item.pos);
  }
  return { text, facet, positions, rows, rowOf };
}

function passesFacet(item: ReviewItem, facet: Facet, decisions: ReadonlyMap<string, DecisionEntry>): boolean {
  switch (facet) {
    case 'all':
      return true;
    case 'undecided':
      return !decisions.has(item.record.id);
    case 'confirmed':
    case 'possible':
    case 'namesake':
      return item.record.evidence === facet;
    default:
      return item.record.detectors.includes(facet);
  }
}

export function currentItem(state: ReviewState): ReviewItem | undefined {
  const pos = state.view.positions[state.cursor];
  return pos === undefined ? undefined : state.index.items[pos];
}

/** The first row to show so that the cursor's row (and its group header) is on screen. */
export function scrollTop(view: View, cursor: number, top: number, height: number): number {
  const h = Math.max(1, height);
  const maxTop = Math.max(0, view.rows.length - h);
  if (!view.positions.length) return 0;
  const row = view.rowOf[cursor];
  let t = Math.min(top, maxTop);
  const headerAbove = row > 0 && view.rows[row - 1].kind === 'group' ? row - 1 : row;
  if (headerAbove < t) t = headerAbove;
  if (row >= t + h) t = row - h + 1;
  return Math.max(0, Math.min(t, maxTop));
}

function withCursor(state: ReviewState, cursor: number, height: number): ReviewState {
  const n = state.view.positions.length;
  const c = n === 0 ? 0 : Math.max(0, Math.min(n - 1, cursor));
  return {
    ...state,
    cursor: c,
    top: scrollTop(state.view, c, state.top, height),
    detailTop: c === state.cursor ? state.detailTop : 0,
  };
}

function withView(state: ReviewState, view: View, height: number): ReviewState {
  // Keep the selected item selected when it is still in view.
  const pos = state.view.positions[state.cursor];
  let cursor = 0;
  if (pos !== undefined) {
    const at = lowerBound(view.positions, pos);
    cursor = Math.min(at, Math.max(0, view.positions.length - 1));
  }
  return withCursor({ ...state, view, top: 0, detailTop: 0 }, cursor, height);
}

function unsavedDelta(
  saved: DecisionEntry | undefined,
  before: DecisionEntry | undefined,
  after: DecisionEntry | undefined,
): number {
  return (after !== saved ? 1 : 0) - (before !== saved ? 1 : 0);
}

function applyChanges(
  state: ReviewState,
  label: string,
  changes: { id: string; after: DecisionEntry | undefined }[],
): ReviewState {
  if (!changes.length) return { ...state, status: labels().msg.nothingToChange(label) };
  const decisions = new Map(state.decisions);
  let { decided, unsaved } = state;
  const step: UndoStep = { label, changes: [] };
  for (const { id, after } of changes) {
    const before = decisions.get(id);
    step.changes.push({ id, before });
    if (after) decisions.set(id, after);
    else decisions.delete(id);
    if (state.index.posById.has(id)) decided += (after ? 1 : 0) - (before ? 1 : 0);
    unsaved += unsavedDelta(state.saved.get(id), before, after);
  }
  return { ...state, decisions, decided, unsaved, undo: [...state.undo, step], status: label };
}

export function reduce(state: ReviewState, action: Action): ReviewState {
  switch (action.type) {
    case 'move': {
      const by = action.by;
      const target =
        by === Number.POSITIVE_INFINITY
          ? state.view.positions.length - 1
          : by === Number.NEGATIVE_INFINITY
            ? 0
            : state.cursor + by;
      return withCursor(state, target, action.height);
    }
    case 'focus':
      return currentItem(state)
        ? { ...state, focus: state.focus === 'list' ? 'detail' : 'list' }
        : { ...state, status: labels().msg.noItem };
    case 'scrollDetail':
      return { ...state, detailTop: Math.max(0, Math.min(action.max, state.detailTop + action.by)) };
    case 'toggle': {
      const item = currentItem(state);
      if (!item) return { ...state, status: labels().msg.noItem };
      // Include and keep: the two answers for the subject's own data (keep asks for the reason).
      if (state.decisions.get(item.record.id)?.decision === 'include')
        return reduce(state, { type: 'keepStart' });
      return reduce(state, { type: 'decide', decision: 'include', at: action.at, height: action.height });
    }
    case 'decide': {
      const item = currentItem(state);
      if (!item) return { ...state, status: labels().msg.noItem };
      const id = item.record.id;
      const { decision } = action;
      const prev = state.decisions.get(id);
      const entry: DecisionEntry = { decision, by: state.reviewer, at: action.at };
      // A keep's note is its reason, which no other decision has; other notes stay with the item.
      const note =
        decision === 'keep'
          ? action.note || DEFAULT_KEEP_REASON
          : prev?.decision === 'keep'
            ? undefined
            : prev?.note;
      if (note) entry.note = note;
      const whole = decision === 'include' && deletedWhole(item.record) ? ` — ${labels().msg.whole}` : '';
      const label = `${labels().decisions[decision]} ${item.location}${decision === 'keep' ? ` (${note})` : ''}${whole}`;
      const next = applyChanges(state, label, [{ id, after: entry }]);
      // Deciding moves on to the next item, as in a mail reader.
      return withCursor(next, next.cursor + 1, action.height);
    }
    case 'keepStart': {
      const item = currentItem(state);
      if (!item) return { ...state, status: labels().msg.noItem };
      const prev = state.decisions.get(item.record.id);
      const draft = prev?.decision === 'keep' && prev.note ? prev.note : DEFAULT_KEEP_REASON;
      return { ...state, mode: { kind: 'reason', draft } };
    }
    case 'reasonDraft':
      return state.mode.kind === 'reason'
        ? { ...state, mode: { kind: 'reason', draft: action.draft } }
        : state;
    case 'keepApply': {
      if (state.mode.kind !== 'reason') return state;
      const note = state.mode.draft.trim() || DEFAULT_KEEP_REASON;
      return reduce(
        { ...state, mode: { kind: 'browse' } },
        { type: 'decide', decision: 'keep', note, at: action.at, height: action.height },
      );
    }
    case 'undo': {
      const step = state.undo[state.undo.length - 1];
      if (!step) return { ...state, status: labels().msg.nothingToUndo };
      const decisions = new Map(state.decisions);
      let { decided, unsaved } = state;
      for (const { id, before } of [...step.changes].reverse()) {
        const now = decisions.get(id);
        if (before) decisions.set(id, before);
        else decisions.delete(id);
        if (state.index.posById.has(id)) decided += (before ? 1 : 0) - (now ? 1 : 0);
        unsaved += unsavedDelta(state.saved.get(id), now, before);
      }
      // Undo goes back to the item it changed, so the officer sees what was undone.
      const pos = state.index.posById.get(step.changes[0].id);
      const at = pos === undefined ? -1 : lowerBound(state.view.positions, pos);
      const cursor = at >= 0 && state.view.positions[at] === pos ? at : state.cursor;
      return withCursor(
        {
          ...state,
          decisions,
          decided,
          unsaved,
          undo: state.undo.slice(0, -1),
          status: labels().msg.undid(step.label),
        },
        cursor,
        action.height,
      );
    }
    case 'includeConfirmed': {
      const changes: { id: string; after: DecisionEntry }[] = [];
      for (const pos of state.view.positions) {
        const { record } = state.index.items[pos];
        if (record.evidence !== 'confirmed' || state.decisions.get(record.id)?.decision === 'include')
          continue;
        changes.push({ id: record.id, after: { decision: 'include', by: state.reviewer, at: action.at } });
      }
      const whole = changes.filter((c) =>
        deletedWhole(state.index.items[state.index.posById.get(c.id)!].record),
      ).length;
      return applyChanges(state, labels().msg.includeConfirmed(changes.length, whole), changes);
    }
    case 'help':
      return { ...state, mode: state.mode.kind === 'help' ? { kind: 'browse' } : { kind: 'help' } };
    case 'close':
      return { ...state, mode: { kind: 'browse' } };
    case 'filterStart':
      return { ...state, mode: { kind: 'filter', draft: state.view.text, before: state.view.text } };
    case 'filterDraft': {
      if (state.mode.kind !== 'filter') return state;
      const view = buildView(state.index, state.decisions, action.draft, state.view.facet);
      return withView({ ...state, mode: { ...state.mode, draft: action.draft } }, view, action.height);
    }
    case 'filterApply':
      return {
        ...state,
        mode: { kind: 'browse' },
        status: state.view.text
          ? labels().msg.textFilter(state.view.text, describeView(state.view))
          : labels().msg.textFilterOff,
      };
    case 'filterCancel': {
      const before = state.mode.kind === 'filter' ? state.mode.before : state.view.text;
      const view = buildView(state.index, state.decisions, before, state.view.facet);
      return withView({ ...state, mode: { kind: 'browse' } }, view, action.height);
    }
    case 'facetsOpen':
      return { ...state, mode: { kind: 'facets', cursor: Math.max(0, FACETS.indexOf(state.view.facet)) } };
    case 'facetsMove': {
      if (state.mode.kind !== 'facets') return state;
      const n = FACETS.length;
      return { ...state, mode: { kind: 'facets', cursor: (state.mode.cursor + action.by + n) % n } };
    }
    case 'facetApply': {
      const view = buildView(state.index, state.decisions, state.view.text, action.facet);
      const next = withView({ ...state, mode: { kind: 'browse' } }, view, action.height);
      return { ...next, status: labels().msg.facetFilter(facetName(action.facet), describeView(view)) };
    }
    case 'busy':
      return { ...state, mode: { kind: 'busy', what: action.what }, status: action.what };
    case 'saved':
      return {
        ...state,
        mode: { kind: 'browse' },
        saved: state.decisions,
        unsaved: 0,
        status: labels().msg.saved(state.decisions.size, action.path),
      };
    case 'failed':
      return { ...state, mode: { kind: 'browse' }, status: labels().msg.failed(action.message) };
    case 'planBuilt':
      return {
        ...state,
        mode: { kind: 'plan', draft: action.draft, typed: '' },
        status: labels().msg.planBuilt,
      };
    case 'planTyped':
      return state.mode.kind === 'plan'
        ? { ...state, mode: { ...state.mode, typed: action.typed, error: undefined } }
        : state;
    case 'planRejected':
      return state.mode.kind === 'plan'
        ? { ...state, mode: { ...state.mode, typed: '', error: action.error }, status: action.error }
        : state;
    case 'planWritten':
      return {
        ...state,
        mode: { kind: 'browse' },
        ...(action.savedTo ? { saved: state.decisions, unsaved: 0 } : {}),
        status: labels().msg.planSealed(action.path, Boolean(action.savedTo)),
      };
    case 'quitAsk':
      return { ...state, mode: { kind: 'quit' } };
    case 'status':
      return { ...state, status: action.text };
  }
}

export function describeView(view: View): string {
  return labels().msg.items(view.positions.length);
}

/** A facet as the filter menu names it in Danish; in English its own name, as before. */
function facetName(facet: Facet): string {
  const l = labels();
  if (l.lang === 'en') return facet;
  return (l.facets as Record<string, string>)[facet] ?? facet;
}

/** The review file to save: every decision, including those for items not in this scan. */
export function toReviewFile(state: ReviewState): ReviewFile {
  const decisions: Record<string, DecisionEntry> = {};
  for (const [id, entry] of state.decisions) decisions[id] = entry;
  return { schema: REVIEW_SCHEMA, scanId: state.index.scan.scanId, decisions };
}

const MEDIA = new Set(['media', 'picasa', 'takeout']);

/**
 * Whether including this item makes the plan delete its file whole: a file of its own (not a member
 * or message) that dsr cannot edit in place (a document, PDF or spreadsheet, not text or a photo) and
 * that holds no one else's identifiers (those make it a manual action). Said when it is included.
 */
export function deletedWhole(record: ItemRecord): boolean {
  if (record.itemPath.length || record.message || MEDIA.has(record.format ?? '')) return false;
  if (Object.values(record.others ?? {}).some((n) => Number(n) > 0)) return false;
  return !isRedactableText(record.format, record.path);
}

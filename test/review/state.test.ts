import { describe, expect, it } from 'vitest';
import { buildIndex, relativeToRoots, sourceOf } from '../../cli/review/scan-index.js';
import {
  type Action,
  buildView,
  currentItem,
  initialState,
  initialsMatch,
  initialsOf,
  type ReviewState,
  reduce,
  scrollTop,
  toReviewFile,
} from '../../cli/review/state.js';
import type { DecisionEntry } from '../../src/review/decisions.js';
import { makeScan, ROOT, sampleScan } from '../helpers/make-scan.js';

const AT = '2026-02-03T04:05:06.000Z';
const H = 10;

function start(decisions: Record<string, DecisionEntry> = {}, scan = sampleScan()): ReviewState {
  return initialState(buildIndex(scan, new Map(Object.entries(decisions))), { decisions }, 'anna');
}

function run(state: ReviewState, ...actions: Action[]): ReviewState {
  return actions.reduce(reduce, state);
}

const ids = (s: ReviewState) => s.view.positions.map((p) => s.index.items[p].record.id);
const selected = (s: ReviewState) => currentItem(s)?.record.id;
const decide = (decision: 'include' | 'exclude' | 'namesake' | 'keep'): Action => ({
  type: 'decide',
  decision,
  at: AT,
  height: H,
});

describe('review order and grouping', () => {
  it('puts possible, then namesake, then confirmed items first, grouped by source', () => {
    const s = start();
    expect(ids(s)).toEqual(['p1', 'z1', 'n1', 'c1', 'c2', 'm1']);
    expect(s.index.groups.map((g) => [g.evidence, g.sourceKind, g.sourceLabel, g.size])).toEqual([
      ['possible', 'folder', 'shared/', 1],
      ['possible', 'archive', 'shared/old.zip', 1],
      ['namesake', 'folder', 'shared/', 1],
      ['confirmed', 'folder', 'home/anna/', 2],
      ['confirmed', 'mailbox', 'mail/inbox.mbox', 1],
    ]);
    // A header row opens each group.
    expect(s.view.rows.map((r) => (r.kind === 'group' ? 'G' : s.index.items[r.pos].record.id))).toEqual([
      'G',
      'p1',
      'G',
      'z1',
      'G',
      'n1',
      'G',
      'c1',
      'c2',
      'G',
      'm1',
    ]);
    expect(s.index.items.find((i) => i.record.id === 'm1')?.location).toBe(
      'mail/inbox.mbox › message <a@example.dk>',
    );
  });

  it('lists undecided items of a group before decided ones when the scan is opened', () => {
    const scan = makeScan([
      { id: 'a', rel: 'f/a.txt', evidence: 'possible' },
      { id: 'b', rel: 'f/b.txt', evidence: 'possible' },
      { id: 'c', rel: 'f/c.txt', evidence: 'possible' },
    ]);
    const s = start({ a: { decision: 'exclude', by: 'x', at: AT } }, scan);
    expect(ids(s)).toEqual(['b', 'c', 'a']);
  });

  it('names the source of an item: folder, mailbox (mbox, Maildir, IMAP) or archive', () => {
    const rec = (over: object) => ({ ...sampleScan().items[0], ...over });
    expect(sourceOf(rec({ path: `${ROOT}/a/b.txt` }), 'a/b.txt')).toEqual({ kind: 'folder', label: 'a/' });
    expect(sourceOf(rec({ path: `${ROOT}/mail/x.mbox`, itemPath: ['m1'] }), 'mail/x.mbox')).toEqual({
      kind: 'mailbox',
      label: 'mail/x.mbox',
    });
    expect(sourceOf(rec({ itemPath: ['a.txt'] }), 'x.zip')).toEqual({ kind: 'archive', label: 'x.zip' });
    expect(
      sourceOf(
        rec({ message: { kind: 'maildir', itemPath: [], fingerprint: {} } }),
        'Maildir/work/cur/1.eml',
      ),
    ).toEqual({ kind: 'mailbox', label: 'Maildir/work/' });
    expect(sourceOf(rec({ path: 'imap://anna@mail.example.dk/INBOX;UIDVALIDITY=7/;UID=42' }), '')).toEqual({
      kind: 'mailbox',
      label: 'imap://anna@mail.example.dk/INBOX',
    });
    expect(relativeToRoots('/a/r1/x.txt', ['/a/r1', '/a/r2'])).toBe('r1/x.txt');
    expect(relativeToRoots('/elsewhere/x.txt', ['/a/r1'])).toBe('/elsewhere/x.txt');
  });
});

describe('decisions and undo', () => {
  it('records who and when, moves to the next item, and counts decided items', () => {
    const s = run(start(), decide('exclude'));
    expect(s.decisions.get('p1')).toEqual({ decision: 'exclude', by: 'anna', at: AT });
    expect(selected(s)).toBe('z1');
    expect(s.decided).toBe(1);
    expect(s.unsaved).toBe(1);
    expect(s.status).toBe('exclude shared/meeting.txt');
  });

  it('space toggles include and keep (keep asks for the reason)', () => {
    const toggle: Action = { type: 'toggle', at: AT, height: H };
    const back: Action = { type: 'move', by: -1, height: H };
    let s = run(start(), toggle);
    expect(s.decisions.get('p1')?.decision).toBe('include');
    s = run(s, back, toggle);
    expect(s.mode).toEqual({ kind: 'reason', draft: 'legal obligation' });
    s = run(s, { type: 'keepApply', at: AT, height: H });
    expect(s.decisions.get('p1')).toEqual({ decision: 'keep', by: 'anna', at: AT, note: 'legal obligation' });
    s = run(s, back, toggle);
    expect(s.decisions.get('p1')).toEqual({ decision: 'include', by: 'anna', at: AT });
    expect(s.decided).toBe(1);
  });

  it('keep asks for the reason (default "legal obligation", editable), records it, and Esc keeps nothing', () => {
    let s = run(start(), { type: 'keepStart' });
    expect(s.mode).toEqual({ kind: 'reason', draft: 'legal obligation' });
    expect(s.decisions.size).toBe(0);
    s = run(
      s,
      { type: 'reasonDraft', draft: 'bogføringsloven § 10: 5 år' },
      { type: 'keepApply', at: AT, height: H },
    );
    expect(s.mode.kind).toBe('browse');
    expect(s.decisions.get('p1')).toEqual({
      decision: 'keep',
      by: 'anna',
      at: AT,
      note: 'bogføringsloven § 10: 5 år',
    });
    expect(s.status).toBe('keep shared/meeting.txt (bogføringsloven § 10: 5 år)');
    expect(selected(s)).toBe('z1');
    // Opened again on a kept item, the prompt shows its reason; an empty reason falls back to the default.
    s = run(s, { type: 'move', by: -1, height: H }, { type: 'keepStart' });
    expect(s.mode).toEqual({ kind: 'reason', draft: 'bogføringsloven § 10: 5 år' });
    s = run(s, { type: 'reasonDraft', draft: '  ' }, { type: 'keepApply', at: AT, height: H });
    expect(s.decisions.get('p1')?.note).toBe('legal obligation');
    // Not the subject's after all: exclude drops the reason, which only a keep has.
    s = run(s, { type: 'move', by: -1, height: H }, decide('exclude'));
    expect(s.decisions.get('p1')).toEqual({ decision: 'exclude', by: 'anna', at: AT });
    // Esc (close) leaves the decisions as they were.
    const before = s.decisions;
    s = run(s, { type: 'keepStart' }, { type: 'close' });
    expect(s.decisions).toBe(before);
    expect(s.mode.kind).toBe('browse');
  });

  it('says how many decisions of an older review file were read as keep', () => {
    const decisions = { p1: { decision: 'keep' as const, by: 'bo', at: AT, note: 'x' } };
    const s = initialState(
      buildIndex(sampleScan(), new Map(Object.entries(decisions))),
      { decisions, readAsKeep: 1 },
      'anna',
    );
    expect(s.status).toBe(
      'restored 1 decision · 1 "exclude" of an older review file read as keep (x meant keep then)',
    );
  });

  it('undo restores the previous decision, returns to the item, and knows when nothing is unsaved', () => {
    let s = run(start(), decide('namesake'), decide('include'));
    expect(s.decided).toBe(2);
    s = run(s, { type: 'undo', height: H });
    expect(s.decisions.has('z1')).toBe(false);
    expect(selected(s)).toBe('z1');
    expect(s.status).toBe('undid: include shared/old.zip › list.txt');
    s = run(s, { type: 'undo', height: H });
    expect(s.decisions.size).toBe(0);
    expect(s.decided).toBe(0);
    expect(s.unsaved).toBe(0);
    expect(run(s, { type: 'undo', height: H }).status).toBe('nothing to undo');
  });

  it('changing a saved decision and undoing it leaves nothing unsaved', () => {
    let s = start({ p1: { decision: 'include', by: 'bo', at: AT } });
    expect(s.status).toBe('restored 1 decision');
    expect(s.decided).toBe(1);
    expect(selected(s)).toBe('p1');
    s = run(s, decide('exclude'));
    expect(s.unsaved).toBe(1);
    expect(s.decided).toBe(1);
    s = run(s, { type: 'undo', height: H });
    expect(s.decisions.get('p1')).toEqual({ decision: 'include', by: 'bo', at: AT });
    expect(s.unsaved).toBe(0);
  });

  it('a includes every confirmed item in view, as one undo step', () => {
    let s = run(start(), { type: 'includeConfirmed', at: AT });
    expect([...s.decisions.keys()].sort()).toEqual(['c1', 'c2', 'm1']);
    expect(s.status).toBe('include 3 confirmed items in view');
    s = run(s, { type: 'undo', height: H });
    expect(s.decisions.size).toBe(0);
    // Only what is in view: with a text filter, the mailbox item stays undecided.
    s = run(
      start(),
      { type: 'filterStart' },
      { type: 'filterDraft', draft: 'home', height: H },
      { type: 'filterApply' },
      { type: 'includeConfirmed', at: AT },
    );
    expect([...s.decisions.keys()].sort()).toEqual(['c1', 'c2']);
  });

  it('saving resets the unsaved count; the review file keeps decisions for items not in the scan', () => {
    let s = start({ gone: { decision: 'include', by: 'bo', at: AT } });
    expect(s.orphans).toEqual(['gone']);
    expect(s.decided).toBe(0);
    expect(s.status).toBe('1 for items not in this scan (kept)');
    s = run(s, decide('exclude'));
    expect(toReviewFile(s)).toEqual({
      schema: 'dsr.review/2',
      scanId: 'scan-1',
      decisions: {
        gone: { decision: 'include', by: 'bo', at: AT },
        p1: { decision: 'exclude', by: 'anna', at: AT },
      },
    });
    s = run(s, { type: 'saved', path: '/x/scan.review.json' });
    expect(s.unsaved).toBe(0);
    expect(s.status).toBe('saved 2 decisions to /x/scan.review.json');
  });
});

describe('filters', () => {
  it('/ filters by every word of the text, live, and Esc restores the previous filter', () => {
    let s = run(start(), { type: 'filterStart' }, { type: 'filterDraft', draft: 'shared', height: H });
    expect(ids(s)).toEqual(['p1', 'z1', 'n1']);
    s = run(s, { type: 'filterDraft', draft: 'shared zip', height: H });
    expect(ids(s)).toEqual(['z1']);
    s = run(s, { type: 'filterApply' });
    expect(s.mode.kind).toBe('browse');
    expect(s.status).toBe('filter "shared zip": 1 item');
    s = run(s, { type: 'filterStart' }, { type: 'filterDraft', draft: 'nothing-like-this', height: H });
    expect(ids(s)).toEqual([]);
    expect(currentItem(s)).toBeUndefined();
    s = run(s, { type: 'filterCancel', height: H });
    expect(ids(s)).toEqual(['z1']);
  });

  it('f filters by evidence level, detector or undecided, keeping the selection when it stays in view', () => {
    let s = run(start(), { type: 'move', by: 3, height: H });
    expect(selected(s)).toBe('c1');
    s = run(s, { type: 'facetApply', facet: 'confirmed', height: H });
    expect(ids(s)).toEqual(['c1', 'c2', 'm1']);
    expect(selected(s)).toBe('c1');
    expect(run(s, { type: 'facetApply', facet: 'phone', height: H }).view.positions.length).toBe(1);
    s = run(start(), decide('include'), { type: 'facetApply', facet: 'undecided', height: H });
    expect(ids(s)).toEqual(['z1', 'n1', 'c1', 'c2', 'm1']);
    expect(s.status).toBe('filter undecided: 5 items');
  });

  it('the facet menu wraps around', () => {
    let s = run(start(), { type: 'facetsOpen' }, { type: 'facetsMove', by: -1 });
    expect(s.mode).toEqual({ kind: 'facets', cursor: 9 });
    s = run(s, { type: 'facetsMove', by: 2 });
    expect(s.mode).toEqual({ kind: 'facets', cursor: 1 });
  });
});

describe('movement over a large scan', () => {
  const big = makeScan(
    Array.from({ length: 20_000 }, (_, i) => ({
      id: `i${i}`,
      rel: `dir${i % 50}/file${String(i).padStart(5, '0')}.txt`,
      evidence: (['confirmed', 'possible', 'namesake'] as const)[i % 3],
    })),
  );
  const index = buildIndex(big);

  it('moves without rebuilding the view or copying decisions', () => {
    const s0 = initialState(index, { decisions: {} }, 'anna');
    const s1 = run(s0, { type: 'move', by: 1, height: 20 }, { type: 'move', by: 20, height: 20 });
    expect(s1.view).toBe(s0.view);
    expect(s1.decisions).toBe(s0.decisions);
    expect(s1.cursor).toBe(21);
    const end = run(s1, { type: 'move', by: Number.POSITIVE_INFINITY, height: 20 });
    expect(end.cursor).toBe(19_999);
    expect(end.top).toBe(end.view.rows.length - 20);
    expect(index.groups.length).toBe(150);
  });

  it('keeps the cursor row and its group header on screen', () => {
    const view = buildView(index, new Map(), '', 'all');
    // Row 0 is a header, row 1 the first item: scrolling back to the top shows the header.
    expect(scrollTop(view, 0, 5, 10)).toBe(0);
    const row = view.rowOf[500];
    expect(scrollTop(view, 500, 0, 10)).toBe(row - 9);
    expect(scrollTop(view, 500, row - 3, 10)).toBe(row - 3);
  });
});

describe('initials that approve a plan', () => {
  it('are the first letters of the name, matched without case, dots or Danish letters', () => {
    expect(initialsOf('Søren Kjærgaard Østergård')).toBe('SKØ');
    expect(initialsOf(undefined)).toBe('APPROVE');
    expect(initialsMatch('skø', 'SKØ')).toBe(true);
    expect(initialsMatch('S.K.O.', 'SKØ')).toBe(true);
    expect(initialsMatch('SKOE', 'SKØ')).toBe(true);
    expect(initialsMatch('SK', 'SKØ')).toBe(false);
    expect(initialsMatch('', 'SKØ')).toBe(false);
  });
});

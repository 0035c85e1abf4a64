import { Box, type Key, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { registry } from '../../detectors/index.js';
import type { Finding, ItemRecord } from '../../src/core/types.js';
import type { ItemText } from '../../src/engine/item-text.js';
import type { Decision, ReviewFile } from '../../src/review/decisions.js';
import { contextAround, contextLinesFor } from './context.js';
import { DetailPane, maxDetailTop } from './DetailPane.js';
import { buildDetailDoc, type ReadAround } from './detail-doc.js';
import { FacetPicker } from './FacetPicker.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { ItemList } from './ItemList.js';
import { labels } from './labels.js';
import type { OpenHow } from './open-item.js';
import { PlanDialog } from './PlanDialog.js';
import { StatusLine } from './StatusLine.js';
import type { ReviewIndex, ReviewItem } from './scan-index.js';
import {
  type Action,
  currentItem,
  FACETS,
  type Facet,
  initialState,
  initialsMatch,
  type PlanDraft,
  type ReviewState,
  reduce,
  toReviewFile,
} from './state.js';

/** Builds and seals erasure plans for the review screen; the screen itself does no I/O. */
export interface Planner {
  build(review: ReviewFile): Promise<PlanDraft>;
  /** Approves and seals the draft and writes it; returns where. */
  approve(draft: PlanDraft, review: ReviewFile): Promise<string>;
}

export interface ReviewAppProps {
  index: ReviewIndex;
  review: Pick<ReviewFile, 'decisions' | 'readAsKeep'>;
  reviewer: string;
  width: number;
  height: number;
  /** Writes the decisions; returns the path written. */
  onSave: (review: ReviewFile) => Promise<string>;
  planner?: Planner;
  /** Called once when the officer leaves. */
  onExit: () => void;
  /** The time stamped on decisions (tests pass a fixed clock). */
  now?: () => string;
  /**
   * Opens the item in `$PAGER` (`o`) or `$EDITOR` (`v`) and returns a status line; the screen is
   * redrawn after. Without it the keys say that opening is not available.
   */
  open?: (item: ReviewItem, findings: Finding[], how: OpenHow) => string;
  /**
   * Reads the item's text again (see readItemText), for more context around each finding than the
   * scan keeps: as many lines as the detail pane has room for. Undefined: the scan's context only.
   */
  readText?: (
    record: ItemRecord,
    findings: readonly Finding[],
    signal: AbortSignal,
  ) => Promise<ItemText | undefined>;
}

/** Items whose text read again is kept, for moving back and forth without reading them again. */
const TEXTS_KEPT = 8;

const HEADER_ROWS = 3;
const STATUS_ROWS = 1;
/** `r` (keep) asks for the reason first; `x`, which meant keep before keep and exclude were told apart, decides nothing. */
const DECISION_KEYS: Record<string, Decision> = { i: 'include', e: 'exclude', n: 'namesake' };

/** The review screen: header, virtualised item list, detail pane, overlays and a status line. */
export function ReviewApp(props: ReviewAppProps) {
  const { index, width, height, onSave, planner, onExit } = props;
  const now = props.now ?? (() => new Date().toISOString());
  const [state, setState] = useState<ReviewState>(() => initialState(index, props.review, props.reviewer));
  // Keys can arrive faster than React renders: read and advance the latest state, not a render's copy.
  const latest = useRef(state);
  const dispatch = (action: Action) => {
    latest.current = reduce(latest.current, action);
    setState(latest.current);
  };

  const body = Math.max(2, height - HEADER_ROWS - STATUS_ROWS);
  const listHeight = Math.max(1, Math.min(body - 1, Math.floor(body * 0.45)));
  const detailHeight = body - listHeight;
  const item = currentItem(state);
  const decision = item ? state.decisions.get(item.record.id) : undefined;
  const texts = useItemTexts(index, item?.record, props.readText);
  const text = item ? texts.get(item.record.id) : undefined;
  const lines = contextLinesFor(detailHeight);
  const around = useMemo<ReadAround | undefined>(
    () => (text ? (_, f) => contextAround(text, f, lines, width - 4) : undefined),
    [text, lines, width],
  );
  const doc = useMemo(
    () => (item ? buildDetailDoc(index, item, decision, width, around) : undefined),
    [index, item, decision, width, around],
  );
  const subject = useMemo(() => registry.maskProfile(index.scan.subject), [index]);

  const run = (what: string, work: () => Promise<Action | undefined>) => {
    dispatch({ type: 'busy', what });
    work().then(
      (next) => next && dispatch(next),
      (err) => dispatch({ type: 'failed', message: (err as Error)?.message ?? String(err) }),
    );
  };
  const save = () =>
    run(labels().msg.saving, async () => ({
      type: 'saved',
      path: await onSave(toReviewFile(latest.current)),
    }));

  const onKey = (input: string, key: Key) => {
    const s = latest.current;
    const h = listHeight;
    switch (s.mode.kind) {
      case 'busy':
        return;
      case 'help':
        if (key.escape || input === '?' || input === 'q' || key.return) dispatch({ type: 'close' });
        return;
      case 'filter':
        if (key.return) dispatch({ type: 'filterApply' });
        else if (key.escape) dispatch({ type: 'filterCancel', height: h });
        else if (key.backspace || key.delete)
          dispatch({ type: 'filterDraft', draft: s.mode.draft.slice(0, -1), height: h });
        else if (input && !key.ctrl && !key.meta)
          dispatch({ type: 'filterDraft', draft: s.mode.draft + input, height: h });
        return;
      case 'reason':
        if (key.return) dispatch({ type: 'keepApply', at: now(), height: h });
        else if (key.escape) {
          dispatch({ type: 'close' });
          dispatch({ type: 'status', text: labels().msg.notKept });
        } else if (key.backspace || key.delete)
          dispatch({ type: 'reasonDraft', draft: s.mode.draft.slice(0, -1) });
        else if (input && !key.ctrl && !key.meta)
          dispatch({ type: 'reasonDraft', draft: s.mode.draft + input });
        return;
      case 'facets': {
        const digit = /^[0-9]$/.test(input) ? Number(input) : undefined;
        if (key.escape) dispatch({ type: 'close' });
        else if (key.downArrow || input === 'j') dispatch({ type: 'facetsMove', by: 1 });
        else if (key.upArrow || input === 'k') dispatch({ type: 'facetsMove', by: -1 });
        else if (key.return) dispatch({ type: 'facetApply', facet: FACETS[s.mode.cursor], height: h });
        else if (digit !== undefined && digit < FACETS.length)
          dispatch({ type: 'facetApply', facet: FACETS[digit], height: h });
        return;
      }
      case 'plan': {
        const mode = s.mode;
        if (key.escape) {
          dispatch({ type: 'close' });
          dispatch({ type: 'status', text: labels().msg.planNotApproved });
        } else if (key.backspace || key.delete)
          dispatch({ type: 'planTyped', typed: mode.typed.slice(0, -1) });
        else if (key.return) {
          if (!initialsMatch(mode.typed, s.expectedInitials)) {
            dispatch({ type: 'planRejected', error: labels().msg.wrongInitials });
          } else if (planner) {
            run(labels().msg.sealing, async () => {
              const review = toReviewFile(latest.current);
              const savedTo = await onSave(review);
              const path = await planner.approve(mode.draft, review);
              return { type: 'planWritten', path, savedTo };
            });
          }
        } else if (input && !key.ctrl && !key.meta)
          dispatch({ type: 'planTyped', typed: mode.typed + input });
        return;
      }
      case 'quit':
        if (input === 'y') {
          dispatch({ type: 'busy', what: labels().msg.saving });
          onSave(toReviewFile(s)).then(onExit, (err) =>
            dispatch({ type: 'failed', message: (err as Error)?.message ?? String(err) }),
          );
        } else if (input === 'n') onExit();
        else if (key.escape || input === 'q') dispatch({ type: 'close' });
        return;
      case 'browse':
        browseKey(input, key, s, h);
    }
  };

  const browseKey = (input: string, key: Key, s: ReviewState, h: number) => {
    const maxTop = maxDetailTop(doc, detailHeight);
    if (key.ctrl && input === 'c') return quit(s);
    if (key.upArrow || key.downArrow || input === 'j' || input === 'k') {
      const by = key.upArrow || input === 'k' ? -1 : 1;
      if (s.focus === 'detail') dispatch({ type: 'scrollDetail', by, max: maxTop });
      else dispatch({ type: 'move', by, height: h });
      return;
    }
    if (key.pageUp || key.pageDown) {
      const by = key.pageUp ? -1 : 1;
      if (s.focus === 'detail') dispatch({ type: 'scrollDetail', by: by * (detailHeight - 2), max: maxTop });
      else dispatch({ type: 'move', by: by * Math.max(1, h - 1), height: h });
      return;
    }
    if (input === 'g' || key.home) {
      if (s.focus === 'detail') dispatch({ type: 'scrollDetail', by: -maxTop - 1, max: maxTop });
      else dispatch({ type: 'move', by: Number.NEGATIVE_INFINITY, height: h });
      return;
    }
    if (input === 'G' || key.end) {
      if (s.focus === 'detail') dispatch({ type: 'scrollDetail', by: maxTop + 1, max: maxTop });
      else dispatch({ type: 'move', by: Number.POSITIVE_INFINITY, height: h });
      return;
    }
    if (key.return || key.tab) return dispatch({ type: 'focus' });
    if (key.escape) {
      if (s.focus === 'detail') dispatch({ type: 'focus' });
      return;
    }
    if (DECISION_KEYS[input])
      return dispatch({ type: 'decide', decision: DECISION_KEYS[input], at: now(), height: h });
    switch (input) {
      case 'r':
        return dispatch({ type: 'keepStart' });
      case 'x':
        return dispatch({
          type: 'status',
          text: labels().msg.xNothing,
        });
      case ' ':
        return dispatch({ type: 'toggle', at: now(), height: h });
      case 'u':
        return dispatch({ type: 'undo', height: h });
      case 'a':
        return dispatch({ type: 'includeConfirmed', at: now() });
      case '/':
        return dispatch({ type: 'filterStart' });
      case 'f':
        return dispatch({ type: 'facetsOpen' });
      case 'o':
      case 'v': {
        const it = currentItem(s);
        if (!it) return;
        if (!props.open) return dispatch({ type: 'status', text: labels().msg.openUnavailable });
        const how: OpenHow = input === 'o' ? 'pager' : 'editor';
        return dispatch({
          type: 'status',
          text: props.open(it, index.findingsByItem.get(it.record.id) ?? [], how),
        });
      }
      case '?':
        return dispatch({ type: 'help' });
      case 's':
        return save();
      case 'p':
        if (!planner) return dispatch({ type: 'status', text: labels().msg.planUnavailable });
        return run(labels().msg.building, async () => ({
          type: 'planBuilt',
          draft: await planner.build(toReviewFile(latest.current)),
        }));
      case 'q':
        return quit(s);
    }
  };

  const quit = (s: ReviewState) => {
    if (s.unsaved > 0) dispatch({ type: 'quitAsk' });
    else onExit();
  };

  useInput((input, key) => {
    // Keys typed fast or sent by a script arrive as one string ("x\ra"): take them one by one.
    if (input.length > 1 && !key.escape && !key.meta) {
      for (const [ch, flags] of splitBurst(input)) onKey(ch, { ...key, ...flags });
      return;
    }
    onKey(input, key);
  });

  const where = `${state.view.positions.length ? state.cursor + 1 : 0}/${state.view.positions.length}${
    state.view.facet !== 'all' ? ` · ${state.view.facet}` : ''
  }${state.view.text ? ` · /${state.view.text}` : ''}`;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header
        subject={subject}
        roots={index.scan.roots}
        counts={index.counts}
        total={index.items.length}
        decided={state.decided}
        errors={index.scan.errors.length}
        orphans={state.orphans.length}
        dirty={state.unsaved > 0}
        width={width}
      />
      {renderBody(state, {
        index,
        width,
        body,
        listHeight,
        detailHeight,
        doc,
      })}
      <StatusLine
        status={state.status}
        filterDraft={state.mode.kind === 'filter' ? state.mode.draft : undefined}
        reasonDraft={state.mode.kind === 'reason' ? state.mode.draft : undefined}
        matches={state.view.positions.length}
        askQuit={state.mode.kind === 'quit' ? { unsaved: state.unsaved } : undefined}
        where={where}
        width={width}
      />
    </Box>
  );
}

/** The selected item's text read again, once per item, the last few kept; null when it cannot be read. */
function useItemTexts(
  index: ReviewIndex,
  record: ItemRecord | undefined,
  readText: ReviewAppProps['readText'],
): Map<string, ItemText | null> {
  const [texts, setTexts] = useState<Map<string, ItemText | null>>(() => new Map());
  const id = record?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once per item, whatever else changes
  useEffect(() => {
    if (!record || !readText || texts.has(record.id)) return;
    const stop = new AbortController();
    const keep = (t: ItemText | null) => {
      if (stop.signal.aborted) return;
      setTexts((m) => {
        const next = new Map(m).set(record.id, t);
        for (const old of next.keys()) if (next.size > TEXTS_KEPT) next.delete(old);
        return next;
      });
    };
    readText(record, index.findingsByItem.get(record.id) ?? [], stop.signal).then(
      (t) => keep(t ?? null),
      () => keep(null),
    );
    return () => stop.abort();
  }, [id, readText, index]);
  return texts;
}

const PLAIN = { return: false, tab: false, backspace: false, delete: false, ctrl: false, shift: false };

/** One key per character of a burst, with Enter, Tab and Backspace recognised. */
export function splitBurst(input: string): [string, Partial<Key>][] {
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return ['', { ...PLAIN, return: true }];
    if (ch === '\t') return ['', { ...PLAIN, tab: true }];
    if (ch === '\x7f' || ch === '\b') return ['', { ...PLAIN, backspace: true }];
    return [ch, { ...PLAIN, shift: ch !== ch.toLowerCase() }];
  });
}

function renderBody(
  state: ReviewState,
  p: {
    index: ReviewIndex;
    width: number;
    body: number;
    listHeight: number;
    detailHeight: number;
    doc: ReturnType<typeof buildDetailDoc> | undefined;
  },
) {
  const { mode } = state;
  if (mode.kind === 'help') return <HelpOverlay width={p.width} height={p.body} />;
  if (mode.kind === 'facets') {
    const counts: Partial<Record<Facet, number>> = {
      all: p.index.items.length,
      undecided: p.index.items.length - state.decided,
      ...p.index.counts,
      ...p.index.detectorCounts,
    };
    return (
      <FacetPicker
        facets={FACETS}
        cursor={mode.cursor}
        current={state.view.facet}
        counts={counts}
        width={p.width}
        height={p.body}
      />
    );
  }
  if (mode.kind === 'plan') {
    return (
      <PlanDialog draft={mode.draft} typed={mode.typed} error={mode.error} width={p.width} height={p.body} />
    );
  }
  return (
    <Box flexDirection="column" height={p.body}>
      <ItemList
        index={p.index}
        view={state.view}
        decisions={state.decisions}
        cursor={state.cursor}
        top={state.top}
        height={p.listHeight}
        width={p.width}
        focused={state.focus === 'list'}
      />
      <DetailPane
        doc={p.doc}
        top={state.detailTop}
        height={p.detailHeight}
        width={p.width}
        focused={state.focus === 'detail'}
      />
    </Box>
  );
}

import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DetailPane } from '../../cli/review/DetailPane.js';
import { buildDetailDoc } from '../../cli/review/detail-doc.js';
import { Header } from '../../cli/review/Header.js';
import { ItemList } from '../../cli/review/ItemList.js';
import { type Planner, ReviewApp } from '../../cli/review/ReviewApp.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import { buildView, type PlanDraft } from '../../cli/review/state.js';
import type { ReviewFile } from '../../src/review/decisions.js';
import { makeScan, sampleScan } from '../helpers/make-scan.js';

const AT = '2026-02-03T04:05:06.000Z';
const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  tab: '\t',
  esc: '\u001B',
  backspace: '\u007F',
  pgDown: '\u001B[6~',
  pgUp: '\u001B[5~',
};
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});

function mount(node: React.ReactElement) {
  const r = render(node);
  unmounts.push(r.unmount);
  return r;
}

/** Sends keys one at a time, as a person types, then lets Ink (which renders at most 30 times a second) catch up. */
async function press(stdin: { write: (s: string) => void }, ...keys: string[]) {
  for (const k of keys) {
    stdin.write(k);
    await tick(15);
  }
  await tick(80);
}

function app(over: Partial<React.ComponentProps<typeof ReviewApp>> = {}) {
  const saves: ReviewFile[] = [];
  const onSave = vi.fn(async (r: ReviewFile) => {
    saves.push(r);
    return '/cases/scan.review.json';
  });
  const onExit = vi.fn();
  const props: React.ComponentProps<typeof ReviewApp> = {
    index: buildIndex(sampleScan()),
    review: { decisions: {} },
    reviewer: 'anna',
    width: 80,
    height: 24,
    onSave,
    onExit,
    now: () => AT,
    ...over,
  };
  const r = mount(<ReviewApp {...props} />);
  return { ...r, saves, onSave, onExit, frame: () => r.lastFrame() ?? '' };
}

describe('Header', () => {
  it('shows the masked subject, roots, counts per level, decided/undecided and errors', () => {
    const { lastFrame } = mount(
      <Header
        subject="S. K. Ø., s***@example.dk"
        roots={['/srv/share']}
        counts={{ confirmed: 3, possible: 2, namesake: 1 }}
        total={6}
        decided={2}
        errors={4}
        orphans={1}
        dirty
        width={120}
      />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines[0]).toMatch(/^dsr review · S\. K\. Ø\., s\*\*\*@example\.dk +\[unsaved\]$/);
    expect(lines[1].trimEnd()).toBe('roots: /srv/share');
    expect(lines[2]).toBe(
      'confirmed 3  possible 2  namesake 1  │ decided 2/6 · undecided 4 │ errors 4 │ 1 decision(s) not in scan',
    );
  });
});

describe('ItemList', () => {
  const scan = makeScan(
    Array.from({ length: 100_000 }, (_, i) => ({
      id: `i${i}`,
      rel: `d/f${String(i).padStart(6, '0')}.txt`,
      evidence: 'confirmed' as const,
      detectors: ['cpr' as const],
    })),
  );
  const index = buildIndex(scan);
  const view = buildView(index, new Map(), '', 'all');

  it('renders only the rows on screen out of 100,000, scrolled just enough to show the cursor', () => {
    const decisions = new Map([['i50001', { decision: 'include' as const, by: 'anna', at: AT }]]);
    const { lastFrame } = mount(
      <ItemList
        index={index}
        view={view}
        decisions={decisions}
        cursor={50_001}
        top={0}
        height={4}
        width={50}
        focused
      />,
    );
    expect((lastFrame() ?? '').split('\n')).toEqual([
      `  ·        ${'d/f049998.txt'.padEnd(35)} cpr`,
      `  ·        ${'d/f049999.txt'.padEnd(35)} cpr`,
      `  ·        ${'d/f050000.txt'.padEnd(35)} cpr`,
      `▸ include  ${'d/f050001.txt'.padEnd(35)} cpr`,
    ]);
  });

  it('shows the group header above the first item and an empty view as a hint', () => {
    const { lastFrame } = mount(
      <ItemList
        index={index}
        view={view}
        decisions={new Map()}
        cursor={0}
        top={0}
        height={2}
        width={50}
        focused
      />,
    );
    expect((lastFrame() ?? '').split('\n').map((l) => l.trimEnd())).toEqual([
      'confirmed · folder d/ (100000)',
      `▸ ·        ${'d/f000000.txt'.padEnd(35)} cpr`,
    ]);
    const empty = buildView(index, new Map(), 'no such thing', 'all');
    const r = mount(
      <ItemList
        index={index}
        view={empty}
        decisions={new Map()}
        cursor={0}
        top={0}
        height={2}
        width={60}
        focused
      />,
    );
    expect(r.lastFrame()).toContain('no items match the filters (/ and f change them)');
  });
});

describe('DetailPane', () => {
  it('shows a window of the document with its position, and scrolls', () => {
    const index = buildIndex(sampleScan());
    const item = index.items.find((i) => i.record.id === 'n1')!;
    const doc = buildDetailDoc(index, item, undefined, 60);
    const { lastFrame, rerender } = mount(
      <DetailPane doc={doc} top={0} height={4} width={60} focused={false} />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines[0]).toBe(`── detail (Tab to focus) 1-3/${doc.total} ${'─'.repeat(60 - 30)}`.slice(0, 60));
    expect(lines.slice(1)).toEqual([
      'shared/other.txt'.padEnd(60).trimEnd(),
      'namesake · folder shared/ · text',
      'decision: undecided',
    ]);
    rerender(<DetailPane doc={doc} top={99} height={4} width={60} focused />);
    const end = (lastFrame() ?? '').split('\n');
    expect(end[0]).toContain(`(j/k scroll, Tab back) ${doc.total - 2}-${doc.total}/${doc.total}`);
    expect(end[3]).toBe('  at 2026-01-02 03:04:05Z · item n1');
  });
});

describe('ReviewApp', () => {
  it('moves with j/k and arrows and shows the selected item in the detail pane', async () => {
    const a = app();
    await tick();
    expect(a.frame()).toContain('▸ ·        shared/meeting.txt');
    await press(a.stdin, 'j', KEY.down, 'k');
    expect(a.frame()).toContain('▸ ·        shared/old.zip › list.txt');
    expect(a.frame()).toContain('archive shared/old.zip');
    await press(a.stdin, 'G');
    expect(a.frame()).toContain('▸ ·        mail/inbox.mbox › message <a@example.dk>');
    expect(a.frame()).toContain('6/6 · ? help');
    await press(a.stdin, 'g');
    expect(a.frame()).toContain('1/6 · ? help');
  });

  it('pages with PgUp/PgDn; g/G and j/k scroll the detail pane when it has the focus', async () => {
    const a = app();
    await tick();
    await press(a.stdin, KEY.pgDown);
    expect(a.frame()).toContain('6/6 · ? help');
    await press(a.stdin, KEY.pgUp);
    expect(a.frame()).toContain('1/6 · ? help');
    await press(a.stdin, 'G', 'k', 'k', KEY.tab);
    // home/anna/cv.txt has two findings: its document is 11 lines; the pane shows 10 below its title.
    expect(a.frame()).toContain('── detail (j/k scroll, Tab back) 1-10/11');
    await press(a.stdin, 'G');
    expect(a.frame()).toContain('── detail (j/k scroll, Tab back) 2-11/11');
    expect(a.frame()).toContain('  at 2026-01-02 03:04:05Z · item c1');
    await press(a.stdin, 'k');
    expect(a.frame()).toContain('1-10/11');
    await press(a.stdin, KEY.esc);
    await tick(60);
    expect(a.frame()).toContain('── detail (Tab to focus)');
    expect(a.frame()).toContain('4/6 · ? help');
  });

  it('decides with i, e, n and space, undoes with u, and saves with s', async () => {
    const a = app();
    await tick();
    await press(a.stdin, 'e', 'n', ' ');
    expect(a.frame()).toContain('decided 3/6 · undecided 3');
    expect(a.frame()).toMatch(/exclude +shared\/meeting\.txt/);
    expect(a.frame()).toMatch(/namesake +shared\/old\.zip › list\.txt/);
    expect(a.frame()).toMatch(/include +shared\/other\.txt/);
    expect(a.frame()).toContain('[unsaved]');
    await press(a.stdin, 'u');
    expect(a.frame()).toContain('undid: include shared/other.txt');
    expect(a.frame()).toContain('decided 2/6');
    await press(a.stdin, 's');
    await tick();
    expect(a.onSave).toHaveBeenCalledTimes(1);
    expect(a.saves[0]).toEqual({
      schema: 'dsr.review/2',
      scanId: 'scan-1',
      decisions: {
        p1: { decision: 'exclude', by: 'anna', at: AT },
        z1: { decision: 'namesake', by: 'anna', at: AT },
      },
    });
    expect(a.frame()).toContain('saved 2 decisions to /cases/scan.review.json');
    expect(a.frame()).not.toContain('[unsaved]');
  });

  it('r keeps an item with a reason typed at the prompt; x decides nothing and says which keys do', async () => {
    const a = app();
    await tick();
    await press(a.stdin, 'x');
    expect(a.frame()).toContain("x decides nothing now: e = not the subject's data, r = keep it");
    expect(a.frame()).toContain('decided 0/6');
    await press(a.stdin, 'r');
    expect(a.frame()).toContain('keep, because: legal obligation');
    expect(a.frame()).toContain('Enter keeps it (never erased), Esc cancels');
    // Edit the default reason: erase "obligation", type another word.
    await press(a.stdin, ...Array(10).fill(KEY.backspace), 'h', 'o', 'l', 'd', KEY.enter);
    expect(a.frame()).toContain('keep shared/meeting.txt (legal hold)');
    expect(a.frame()).toMatch(/keep +shared\/meeting\.txt/);
    expect(a.frame()).toContain('decided 1/6');
    // Esc at the prompt changes nothing.
    await press(a.stdin, 'r', KEY.esc);
    await tick(60);
    expect(a.frame()).toContain('not kept: no decision changed');
    expect(a.frame()).toContain('decided 1/6');
    // The detail pane of the kept item shows the reason.
    await press(a.stdin, 'k');
    expect(a.frame()).toMatch(/decision: keep by anna at .* — legal hold/);
    await press(a.stdin, 's');
    await tick();
    expect(a.saves[0].decisions).toEqual({
      p1: { decision: 'keep', by: 'anna', at: AT, note: 'legal hold' },
    });
  });

  it('a includes the confirmed items in view; Enter/Tab focus the detail pane', async () => {
    const a = app();
    await tick();
    await press(a.stdin, 'a');
    expect(a.frame()).toContain('include 3 confirmed items in view');
    await press(a.stdin, KEY.tab);
    expect(a.frame()).toContain('detail (j/k scroll, Tab back)');
    // j now scrolls the detail, not the list.
    await press(a.stdin, 'j');
    expect(a.frame()).toContain('▸ ·        shared/meeting.txt');
    await press(a.stdin, KEY.enter);
    expect(a.frame()).toContain('detail (Tab to focus)');
  });

  it('/ filters live; f filters by evidence or detector', async () => {
    const a = app();
    await tick();
    await press(a.stdin, '/', 'h', 'o', 'm', 'e');
    expect(a.frame()).toContain('/home   2 items · Enter keeps the filter, Esc restores');
    expect(a.frame()).toContain('home/anna/cv.txt');
    expect(a.frame()).not.toContain('shared/meeting.txt');
    await press(a.stdin, KEY.enter);
    expect(a.frame()).toContain('filter "home": 2 items');
    await press(a.stdin, '/', KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.enter);
    expect(a.frame()).toContain('text filter off');
    await press(a.stdin, 'f');
    expect(a.frame()).toContain('── filter (j/k or 0-9, Enter to apply, Esc to cancel)');
    expect(a.frame()).toMatch(/4 evidence: confirmed +3/);
    await press(a.stdin, '3');
    expect(a.frame()).toContain('filter namesake: 1 item');
    expect(a.frame()).toContain('▸ ·        shared/other.txt');
    // The detectors follow in registry order (name, email, phone, cpr, face): cpr is five below namesake.
    await press(a.stdin, 'f', 'j', 'j', 'j', 'j', 'j', KEY.enter);
    expect(a.frame()).toContain('filter cpr: 1 item');
  });

  it('takes a burst of keys in one write one by one, as fast typists and scripts send them', async () => {
    const a = app();
    await tick();
    await press(a.stdin, '/home\rje');
    expect(a.frame()).toContain('decided 1/6');
    expect(a.frame()).toMatch(/exclude +home\/anna\/notes\.txt/);
    expect(a.frame()).toContain('2/2 · /home · ? help');
  });

  it('? shows every key; Esc closes it', async () => {
    const a = app();
    await tick();
    await press(a.stdin, '?');
    for (const k of ['↑/↓ j/k', 'PgUp/PgDn g/G', 'Enter/Tab', 'space', '/', 'q'])
      expect(a.frame()).toContain(k);
    expect(a.frame()).toContain('build the erasure plan, approve it with the initials');
    expect(a.frame()).toContain("keep: the subject's, kept for a reason (reported, not erased)");
    expect(a.frame()).toContain("exclude: not the subject's data (not reported, not erased)");
    await press(a.stdin, KEY.esc);
    await tick(60);
    expect(a.frame()).not.toContain('── keys');
  });

  it('p shows the plan, refuses wrong initials and seals it with the right ones', async () => {
    const drafts: ReviewFile[] = [];
    const draft: PlanDraft = {
      summary: ['delete-file 1', '  delete-file  home/anna/cv.txt'],
      actionCount: 1,
      token: 'T',
    };
    const planner: Planner = {
      build: vi.fn(async (r: ReviewFile) => {
        drafts.push(r);
        return draft;
      }),
      approve: vi.fn(async () => '/cases/scan.plan.json'),
    };
    const a = app({ planner });
    await tick();
    await press(a.stdin, 'e', 'p');
    await tick();
    expect(drafts[0].decisions.p1.decision).toBe('exclude');
    expect(a.frame()).toContain('── erasure plan: 1 action');
    expect(a.frame()).toContain('  delete-file  home/anna/cv.txt');
    expect(a.frame()).toContain("Type the subject's initials to approve and seal the plan (Esc cancels):");
    await press(a.stdin, 'A', 'B', KEY.enter);
    expect(a.frame()).toContain("those are not the subject's initials; try again");
    expect(planner.approve).not.toHaveBeenCalled();
    await press(a.stdin, 's', 'k', 'ø', KEY.enter);
    await tick(60);
    expect(planner.approve).toHaveBeenCalledWith(draft, expect.objectContaining({ scanId: 'scan-1' }));
    // The decisions behind the plan are saved with it.
    expect(a.onSave).toHaveBeenCalledTimes(1);
    expect(a.frame()).toContain('plan approved and sealed: /cases/scan.plan.json (decisions saved)');
  });

  it('Esc at the initials prompt writes nothing', async () => {
    const planner: Planner = {
      build: async () => ({ summary: ['nothing'], actionCount: 0, token: null }),
      approve: vi.fn(async () => 'x'),
    };
    const a = app({ planner });
    await tick();
    await press(a.stdin, 'p');
    await tick();
    await press(a.stdin, 'S', KEY.esc);
    await tick(60);
    expect(a.frame()).toContain('plan not approved; nothing written');
    expect(planner.approve).not.toHaveBeenCalled();
  });

  it('q asks to save unsaved decisions: y saves and quits, n quits, Esc stays', async () => {
    const a = app();
    await tick();
    await press(a.stdin, 'q');
    expect(a.onExit).toHaveBeenCalledTimes(1);

    const b = app();
    await tick();
    await press(b.stdin, 'i', 'q');
    expect(b.frame()).toContain('Save 1 unsaved decision change(s) before quitting?');
    await press(b.stdin, KEY.esc);
    await tick(60);
    expect(b.frame()).not.toContain('before quitting');
    await press(b.stdin, 'q', 'n');
    expect(b.onExit).toHaveBeenCalledTimes(1);
    expect(b.onSave).not.toHaveBeenCalled();

    const c = app();
    await tick();
    await press(c.stdin, 'i', 'q', 'y');
    await tick();
    expect(c.onSave).toHaveBeenCalledTimes(1);
    expect(c.onExit).toHaveBeenCalledTimes(1);
  });

  it('restores saved decisions and reports those for items not in the scan', async () => {
    const a = app({
      review: {
        decisions: {
          p1: { decision: 'include', by: 'bo', at: AT },
          gone: { decision: 'exclude', by: 'bo', at: AT },
        },
      },
    });
    await tick();
    expect(a.frame()).toContain('decided 1/6');
    expect(a.frame()).toContain('restored 1 decision · 1 for items not in this scan (kept)');
    expect(a.frame()).toContain('decision: include by bo at 2026-02-03 04:05:06Z');
  });

  it('fits 80x24: every line at most 80 columns, 24 lines', async () => {
    const a = app();
    await tick();
    const lines = a.frame().split('\n');
    expect(lines.length).toBe(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain('dsr review · S. K. Ø., s***@example.dk, +4521XXXX87, 1503XX-XXXX');
    expect(lines[23]).toMatch(/press \? for keys +1\/6 · \? help$/);
  });
});

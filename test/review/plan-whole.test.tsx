import { describe, expect, it } from 'vitest';
import { draftOf } from '../../cli/review/planner.js';
import type { Plan } from '../../src/erase/plan.js';

const action = (path: string, kind: string, rule: string) => ({
  path,
  itemPath: [],
  kind,
  rule,
  items: ['x'],
});

describe('the plan dialog before approval', () => {
  it('says which included documents will be deleted whole, at the top and on their lines', () => {
    const plan = {
      actions: [
        action('/srv/hr/kontrakt.docx', 'delete-file', 'included-by-reviewer-not-editable'),
        action('/srv/hr/cv.pdf', 'delete-file', 'included-by-reviewer-not-editable'),
        action('/srv/Søren/notes.txt', 'delete-file', 'file-dedicated-to-subject'),
        action('/srv/a.txt', 'redact-text', 'spans'),
      ],
    } as unknown as Plan;
    const draft = draftOf(plan, ['/srv'], '/x/scan.plan.json');
    expect(draft.summary[1]).toBe(
      'WARNING: 2 files will be DELETED WHOLE: dsr cannot edit them (a document or PDF) and a reviewer included them; Esc, then e or r on any that must stay',
    );
    expect(draft.summary).toContain(`  ${'delete-file (whole)'.padEnd(22)} hr/kontrakt.docx`);
    expect(draft.summary).toContain(`  ${'delete-file'.padEnd(22)} Søren/notes.txt`);
    const none = draftOf({ actions: [plan.actions[3]] } as unknown as Plan, ['/srv'], '/x/p.json');
    expect(none.summary.some((l) => l.includes('WHOLE'))).toBe(false);
  });
});

describe('group counts in the item list', () => {
  it('follow the active filter: "2 of 3" under a text filter, the whole count without one', async () => {
    const { render } = await import('ink-testing-library');
    const { ItemList } = await import('../../cli/review/ItemList.js');
    const { buildIndex } = await import('../../cli/review/scan-index.js');
    const { buildView } = await import('../../cli/review/state.js');
    const { makeScan } = await import('../helpers/make-scan.js');
    const index = buildIndex(
      makeScan(
        ['kontrakt-1.txt', 'kontrakt-2.txt', 'ferie.txt'].map((rel, i) => ({
          id: `i${i}`,
          rel: `hr/${rel}`,
          evidence: 'confirmed' as const,
          detectors: ['cpr' as const],
        })),
      ),
    );
    const frame = (text: string) => {
      const r = render(
        <ItemList
          index={index}
          view={buildView(index, new Map(), text, 'all')}
          decisions={new Map()}
          cursor={0}
          top={0}
          height={5}
          width={70}
          focused
        />,
      );
      const out = r.lastFrame() ?? '';
      r.unmount();
      return out.split('\n')[0];
    };
    expect(frame('')).toMatch(/\(3\)\s*$/);
    expect(frame('kontrakt')).toMatch(/\(2 of 3\)\s*$/);
  });
});

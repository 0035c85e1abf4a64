import { describe, expect, it } from 'vitest';
import { draftOf } from '../../cli/review/planner.js';
import type { Plan } from '../../src/erase/plan.js';

const action = (path: string, kind: string, rule: string) => ({ path, itemPath: [], kind, rule, items: ['x'] });

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

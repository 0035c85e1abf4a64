import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { erasurePlanner, planPathFor } from '../../cli/review/planner.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import { initialState, reduce, toReviewFile } from '../../cli/review/state.js';
import { loadPlan } from '../../src/erase/plan.js';
import { sampleScan } from '../helpers/make-scan.js';

const AT = '2026-02-03T04:05:06.000Z';

describe('building and approving a plan from review decisions', () => {
  it('plans confirmed and included items, leaves out excluded and namesake ones, and seals it', async () => {
    const scan = sampleScan();
    let s = initialState(buildIndex(scan), { decisions: {} }, 'anna');
    const go = (id: string, decision: 'include' | 'exclude' | 'namesake' | 'keep') => {
      const cursor = s.view.positions.indexOf(s.index.posById.get(id)!);
      s = reduce({ ...s, cursor }, { type: 'decide', decision, at: AT, height: 10 });
    };
    go('c1', 'exclude');
    go('n1', 'include');
    go('z1', 'namesake');
    const review = toReviewFile(s);

    const dir = mkdtempSync(join(tmpdir(), 'dsr-review-plan-'));
    const planPath = planPathFor(join(dir, 'scan.json'));
    expect(planPath).toBe(join(dir, 'scan.plan.json'));
    const planner = erasurePlanner({
      scan,
      planPath,
      approvedBy: 'anna',
      now: () => new Date(AT),
    });
    const draft = await planner.build(review);
    const planned = (draft.token as { actions: { items: string[] }[] }).actions
      .flatMap((a) => a.items)
      .sort();
    expect(planned).toEqual(['c2', 'm1', 'n1']);
    expect(draft.actionCount).toBe(3);
    expect(draft.summary[1]).toBe(
      'decisions: include 1 · exclude 1 · namesake 1 · keep 0 · confirmed undecided 2 (planned)',
    );
    expect(draft.summary[2]).toBe(`will be written to ${planPath}`);
    expect(draft.summary.some((l) => l.includes('home/anna/notes.txt'))).toBe(true);
    expect(draft.summary.some((l) => l.includes('home/anna/cv.txt'))).toBe(false);

    expect(await planner.approve(draft, review)).toBe(planPath);
    expect(statSync(planPath).mode & 0o777).toBe(0o600);
    const plan = await loadPlan(planPath);
    expect(plan.approval?.by).toBe('anna');
    expect(plan.approval?.at).toBe(AT);
    expect(plan.scanId).toBe('scan-1');
    expect(plan.actions.flatMap((a) => a.items).sort()).toEqual(['c2', 'm1', 'n1']);
  });

  it('never plans a kept item, and shows the keep in the summary', async () => {
    const scan = sampleScan();
    let s = initialState(buildIndex(scan), { decisions: {} }, 'anna');
    const cursor = s.view.positions.indexOf(s.index.posById.get('c2')!);
    s = reduce(
      { ...s, cursor },
      { type: 'decide', decision: 'keep', note: 'legal obligation', at: AT, height: 10 },
    );
    const dir = mkdtempSync(join(tmpdir(), 'dsr-review-plan-'));
    const planner = erasurePlanner({ scan, planPath: join(dir, 'scan.plan.json'), approvedBy: 'anna' });
    const draft = await planner.build(toReviewFile(s));
    const planned = (draft.token as { actions: { items: string[] }[] }).actions
      .flatMap((a) => a.items)
      .sort();
    expect(planned).toEqual(['c1', 'm1']);
    expect(draft.summary[1]).toBe(
      'decisions: include 0 · exclude 0 · namesake 0 · keep 1 · confirmed undecided 2 (planned)',
    );
  });

  it("previews what dsr plan plans: a message with another person's phone is manual, even when included", async () => {
    const scan = sampleScan();
    const m1 = scan.items.find((i) => i.id === 'm1')!;
    m1.fingerprint = { offset: 0, length: 10, sha256: 'a'.repeat(64) };
    m1.message!.fingerprint = m1.fingerprint;
    m1.others = { phone: 1 };
    let s = initialState(buildIndex(scan), { decisions: {} }, 'anna');
    const cursor = s.view.positions.indexOf(s.index.posById.get('m1')!);
    s = reduce({ ...s, cursor }, { type: 'decide', decision: 'include', at: AT, height: 10 });
    const dir = mkdtempSync(join(tmpdir(), 'dsr-review-plan-'));
    const planner = erasurePlanner({ scan, planPath: join(dir, 'scan.plan.json'), approvedBy: 'anna' });
    const draft = await planner.build(toReviewFile(s));
    expect(draft.summary).toContain(
      "  manual                 mail/inbox.mbox › message <a@example.dk> — the message also holds 1 phone number of other people (in its text or attachments; its correspondents' addresses do not count), which removing it would remove too: remove the subject's data from it by hand",
    );
  });

  it('shows the chosen action per message: its attachment removed, the message kept', async () => {
    const scan = sampleScan();
    const m1 = scan.items.find((i) => i.id === 'm1')!;
    m1.itemPath = [...m1.itemPath, 'attachment cv.pdf'];
    m1.format = 'pdf';
    m1.fingerprint = { sha256: 'b'.repeat(64) };
    m1.message!.fingerprint = { offset: 0, length: 10, sha256: 'a'.repeat(64) };
    for (const f of scan.findings) if (f.itemId === 'm1') f.itemPath = m1.itemPath;
    const s = initialState(buildIndex(scan), { decisions: {} }, 'anna');
    const dir = mkdtempSync(join(tmpdir(), 'dsr-review-plan-'));
    const planner = erasurePlanner({ scan, planPath: join(dir, 'scan.plan.json'), approvedBy: 'anna' });
    const draft = await planner.build(toReviewFile(s));
    expect(draft.summary).toContain(
      '  remove-attachment      mail/inbox.mbox › message <a@example.dk> › attachment cv.pdf — the attachment only: the message and its other parts are kept',
    );
  });
});

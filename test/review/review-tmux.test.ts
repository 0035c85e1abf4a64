import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { loadPlan } from '../../src/erase/plan.js';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const { tmux, waitUntil, waitForScreen: waitFor, keys, start, kill: killTmux } = privateTmux('review');

function openReview(scanPath: string) {
  start(`${process.execPath} ${CLI} review ${scanPath} --reviewer officer; echo "EXIT=$?"; sleep 60`);
}

let dir: string;
let scanPath: string;
let scan: ScanFile;
const idOf = (rel: string) => scan.items.find((i) => i.path.endsWith(rel))!.id;

beforeAll(() => {
  const v = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (v.status !== 0)
    throw new Error('tmux is not installed: the review TUI test needs it (apt-get install tmux)');
  dir = tempTree({
    'share/home/anna/contract.txt': 'Kontrakt for Søren Østergård, CPR 150387-1236.\n',
    'share/home/anna/contact.txt': 'Call soren.ostergard@example.dk or +45 21 43 65 87\n',
    'share/shared/meeting.txt': 'Meeting with Søren Østergård tomorrow.\n',
    'share/shared/namesake.txt': 'Søren Østergård, CPR 010190-1234, s.ostergaard@other.dk\n',
  });
  scanPath = join(dir, 'scan.json');
  const r = runCli(['scan', join(dir, 'share'), '--subject', writeSubject(dir), '--out', scanPath]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  scan = JSON.parse(readFileSync(scanPath, 'utf8'));
  expect(scan.items.map((i) => i.evidence).sort()).toEqual([
    'confirmed',
    'confirmed',
    'namesake',
    'possible',
  ]);
});

afterAll(() => {
  killTmux();
});

describe('dsr review in a terminal (tmux)', () => {
  it('excludes an item, includes a namesake, saves, and approves a plan written beside the scan', async () => {
    openReview(scanPath);
    let s = await waitFor('press ? for keys');
    expect(s).toContain('dsr review · S. K. Ø., s***@example.dk, +4521XXXX87, 1503XX-XXXX');
    expect(s).toContain('confirmed 2  possible 1  namesake 1  │ decided 0/4 · undecided 4 │ errors 0');
    // Undecided possible and namesake items come first.
    const rows = s.split('\n').filter((l) => / · {2,}\S+\.txt/.test(l));
    expect(rows.map((l) => l.match(/(\S+\.txt)/)?.[1])).toEqual([
      'shared/meeting.txt',
      'shared/namesake.txt',
      'home/anna/contact.txt',
      'home/anna/contract.txt',
    ]);
    expect(s).toContain('Meeting with Søren Østergård tomorrow.');
    // No raw identifier of the subject on screen outside the contexts being reviewed.
    expect(s).not.toContain('soren.ostergard@example.dk');

    await keys('e'); // not the subject's: exclude the possible item; the cursor moves on to the namesake
    s = await waitFor('exclude shared/meeting.txt');
    expect(s).toContain("other people's identifiers in this item");
    await keys('i'); // the officer knows this one is the subject after all
    s = await waitFor('include shared/namesake.txt');
    expect(s).toContain('decided 2/4 · undecided 2');
    await keys('s');
    await waitFor(`saved 2 decisions to ${join(dir, 'scan.review.json')}`);

    await keys('p');
    s = await waitFor('── erasure plan: 3 actions');
    expect(s).toContain(
      'decisions: include 1 · exclude 1 · namesake 0 · keep 0 · confirmed undecided 2 (planned)',
    );
    expect(s).toContain(`will be written to ${join(dir, 'scan.plan.json')}`);
    expect(s).toContain('shared/namesake.txt');
    expect(s).not.toContain('shared/meeting.txt');
    await keys('X', 'Enter');
    await waitFor("those are not the subject's initials; try again");
    await keys('S', 'K', 'Ø', 'Enter');
    // The path may be cut to the terminal's width: the file itself is checked below.
    await waitFor('plan approved and sealed: ');
    await keys('q');
    await waitFor('EXIT=0');
    tmux('kill-session', '-t', 'review');

    const reviewPath = join(dir, 'scan.review.json');
    expect(statSync(reviewPath).mode & 0o777).toBe(0o600);
    const review = JSON.parse(readFileSync(reviewPath, 'utf8'));
    expect(review.schema).toBe('dsr.review/2');
    expect(review.scanId).toBe(scan.scanId);
    expect(Object.keys(review.decisions).sort()).toEqual([idOf('meeting.txt'), idOf('namesake.txt')].sort());
    expect(review.decisions[idOf('meeting.txt')]).toMatchObject({ decision: 'exclude', by: 'officer' });
    expect(review.decisions[idOf('namesake.txt')]).toMatchObject({ decision: 'include', by: 'officer' });
    expect(Date.parse(review.decisions[idOf('namesake.txt')].at)).toBeGreaterThan(
      Date.parse(scan.finishedAt),
    );

    const planPath = join(dir, 'scan.plan.json');
    expect(statSync(planPath).mode & 0o777).toBe(0o600);
    const plan = await loadPlan(planPath); // checks the seal
    expect(plan.approval?.by).toBe('officer');
    expect(plan.scanId).toBe(scan.scanId);
    expect(plan.actions.flatMap((a) => a.items).sort()).toEqual(
      [idOf('contract.txt'), idOf('contact.txt'), idOf('namesake.txt')].sort(),
    );
  });

  it('restores the saved decisions when the scan is opened again', async () => {
    openReview(scanPath);
    const s = await waitFor('restored 2 decisions');
    expect(s).toContain('decided 2/4 · undecided 2');
    expect(s).toMatch(/exclude +shared\/meeting\.txt/);
    expect(s).toMatch(/include +shared\/namesake\.txt/);
    // A narrow 80x24 terminal still shows the header, the list, the detail pane and the status line.
    tmux('resize-window', '-t', 'review', '-x', '80', '-y', '24');
    // tmux first rewraps the old screen; wait for Ink's redraw at the new size.
    const narrow = await waitUntil('an 80x24 layout', (t) => {
      const lines = t.split('\n');
      return (
        lines.length <= 25 &&
        lines.some((l) => l.startsWith('confirmed 2') && l.includes('decided 2/4')) &&
        lines.some((l) => /^restored 2 decisions +1\/4 · \? help$/.test(l))
      );
    });
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(narrow).toContain('decided 2/4');
    expect(narrow).toContain('── detail (Tab to focus)');
    expect(narrow).toContain('▸ exclude  shared/meeting.txt');
    await keys('q');
    await waitFor('EXIT=0');
    tmux('kill-session', '-t', 'review');
  });

  it('refuses to run without a terminal, with a hint to dsr plan (exit 2)', () => {
    const r = runCli(['review', scanPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'dsr: review needs an interactive terminal (stdin and stdout are not a TTY)\n' +
        'hint: without a terminal use dsr plan SCAN [--include-possible] --approve --approved-by NAME (it reads SCAN.review.json)\n',
    );
  });
});

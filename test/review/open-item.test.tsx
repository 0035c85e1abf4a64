import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contextAround, contextLinesFor } from '../../cli/review/context.js';
import { openCommand, openTarget, readTextAgain } from '../../cli/review/open-item.js';
import { ReviewApp } from '../../cli/review/ReviewApp.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import type { Finding, ItemRecord } from '../../src/core/types.js';
import { tempTree } from '../helpers/cli.js';
import { sampleScan } from '../helpers/make-scan.js';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});

const record = (over: Partial<ItemRecord>): ItemRecord =>
  ({
    id: 'x',
    path: '/srv/a.txt',
    itemPath: [],
    evidence: 'confirmed',
    detectors: [],
    fingerprint: {},
    ...over,
  }) as ItemRecord;
const finding = (line: number, field = 'body'): Finding =>
  ({ subject: true, location: { field, line, column: 1 } }) as Finding;

describe('opening an item from the review screen', () => {
  it('builds the pager and editor command lines: at the line, read-only where the editor can be', () => {
    const t = { file: '/srv/a.txt', line: 12 };
    expect(openCommand('pager', t, {})).toEqual(['less', '+12', '/srv/a.txt']);
    expect(openCommand('pager', t, { PAGER: 'less -R' })).toEqual(['less', '-R', '+12', '/srv/a.txt']);
    expect(openCommand('editor', t, { EDITOR: 'vim' })).toEqual(['vim', '-R', '+12', '/srv/a.txt']);
    expect(openCommand('editor', t, { EDITOR: 'nano' })).toEqual(['nano', '-v', '+12', '/srv/a.txt']);
    expect(openCommand('editor', t, { VISUAL: 'code --wait', EDITOR: 'vim' })).toEqual([
      'code',
      '--wait',
      '/srv/a.txt',
    ]);
    expect(openCommand('editor', { file: '/srv/a.txt' }, {})).toEqual(['vi', '-R', '/srv/a.txt']);
  });

  it('opens a file at its first finding in the text, an mbox message as its own bytes, and refuses a member', () => {
    expect(openTarget(record({}), [finding(1, 'header:From'), finding(9), finding(4)])).toEqual({
      file: '/srv/a.txt',
      line: 4,
    });
    const dir = tempTree({ 'inbox.mbox': 'From a\nSubject: x\n\nfirst\nFrom b\nSubject: y\n\nsecond\n' });
    const mbox = join(dir, 'inbox.mbox');
    const target = openTarget(
      record({ path: mbox, itemPath: ['message #2'], fingerprint: { offset: 25, length: 26 } }),
      [],
    );
    expect('file' in target && readFileSync(target.file, 'utf8')).toBe('From b\nSubject: y\n\nsecond\n');
    expect('file' in target && statSync(target.file).mode & 0o777).toBe(0o600);
    expect(openTarget(record({ itemPath: ['member docs/cv.pdf'] }), [])).toEqual({
      refused: 'member docs/cv.pdf is inside a.txt: open that file',
    });
    expect('refused' in openTarget(record({ path: 'imap://a@h/INBOX;UIDVALIDITY=1/;UID=3' }), [])).toBe(true);
  });

  it('o opens the selected item in the pager and v in the editor, and the status says how it went', async () => {
    const open = vi.fn(() => 'less ended');
    const r = render(
      <ReviewApp
        index={buildIndex(sampleScan())}
        review={{ decisions: {} }}
        reviewer="anna"
        width={100}
        height={24}
        onSave={async () => 'x'}
        onExit={() => {}}
        open={open}
      />,
    );
    unmounts.push(r.unmount);
    await tick(80);
    r.stdin.write('o');
    await tick(80);
    expect(open).toHaveBeenCalledTimes(1);
    const [item, , how] = open.mock.calls[0] as unknown as [{ record: ItemRecord }, Finding[], string];
    expect(how).toBe('pager');
    expect(item.record.id).toBe('p1');
    expect(r.lastFrame()).toContain('less ended');
    r.stdin.write('v');
    await tick(80);
    expect((open.mock.calls[1] as unknown as unknown[])[2]).toBe('editor');
    r.stdin.write('?');
    await tick(80);
    expect(r.lastFrame()).toContain('open the item in $PAGER');
  });
});

describe('more context in the detail pane', () => {
  const text = Array.from({ length: 20 }, (_, i) =>
    i === 9 ? 'CPR 150387-1236 her' : `linje ${i + 1}`,
  ).join('\n');
  const at = text.indexOf('150387-1236');
  const cpr = {
    subject: true,
    detector: 'cpr',
    value: '150387-1236',
    context: 'linje 9\nCPR 150387-1236 her\nlinje 11',
    location: { field: 'body', line: 10, column: 5, offset: at },
  } as Finding;

  it('takes as many lines each side as asked, and where the match starts in them', () => {
    const body = new Map([['body', text]]);
    expect(contextAround(body, cpr, 3, 80)).toEqual({
      context: 'linje 7\nlinje 8\nlinje 9\nCPR 150387-1236 her\nlinje 11\nlinje 12\nlinje 13',
      offset: 'linje 7\nlinje 8\nlinje 9\nCPR '.length,
    });
    expect(contextAround(body, cpr, 1, 80)?.context).toBe('linje 9\nCPR 150387-1236 her\nlinje 11');
    // The item changed: the match is no longer at its offset, or its field is gone.
    expect(contextAround(new Map([['body', `x${text}`]]), cpr, 3, 80)).toBeUndefined();
    expect(contextAround(new Map([['page 1', text]]), cpr, 3, 80)).toBeUndefined();
  });

  it('grows with the pane: one line each side at least', () => {
    expect(contextLinesFor(5)).toBe(1);
    expect(contextLinesFor(11)).toBe(1);
    expect(contextLinesFor(31)).toBe(11);
  });

  it('reads an item again only when it is here and as scanned, and not by OCR', async () => {
    const dir = tempTree({ 'a.txt': text });
    const rec = record({ path: join(dir, 'a.txt'), format: 'text', fingerprint: { size: text.length } });
    const signal = new AbortController().signal;
    expect((await readTextAgain(rec, [cpr], signal))?.get('body')).toBe(text);
    expect(await readTextAgain({ ...rec, fingerprint: { size: 3 } }, [cpr], signal)).toBeUndefined();
    expect(await readTextAgain({ ...rec, host: 'north' }, [cpr], signal)).toBeUndefined();
    expect(await readTextAgain({ ...rec, path: 'imap://a@b/INBOX;UID=1' }, [cpr], signal)).toBeUndefined();
    const ocr = { ...cpr, location: { ...cpr.location, field: 'ocr' } };
    expect(await readTextAgain(rec, [ocr], signal)).toBeUndefined();
  });
});

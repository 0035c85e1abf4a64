import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ScanProgressView } from '../../cli/progress/ScanProgressView.js';
import { ProgressLine } from '../../cli/progress.js';
import type { ScanProgress } from '../../src/engine/scan.js';

const P: ScanProgress = {
  files: 120,
  bytes: 50 * 1024 * 1024,
  findings: 7,
  errors: 1,
  current: '/srv/share/home/anna/contract.pdf',
  elapsedMs: 75_000,
};

/** A terminal-like stream that records what is written. */
class FakeTerminal extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  written = '';
  write(chunk: string | Uint8Array) {
    this.written += String(chunk);
    return true;
  }
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('scan progress on a terminal', () => {
  it('shows files, bytes, rate, findings, errors, time and the current folder', () => {
    const { lastFrame } = render(<ScanProgressView progress={P} width={100} />);
    expect(lastFrame()?.split('\n')).toEqual([
      'scanning 120 files · 50 MB · 683 KB/s · 7 findings · 1 errors · 1:15',
      'in /srv/share/home/anna',
    ]);
  });

  it('shows a bar once the total number of files is known', () => {
    const { lastFrame } = render(<ScanProgressView progress={P} total={240} width={100} />);
    expect(lastFrame()?.split('\n')[1]).toBe(`${'█'.repeat(15)}${'░'.repeat(15)} 50% of 240 files`);
  });

  it('the plain line is written and erased without Ink', () => {
    const out = new FakeTerminal();
    const line = new ProgressLine(out as unknown as NodeJS.WriteStream, { ink: false });
    line.update(P);
    expect(out.written).toBe(
      '\r\x1b[2K120 files · 50 MB · 683 KB/s · 7 findings · 1 errors · /srv/share/home/anna/contract.pdf',
    );
    line.clear();
    expect(out.written.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('Ink takes over once loaded, and clear() leaves the screen clean for the summary', async () => {
    const out = new FakeTerminal();
    const line = new ProgressLine(out as unknown as NodeJS.WriteStream);
    line.update({ ...P, files: 5 });
    const until = Date.now() + 20_000;
    while (!strip(out.written).includes('scanning 5 files') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(strip(out.written)).toContain('scanning 5 files · 50 MB');
    expect(strip(out.written)).toContain('in /srv/share/home/anna');
    const before = out.written.length;
    line.clear();
    const after = out.written.slice(before);
    // Erases the two lines it drew (cursor up + erase line) and draws nothing new.
    expect(after).toContain('\x1b[2K');
    expect(strip(after).trim()).toBe('');
    line.update({ ...P, files: 6 });
    expect(strip(out.written)).not.toContain('scanning 6 files');
  });
});

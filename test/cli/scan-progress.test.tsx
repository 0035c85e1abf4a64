import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { progressText } from '../../cli/progress/line.js';
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
  it('shows files, bytes, rate, findings, errors, time and the current folder on one line', () => {
    const { lastFrame } = render(<ScanProgressView progress={P} width={100} />);
    expect(lastFrame()?.split('\n')).toEqual([
      '120 files · 50 MB · 683 KB/s · 7 findings · 1 error · 1:15 · /srv/share/home/anna',
    ]);
  });

  it('shows done of what the walk found so far, then a percentage and an ETA once the walk ends', () => {
    const walking = { ...P, walk: { files: 300, bytes: 200 * 1024 * 1024, done: false } };
    expect(progressText(walking, 120)).toBe(
      '120 of 300+ files · 50 MB of 200 MB+ · 683 KB/s · 7 findings · 1 error · 1:15 · /srv/share/home/anna',
    );
    const walked = { ...P, walk: { files: 300, bytes: 200 * 1024 * 1024, done: true } };
    // A quarter of the bytes in 75 s: three quarters left take 225 s.
    expect(progressText(walked, 200)).toBe(
      '120/300 files · 50 MB/200 MB · 25% · ETA 3:45 · 683 KB/s · 7 findings · 1 error · 1:15 · /srv/share/home/anna',
    );
    const { lastFrame } = render(<ScanProgressView progress={walked} width={60} />);
    expect(lastFrame()?.split('\n')).toHaveLength(1);
    expect(progressText(walked, 60)).toHaveLength(59);
  });

  it('the plain line is written over itself and erased without Ink', () => {
    const out = new FakeTerminal();
    const line = new ProgressLine(out as unknown as NodeJS.WriteStream, { ink: false });
    line.update(P);
    expect(out.written).toBe(
      '\r120 files · 50 MB · 683 KB/s · 7 findings · 1 error · 1:15 · /srv/share/home/anna\x1b[K',
    );
    line.clear();
    expect(out.written.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('Ink takes over once loaded, and clear() leaves the screen clean for the summary', async () => {
    const out = new FakeTerminal();
    const line = new ProgressLine(out as unknown as NodeJS.WriteStream);
    line.update({ ...P, files: 5 });
    const until = Date.now() + 20_000;
    while (!strip(out.written).includes('5 files · 50 MB · 683') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(strip(out.written)).toContain('5 files · 50 MB · 683 KB/s · 7 findings');
    expect(strip(out.written)).toContain('/srv/share/home/anna');
    const before = out.written.length;
    line.clear();
    const after = out.written.slice(before);
    // Erases the line it drew and draws nothing new.
    expect(after).toContain('\x1b[2K');
    expect(strip(after).trim()).toBe('');
    line.update({ ...P, files: 6 });
    expect(strip(out.written)).not.toContain('6 files · 50 MB');
  });
});

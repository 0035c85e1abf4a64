import type { ScanProgress } from '../src/engine/scan.js';
import { formatBytes } from './summary.js';

/** One self-rewriting status line on a terminal, at most five times a second. Never shows values. */
export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: ScanProgress): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const secs = Math.max(0.001, p.elapsedMs / 1000);
    const rate = formatBytes(p.bytes / secs);
    const width = this.out.columns ?? 100;
    let line = `${p.files} files · ${formatBytes(p.bytes)} · ${rate}/s · ${p.findings} findings · ${p.errors} errors`;
    if (p.current) line += ` · ${p.current}`;
    if (line.length > width - 1) line = `${line.slice(0, width - 2)}…`;
    this.out.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

import type { ScanProgress } from '../src/engine/scan.js';
import type { LiveProgress } from './progress/render-progress.js';
import { formatBytes } from './summary.js';
import { escapeControls } from './terminal.js';

/**
 * Progress on a terminal, at most five times a second, never with a value. A plain self-rewriting line
 * at first; the Ink view (files, MB/s, findings, current folder) takes over once Ink has loaded, which
 * is only ever done on a terminal so that scripted runs do not pay for it.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;
  private closed = false;
  private live: LiveProgress | undefined;
  private latest: ScanProgress | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    opts: { ink?: boolean } = {},
  ) {
    if (opts.ink ?? true) {
      import('./progress/render-progress.js').then(
        ({ startInkProgress }) => {
          if (this.closed) return;
          this.clearLine();
          this.live = startInkProgress(this.out);
          if (this.latest) this.live.update(this.latest, totalOf(this.latest));
        },
        () => {
          // Keep the plain line.
        },
      );
    }
  }

  update(progress: ScanProgress): void {
    if (this.closed) return;
    // The current file's name may hold control characters: shown escaped, on the plain line and in Ink.
    const p = progress.current ? { ...progress, current: escapeControls(progress.current) } : progress;
    this.latest = p;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    if (this.live) {
      this.live.update(p, totalOf(p));
      return;
    }
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
    this.closed = true;
    this.live?.close();
    this.live = undefined;
    this.clearLine();
  }

  private clearLine(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** The engine may tell the number of files once its walk is complete. */
function totalOf(p: ScanProgress): number | undefined {
  return (p as ScanProgress & { totalFiles?: number }).totalFiles;
}

import type { ScanProgress } from '../src/engine/scan.js';
import { progressText } from './progress/line.js';
import type { LiveProgress } from './progress/render-progress.js';
import { escapeControls } from './terminal.js';

/**
 * Progress on a terminal, one line, at most five times a second, never with a value (see progressText).
 * A plain self-rewriting line at first; the Ink view (the same line, in colour) takes over once Ink has loaded, which
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
          if (this.latest) this.live.update(this.latest);
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
      this.live.update(p);
      return;
    }
    // Written over the old line, then the rest of it erased: no blank frame between the two (no flicker).
    this.out.write(`\r${progressText(p, this.out.columns || 100)}\x1b[K`);
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

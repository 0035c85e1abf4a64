import { render } from 'ink';
import type { ScanProgress } from '../../src/engine/scan.js';
import { ScanProgressView } from './ScanProgressView.js';

export interface LiveProgress {
  update(p: ScanProgress): void;
  /** Erases the view, so that the summary starts on a clean line. */
  close(): void;
}

/** Draws the progress view on a terminal stream (stderr), leaving stdin alone. */
export function startInkProgress(out: NodeJS.WriteStream): LiveProgress {
  // A terminal that reports no size (a pseudo-terminal made without one, as `script` does) would
  // have Ink lay the line out zero columns wide, truncated to `…`, and clear the screen at each frame
  // (a frame is never shorter than zero rows): draw it on an 80 by 24 terminal instead.
  if (!out.columns) out.columns = 80;
  if (!out.rows) out.rows = 24;
  const view = (p: ScanProgress) => (
    <ScanProgressView progress={p} width={Math.max(20, (out.columns || 80) - 1)} />
  );
  const app = render(view({ files: 0, bytes: 0, findings: 0, errors: 0, elapsedMs: 0 }), {
    stdout: out,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 10,
  });
  return {
    update: (p) => app.rerender(view(p)),
    close: () => {
      app.clear();
      app.unmount();
    },
  };
}

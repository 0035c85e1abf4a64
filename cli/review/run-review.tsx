import { render } from 'ink';
import { useEffect, useState } from 'react';
import type { ScanFile } from '../../src/core/types.js';
import { type Decision, loadDecisions, type ReviewFile, saveDecisions } from '../../src/review/decisions.js';
import { loadScanFile } from '../../src/scan-file/load.js';
import { requireTerminal } from './no-tty.js';
import { openItem, readTextAgain } from './open-item.js';
import { erasurePlanner, planPathFor } from './planner.js';
import { ReviewApp, type ReviewAppProps } from './ReviewApp.js';
import { buildIndex, type ReviewIndex } from './scan-index.js';

export interface RunReviewOptions {
  scanPath: string;
  reviewer: string;
  stdin?: NodeJS.ReadStream;
  /** Where the screen is drawn (default standard output; stderr under --json, whose summary takes stdout). */
  stdout?: NodeJS.WriteStream;
}

/** What a review session left behind: the --json summary of `dsr review`. */
export interface ReviewOutcome {
  /** The decisions file, when this session wrote it. */
  saved: string | null;
  /** The decisions in force when the session ended (on disk, or as loaded when nothing was saved). */
  decisions: Record<Decision, number>;
  undecided: number;
  /** The approved plan this session wrote. */
  plan: string | null;
}

/** Opens the review screen on a terminal; resolves when the officer quits. */
export async function runReview(opts: RunReviewOptions): Promise<ReviewOutcome> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  requireTerminal(stdin, stdout);
  // A scan with 100,000 findings takes a few seconds to read: say what is happening.
  stdout.write(`reading ${opts.scanPath}…`);
  let scan: ScanFile;
  let review: ReviewFile;
  let index: ReviewIndex;
  try {
    scan = await loadScanFile(opts.scanPath);
    review = await loadDecisions(opts.scanPath, scan.scanId);
    index = buildIndex(scan, new Map(Object.entries(review.decisions)));
  } finally {
    stdout.write('\r\x1b[2K');
  }
  const erasure = erasurePlanner({ scan, planPath: planPathFor(opts.scanPath), approvedBy: opts.reviewer });
  let kept: ReviewFile = review;
  let saved: string | null = null;
  let plan: string | null = null;
  const save = async (r: ReviewFile) => {
    saved = await saveDecisions(opts.scanPath, r);
    kept = r;
    return saved;
  };
  const planner: typeof erasure = {
    build: (r) => erasure.build(r),
    approve: async (draft, r) => {
      plan = await erasure.approve(draft, r);
      return plan;
    },
  };

  // Full screen like other terminal tools; the shell's screen comes back on exit.
  stdout.write('\x1b[?1049h\x1b[H');
  let leave: () => void = () => {};
  const left = new Promise<void>((resolve) => {
    leave = resolve;
  });
  const app = render(
    <Sized
      stdout={stdout}
      app={{
        index,
        review,
        reviewer: opts.reviewer,
        planner,
        onSave: save,
        onExit: () => leave(),
        readText: readTextAgain,
        open: (item, findings, how) => {
          const status = openItem(item.record, findings, how);
          // The pager or editor left the full screen: take it again, clean, for Ink's next frame.
          stdout.write('\x1b[?1049h\x1b[H\x1b[2J');
          return status;
        },
      }}
    />,
    { stdin, stdout, exitOnCtrlC: false, patchConsole: false },
  );
  try {
    await left;
  } finally {
    app.unmount();
    app.cleanup();
    stdout.write('\x1b[?1049l');
  }
  const decisions: Record<Decision, number> = { include: 0, exclude: 0, namesake: 0, keep: 0 };
  for (const item of scan.items) {
    const d = kept.decisions[item.id]?.decision;
    if (d) decisions[d]++;
  }
  const decided = Object.values(decisions).reduce((a, b) => a + b, 0);
  return { saved, decisions, undecided: scan.items.length - decided, plan };
}

/** Follows the terminal's size. One row is left free: Ink redraws the whole screen when output fills it. */
function Sized({
  stdout,
  app,
}: {
  stdout: NodeJS.WriteStream;
  app: Omit<ReviewAppProps, 'width' | 'height'>;
}) {
  const measure = () => ({ width: stdout.columns || 80, height: Math.max(10, (stdout.rows || 24) - 1) });
  const [size, setSize] = useState(measure);
  useEffect(() => {
    const onResize = () => setSize(measure());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  });
  return <ReviewApp {...app} width={size.width} height={size.height} />;
}

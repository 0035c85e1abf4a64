import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { reviewPathFor } from '../../src/review/decisions.js';
import { addSummary, outputMode } from '../output-mode.js';
import { requireTerminal } from '../review/no-tty.js';
import { parseLang } from './report.js';

interface ReviewFlags {
  reviewer?: string;
  lang?: string;
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .description(
      'Review a scan interactively: include, exclude or mark namesake items, save the decisions, approve an erasure plan.',
    )
    .argument('<scan>', 'scan file (dsr scan --out)')
    .option('--reviewer <name>', 'who decides (recorded with every decision; default: the OS user)')
    .option(
      '-l, --lang <lang>',
      'language of the screen: da or en (default: da when LANG is Danish, else en)',
      parseLang,
    )
    .action(async (scan: string, flags: ReviewFlags) => {
      // Under --json the summary is standard output's: the screen is drawn on stderr, so that
      // `dsr review SCAN --json > summary.json` works from a terminal.
      const screen = outputMode.json ? process.stderr : process.stdout;
      requireTerminal(process.stdin, screen);
      // Ink and React load only for this command: the other commands start faster without them.
      const { runReview } = await import('../review/run-review.js');
      const { reviewLangFrom, setReviewLang } = await import('../review/labels.js');
      setReviewLang(reviewLangFrom(flags.lang));
      const scanPath = resolve(scan);
      const outcome = await runReview({
        scanPath,
        reviewer: flags.reviewer?.trim() || defaultReviewer(),
        stdout: screen,
      });
      addSummary({ scan: scanPath, decisionsFile: reviewPathFor(scanPath), ...outcome });
    });
}

function defaultReviewer(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'unknown';
  }
}

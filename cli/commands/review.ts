import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { requireTerminal } from '../review/no-tty.js';

interface ReviewFlags {
  reviewer?: string;
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .description(
      'Review a scan interactively: include, exclude or mark namesake items, save the decisions, approve an erasure plan.',
    )
    .argument('<scan>', 'scan file (dsr scan --out)')
    .option('--reviewer <name>', 'who decides (recorded with every decision; default: the OS user)')
    .action(async (scan: string, flags: ReviewFlags) => {
      requireTerminal(process.stdin, process.stdout);
      // Ink and React load only for this command: the other commands start faster without them.
      const { runReview } = await import('../review/run-review.js');
      await runReview({ scanPath: resolve(scan), reviewer: flags.reviewer?.trim() || defaultReviewer() });
    });
}

function defaultReviewer(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'unknown';
  }
}

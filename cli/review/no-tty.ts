import { UsageError } from '../../src/core/errors.js';

export const NO_TTY_HINT =
  'without a terminal use dsr plan SCAN [--include-possible] --approve --approved-by NAME (it reads SCAN.review.json)';

/** Ink needs raw mode on a terminal: without one (a script, CI) refuse before loading anything. */
export function requireTerminal(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): void {
  if (!stdin.isTTY || !stdout.isTTY || typeof stdin.setRawMode !== 'function') {
    throw new UsageError(
      'review needs an interactive terminal (stdin and stdout are not a TTY)',
      NO_TTY_HINT,
    );
  }
}

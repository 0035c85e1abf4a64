import { writeSafe } from './terminal.js';

/**
 * The global output flags: `-q/--quiet` (no progress, no summary: errors and warnings only) and
 * `--json` (one JSON object on stdout when the command ends: what it did, its exit code; no human
 * summary). Taken off the command line before the command's own options are parsed, so that they
 * work before or after the command name.
 */
export const outputMode = { quiet: false, json: false, dataOnStdout: false };

const summary: Record<string, unknown> = {};

export function takeGlobalFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (const [i, a] of argv.entries()) {
    if (i >= 2 && (a === '-q' || a === '--quiet')) outputMode.quiet = true;
    else if (i >= 2 && a === '--json') outputMode.json = true;
    else out.push(a);
  }
  return out;
}

/** A line for people (a summary, a count): not under --quiet or --json. */
export function tell(stream: NodeJS.WritableStream, text: string): void {
  if (outputMode.quiet || outputMode.json) return;
  writeSafe(stream, text);
}

/** Adds fields to the command's --json summary. Counts and paths only, never an identifier. */
export function addSummary(fields: Record<string, unknown>): void {
  Object.assign(summary, fields);
}

/** `['done', 'done', 'stale']` -> `{ done: 2, stale: 1 }`: counts for a --json summary. */
export function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** The command's output went to standard output (`-o -`): the --json summary goes to stderr. */
export function stdoutTaken(): void {
  outputMode.dataOnStdout = true;
}

/** Writes the --json summary: `{"command", "exitCode", …fields}` as one line. */
export function writeJsonSummary(command: string | undefined, exitCode: number, error?: string): void {
  if (!outputMode.json) return;
  const line = `${JSON.stringify({ command: command ?? null, exitCode, ...summary, ...(error ? { error } : {}) })}\n`;
  (outputMode.dataOnStdout ? process.stderr : process.stdout).write(line);
}

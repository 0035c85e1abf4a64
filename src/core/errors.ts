import type { ErrorKind } from './types.js';

/** A mistake by the user (bad flag, bad subject, bad file): exit 2 with a message that says what to do. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** An item that could not be read fully. It becomes an entry in the scan's `errors`, never a crash. */
export class ExtractError extends Error {
  override name = 'ExtractError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something that should never happen: exit 1, cause kept. */
export class BugError extends Error {
  override name = 'BugError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Map a Node.js system error to an error kind for the scan file. */
export function kindOfSystemError(err: unknown): ErrorKind {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (err instanceof ExtractError) return err.kind;
  return 'corrupt';
}

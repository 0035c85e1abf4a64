import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with TMPDIR pointing at a fresh folder, and returns what `fn` gave and what it left in
 * that folder: for extractors that spool to temporary files, which must be gone afterwards. The run's
 * own folder (`dsr-run-*`, see src/core/run-temp.ts) lives as long as the process: what is left
 * inside it is listed instead (`dsr-run-…/NAME`).
 */
export async function inPrivateTmpdir<T>(fn: () => Promise<T>): Promise<{ result: T; left: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-test-tmp-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const result = await fn();
    return { result, left: leftIn(dir) };
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}

function leftIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    name.startsWith('dsr-run-') ? readdirSync(join(dir, name)).map((n) => `${name}/${n}`) : [name],
  );
}

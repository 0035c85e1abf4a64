import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with TMPDIR pointing at a fresh folder, and returns what `fn` gave and what it left in
 * that folder: for extractors that spool to temporary files, which must be gone afterwards.
 */
export async function inPrivateTmpdir<T>(fn: () => Promise<T>): Promise<{ result: T; left: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-test-tmp-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const result = await fn();
    return { result, left: readdirSync(dir) };
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}

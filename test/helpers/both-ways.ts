import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../detectors/index.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ItemInput } from '../../src/core/types.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import type { CompiledSubject } from '../../src/match/subject.js';

let n = 0;

/** `bytes` written as a top-level file `name`, in a folder of its own under `work`. */
export function topLevelFile(work: string, name: string, bytes: Buffer): ItemInput {
  const dir = join(work, String(n++));
  const absPath = join(dir, name);
  mkdirSync(dir);
  writeFileSync(absPath, bytes);
  return {
    ref: { path: absPath, itemPath: [] },
    name,
    source: { kind: 'file', absPath, size: statSync(absPath).size },
    depth: 0,
    root: dir,
  };
}

/**
 * A subject scan of the file as it runs (with its raw-byte shortcuts) and with every detector given,
 * which reads everything in full: the shortcuts must never change the result.
 */
export async function scanBothWays(input: ItemInput, subject: CompiledSubject, limits = DEFAULT_LIMITS) {
  const opts = { subject, all: false, limits };
  const fast = await scanTopLevel(input, opts);
  const full = await scanTopLevel(input, { ...opts, detectors: registry.list });
  return { fast, full };
}

/** An mbox of these messages, as a top-level file in `work`. */
export function mboxItem(work: string, messages: Buffer[]): ItemInput {
  const parts = messages.flatMap((m, i) => [
    Buffer.from(`From sender${i}@example.com Mon Mar  2 10:00:00 2026\n`),
    m,
    Buffer.from('\n\n'),
  ]);
  return topLevelFile(work, 'archive.mbox', Buffer.concat(parts));
}

/** scanBothWays, each side as sorted comparable strings, and how many findings are the subject's. */
export async function compareBothWays(input: ItemInput, subject: CompiledSubject) {
  const { fast, full } = await scanBothWays(input, subject);
  const view = (r: typeof fast) => ({
    findings: r.findings.map((f) => JSON.stringify(f)).sort(),
    items: r.items.map(({ scannedAt: _, ...i }) => JSON.stringify(i)).sort(),
    itemCount: r.itemCount,
    errors: r.errors,
  });
  return {
    fast: view(fast),
    full: view(full),
    subjectFindings: full.findings.filter((f) => f.subject).length,
  };
}

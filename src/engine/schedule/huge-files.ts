import type { ItemInput } from '../../core/types.js';
import { readHead } from '../../extract/read.js';
import { selectFormat } from '../../extract/registry.js';
import type { ScanRun } from './run.js';

/** Whether a file of this size may be shared among the workers (its format decides: see `howToShare`). */
export function mayShare(run: Pick<ScanRun, 'split' | 'inProcess'>, size: number): boolean {
  const { split } = run;
  return size >= Math.min(split.minBytes, split.mailboxBytes, split.textBytes) && !run.inProcess;
}

export type Sharing = 'mailbox-parts' | 'zip-parts' | 'text-ranges' | 'raw-pass-ranges';

/**
 * How a huge file of this format is shared among the workers: a mailbox's messages and a zip's
 * members in parts; plain text's raw-byte pass (a subject scan) or its full read (an inventory, an
 * index) in ranges. Undefined: read as any other file.
 */
export function howToShare(
  run: Pick<ScanRun, 'split' | 'concurrency' | 'index' | 'all' | 'subject'>,
  format: string | undefined,
  size: number,
): Sharing | undefined {
  const { split } = run;
  // Parts of containers are collected one by one; an index stores each file's tokens at once.
  const containers = run.concurrency > 1 && !run.index && size >= split.mailboxBytes;
  if (format === 'mbox' && containers) return 'mailbox-parts';
  if (format === 'zip' && containers) return 'zip-parts';
  if (format === 'text' || format === 'json') {
    // An index shares a file only from minBytes on: in ranges, its tokens cost ~10 % more CPU.
    if (run.all && !run.index) {
      if (size >= split.textBytes) return 'text-ranges';
    } else if (size >= split.minBytes) {
      if (run.index) return 'text-ranges';
      if (run.subject !== null) return 'raw-pass-ranges';
    }
  }
  return undefined;
}

/**
 * A file big enough to share among the workers, by its format (its head read here); `otherwise`
 * when it is not shared. The strategies load on first use: most scans meet no huge file.
 */
export async function readHugeFile(
  run: ScanRun,
  input: ItemInput,
  size: number,
  otherwise: () => void,
): Promise<void> {
  let format: string | undefined;
  try {
    format = selectFormat(input, await readHead(input)).id;
  } catch {
    // Unreadable: the usual read reports why.
  }
  switch (howToShare(run, format, size)) {
    case 'mailbox-parts':
      return (await import('./mailbox-in-parts.js')).readMailboxInParts(run, input, size);
    case 'zip-parts':
      return (await import('./zip-in-parts.js')).readZipInParts(run, input, size);
    case 'text-ranges':
      return (await import('./text-in-ranges.js')).readTextInRanges(run, input, false);
    case 'raw-pass-ranges':
      return (await import('./raw-pass-in-ranges.js')).rawPassInRanges(run, input, size);
    default:
      otherwise();
  }
}

import { resolve, sep } from 'node:path';
import type { ScanError } from '../core/types.js';
import type { FileEntry } from '../crawl/fs-source.js';
import type { TopLevelResult } from '../engine/result.js';
import { runScan, type ScanOptions } from '../engine/scan.js';
import {
  indexOwnFiles,
  type OpenIndex,
  ocrCacheOf,
  sealJson,
  textCacheOf,
  unsealJson,
} from './index-file.js';
import { indexMode } from './item-tokens.js';
import { type IndexKey, mac } from './keys.js';
import type { FileState, PlainOutcome } from './store.js';

/** What a later scan needs about a file it does not re-read. Stored sealed. */
export interface FileOutcome {
  itemCount: number;
  bytes: number;
  skipped?: string;
  format?: string;
  errors: ScanError[];
}

export interface IndexRunStats {
  files: number;
  read: number;
  unchanged: number;
  removed: number;
  errors: number;
  interrupted: boolean;
}

export function isUnchanged(row: { size: number; mtimeMs: number; ino: number }, file: FileEntry): boolean {
  return (
    row.size === file.size && row.mtimeMs === file.mtimeMs && (file.ino === undefined || row.ino === file.ino)
  );
}

/** A stored outcome as the result a scan of the file would give, minus findings (it held none of interest). */
export function outcomeResult(outcome: FileOutcome): TopLevelResult {
  return {
    findings: [],
    items: [],
    errors: outcome.errors,
    itemCount: outcome.itemCount,
    bytes: outcome.bytes,
    ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
    ...(outcome.format ? { format: outcome.format } : {}),
  };
}

/** A file's stored outcome as a result: from the clear columns when it has them, else unsealed. */
export function storedResult(key: IndexKey, row: FileState): TopLevelResult {
  if (row.outcomePlain) return outcomeResult({ ...row.outcomePlain, errors: [] });
  return outcomeResult(unsealJson<FileOutcome>(key, row.outcomeSealed!));
}

/** The outcome in clear, when it has nothing but counts and its format. */
function plainOutcome(outcome: FileOutcome): PlainOutcome | undefined {
  if (outcome.errors.length > 0 || outcome.skipped) return undefined;
  return {
    itemCount: outcome.itemCount,
    bytes: outcome.bytes,
    ...(outcome.format ? { format: outcome.format } : {}),
  };
}

/**
 * Walks and extracts like a scan, storing per file its fingerprint and the MACs of every identifier
 * token; re-reads only files whose size, mtime or inode changed, and drops files that disappeared.
 */
export async function buildIndex(
  index: OpenIndex,
  opts: Pick<
    ScanOptions,
    'roots' | 'excludes' | 'concurrency' | 'limits' | 'signal' | 'onProgress' | 'ownFiles' | 'split' | 'pools'
  >,
): Promise<IndexRunStats> {
  const { store, key } = index;
  let unchanged = 0;
  let read = 0;
  const writes = new BatchedWrites(store);
  const outcome = await runScan({
    ...opts,
    subject: null,
    fileList: false,
    index: indexMode(key.macKey),
    ocrCache: ocrCacheOf(index),
    textCache: textCacheOf(index),
    ownFiles: [...(opts.ownFiles ?? []), ...indexOwnFiles(index)],
    async shortcut(file) {
      const pathMac = mac(key, file.absPath);
      writes.add(() => store.markSeen(pathMac));
      const row = await store.getFile(pathMac);
      if (!row || !isUnchanged(row, file)) return undefined;
      unchanged++;
      if (row.outcomePlain) return storedResult(key, row);
      // Sealed only (an index made before outcomes were kept in clear): stored in clear now when it
      // may be, so that later queries need not unseal it.
      const sealed = unsealJson<FileOutcome>(key, row.outcomeSealed!);
      const plain = plainOutcome(sealed);
      if (plain) writes.add(() => store.setOutcomePlain(pathMac, plain));
      return outcomeResult(sealed);
    },
    onResult(input, result) {
      const { source } = input;
      if (source.kind !== 'file') return;
      read++;
      const pathMac = mac(key, input.ref.path);
      const stored: FileOutcome = {
        itemCount: result.itemCount,
        bytes: result.bytes,
        skipped: result.skipped,
        format: result.format,
        errors: result.errors,
      };
      writes.add(() =>
        store.putFile(
          {
            pathMac,
            pathSealed: sealJson(key, input.ref.path),
            size: source.size,
            mtimeMs: source.mtimeMs ?? 0,
            ino: source.ino ?? 0,
            outcomeSealed: sealJson(key, stored),
            outcomePlain: plainOutcome(stored),
            indexedAt: new Date().toISOString(),
          },
          (result.tokens ?? []).map((t) => Buffer.from(t, 'hex')),
          result.tokenFilter,
        ),
      );
    },
  }).finally(() => writes.flush());
  let removed = 0;
  if (!outcome.interrupted) {
    const roots = opts.roots.map((r) => resolve(r));
    const under = (p: string) => roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
    for (let after = 0; ; ) {
      const page = await store.unseen(after, REMOVE_PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1].cursor;
      await store.transaction(async () => {
        for (const file of page)
          if (under(unsealJson<string>(key, file.pathSealed))) {
            await store.deleteFile(file.pathMac);
            removed++;
          }
      });
    }
    await store.setMeta('updatedAt', new Date().toISOString());
  }
  return {
    files: outcome.writer.stats.files,
    read,
    unchanged,
    removed,
    errors: outcome.writer.stats.errors,
    interrupted: outcome.interrupted,
  };
}

/** Files not walked this run, looked at (and removed when under the run's roots) this many at a time. */
const REMOVE_PAGE = 1000;

/** Writes (a file stored, a file marked seen) per transaction; a commit also follows `COMMIT_MS` after a batch began. */
const BATCH_WRITES = 128;
const COMMIT_MS = 500;

/**
 * Index writes in batches: one transaction per file spent more time committing (write-ahead log
 * pages, checkpoints) than inserting. A crash loses at most the batch in flight, whose files the next
 * run reads again; what is committed is whole.
 */
class BatchedWrites {
  private readonly pending: (() => Promise<void>)[] = [];
  private startedAt = 0;
  /** The transactions committing, one after the other (a store runs one at a time). */
  private committed: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly store: OpenIndex['store']) {}

  add(write: () => Promise<void>): void {
    if (this.pending.length === 0) this.startedAt = Date.now();
    this.pending.push(write);
    if (this.pending.length >= BATCH_WRITES || Date.now() - this.startedAt >= COMMIT_MS) this.commit();
  }

  private commit(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    this.committed = this.committed.then(() =>
      this.failure
        ? undefined
        : this.store
            .transaction(async () => {
              for (const write of batch) await write();
            })
            .catch((err: unknown) => {
              this.failure = err;
            }),
    );
  }

  /** Commits what is pending and waits for every commit; throws the first that failed. */
  async flush(): Promise<void> {
    this.commit();
    await this.committed;
    if (this.failure) throw this.failure;
  }
}

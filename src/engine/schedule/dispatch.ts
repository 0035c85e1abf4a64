import { basename } from 'node:path';
import type { ItemInput } from '../../core/types.js';
import type { FileEntry, WalkEvent } from '../../crawl/fs-source.js';
import type { TopLevelResult } from '../result.js';
import { collect } from './collect.js';
import type { FileQueue } from './file-queue.js';
import { mayShare, readHugeFile } from './huge-files.js';
import { mayHoldScans, readPdfPagesInParts } from './pdf-pages-in-parts.js';
import type { ScanRun } from './run.js';
import type { Scheduler } from './scheduler.js';
import { SmallFiles } from './small-files.js';

/** What an index answers about the files of a scan (see src/index/query.ts). */
export interface IndexAnswers {
  /** Answers a file without reading it (an unchanged, non-candidate file); undefined: scan it. */
  shortcut?: (file: FileEntry) => TopLevelResult | undefined | Promise<TopLevelResult | undefined>;
  /**
   * Files to read in this thread rather than in a worker: ones already read within the time limit
   * before (candidates), so that a query touching a few files never starts worker threads.
   */
  readHere?: (file: FileEntry) => boolean;
}

/**
 * Sends each top-level item found to what reads it: dsr's own files are listed as skipped; a file an
 * index answers is collected unread, one it says was read in time before is read on this thread;
 * a huge file is shared among the workers by its format; the others go to this thread's share of
 * the raw-byte pass (`queue`: see shareRawPass), or to the workers in batches.
 */
export class Dispatcher {
  private readonly smallFiles: SmallFiles;

  constructor(
    private readonly run: ScanRun,
    private readonly scheduler: Scheduler,
    private readonly queue: FileQueue | undefined,
    private readonly ownFiles: ReadonlyMap<string, string>,
    private readonly answers: IndexAnswers,
  ) {
    this.smallFiles = new SmallFiles((batch) => scheduler.read(batch));
  }

  async walked(ev: WalkEvent): Promise<void> {
    const { writer } = this.run;
    if (ev.type === 'error') writer.addError(ev.error);
    else if (ev.type === 'skip') writer.addSkipped(ev.path, ev.reason);
    else if (this.ownFiles.has(ev.file.absPath))
      writer.addSkipped(ev.file.absPath, this.ownFiles.get(ev.file.absPath)!);
    else {
      this.run.progress.found(ev.file.size);
      const known = await this.answers.shortcut?.(ev.file);
      if (known) return collect(writer, fileInput(ev.file), known);
      // A huge candidate is shared among the workers as in a full scan, not read here alone.
      if (this.answers.readHere?.(ev.file) && !mayShare(this.run, ev.file.size))
        this.scheduler.read([fileInput(ev.file)], { here: true });
      else this.file(fileInput(ev.file), ev.file.size);
      await this.room();
    }
  }

  /** The walk has ended: what waits for more files goes. */
  walkEnded(): void {
    this.run.progress.walkEnded();
    this.smallFiles.flush();
    this.queue?.end();
  }

  /** An item of another source (IMAP): a shared scan also has the thread it left out for these (never plain text). */
  async fromSource(input: ItemInput): Promise<void> {
    const { workers } = this.run;
    this.scheduler.read([input], {
      here: false,
      rawChecked: false,
      extra: this.queue !== undefined && workers.inExtra < workers.inPool,
    });
    await this.room();
  }

  private file(input: ItemInput, size: number): void {
    if (mayHoldScans(this.run, input, size))
      this.scheduler.add(() => readPdfPagesInParts(this.run, input, size));
    else if (mayShare(this.run, size))
      this.scheduler.add(() => readHugeFile(this.run, input, size, () => this.unshared(input)));
    else if (this.queue) this.queue.add(input);
    else this.smallFiles.add(input, size);
  }

  /** A file big enough to share that its format does not let be. */
  private unshared(input: ItemInput): void {
    if (this.queue) this.queue.add(input);
    else this.scheduler.read([input]);
  }

  /** Keeps the walk a little ahead of the workers, but never lets queued work grow without bound. */
  private async room(): Promise<void> {
    await this.queue?.room();
    await this.scheduler.room();
  }
}

function fileInput(file: FileEntry): ItemInput {
  return {
    ref: { path: file.absPath, itemPath: [] },
    name: basename(file.absPath),
    source: { kind: 'file', absPath: file.absPath, size: file.size, mtimeMs: file.mtimeMs, ino: file.ino },
    depth: 0,
    root: file.root,
  };
}

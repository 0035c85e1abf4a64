import type { ScanWriter } from '../../scan-file/writer.js';

export interface ScanProgress {
  files: number;
  bytes: number;
  findings: number;
  errors: number;
  current?: string;
  elapsedMs: number;
  /** What the walk has found so far (files and their bytes), and whether it has ended: then these are the totals. */
  walk?: { files: number; bytes: number; done: boolean };
}

/** A scan's progress, as its caller is told it: the writer's counts, and the huge files part read. */
export class Progress {
  /** The file last handed to a thread. */
  current: string | undefined;
  /** How far each huge file being read in parts has got (its bytes count in the stats once done). */
  private readonly partlyRead = new Map<string, number>();
  private readonly started = Date.now();
  private readonly walk = { files: 0, bytes: 0, done: false };

  constructor(
    private readonly writer: ScanWriter,
    private readonly report?: (p: ScanProgress) => void,
  ) {}

  /** A file read in parts is done up to `bytes`. */
  partly(path: string, bytes: number): void {
    this.partlyRead.set(path, bytes);
  }

  /** A file read in parts is done with (its bytes are in the writer's stats, or never will be). */
  whole(path: string): void {
    this.partlyRead.delete(path);
  }

  /** The walk found a file to read. */
  found(size: number): void {
    this.walk.files++;
    this.walk.bytes += size;
  }

  /** The walk has ended: what it found is all there is to read (of the folders; mailboxes come after). */
  walkEnded(): void {
    this.walk.done = true;
  }

  emit(): void {
    this.report?.({
      files: this.writer.stats.files,
      bytes: this.writer.stats.bytes + [...this.partlyRead.values()].reduce((a, b) => a + b, 0),
      findings: this.writer.findingCount,
      errors: this.writer.stats.errors,
      current: this.current,
      elapsedMs: Date.now() - this.started,
      walk: { ...this.walk },
    });
  }
}

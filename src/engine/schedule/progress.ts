import type { ScanWriter } from '../../scan-file/writer.js';

export interface ScanProgress {
  files: number;
  bytes: number;
  findings: number;
  errors: number;
  current?: string;
  elapsedMs: number;
}

/** A scan's progress, as its caller is told it: the writer's counts, and the huge files part read. */
export class Progress {
  /** The file last handed to a thread. */
  current: string | undefined;
  /** How far each huge file being read in parts has got (its bytes count in the stats once done). */
  private readonly partlyRead = new Map<string, number>();
  private readonly started = Date.now();

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

  emit(): void {
    this.report?.({
      files: this.writer.stats.files,
      bytes: this.writer.stats.bytes + [...this.partlyRead.values()].reduce((a, b) => a + b, 0),
      findings: this.writer.findingCount,
      errors: this.writer.stats.errors,
      current: this.current,
      elapsedMs: Date.now() - this.started,
    });
  }
}

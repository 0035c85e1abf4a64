import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../core/types.js';
import { ELEMENT_SEP, writeAll } from './json-array-spool.js';

/**
 * Findings as a worker hands them to the main thread: scan-file elements in UTF-8, with the counts and
 * path-name findings the scan writer keeps of them.
 */
export interface PackedFindings {
  /**
   * The findings as the scan file holds them, each after `ELEMENT_SEP`, in UTF-8 (a context's `…` makes
   * the text two bytes a character, so as bytes it crosses at half the size, ready to write). Parts of
   * at most `BLOCK_BYTES` each, every one in a buffer of its own, so that they can be transferred.
   */
  elements: Uint8Array[];
  /**
   * A file holding the first of the findings, before `elements`, when there were too many to hold
   * (see `PACKER_SPILL_BYTES`): the main thread copies it into the scan's findings and removes it.
   */
  spilled?: string;
  count: number;
  counts: Record<string, number>;
  pathNames: Finding[];
}

/**
 * Bytes per part. Below glibc's initial mmap threshold (128 KiB): a larger buffer is mapped, and once
 * one is freed glibc raises the threshold and takes the next ones from its heaps, which then keep
 * fragments and hold memory long after the buffers are gone.
 */
export const BLOCK_BYTES = 64 * 1024;

/**
 * Bytes of findings a worker holds for one task before it writes them to a file: an mbox of thousands
 * of messages is one task (or a few), and an inventory of it can list hundreds of thousands of
 * findings, in every worker at once; a small bound keeps the scan's peak memory low.
 */
export const PACKER_SPILL_BYTES = 4 * 1024 * 1024;

/** The first part of a sink: most items hold a few findings. */
const FIRST_BLOCK_BYTES = 4 * 1024;

/**
 * UTF-8 bytes appended as they come, outside the JS heap, in parts that each own their buffer: an
 * inventory's findings, held until their item is read to the end, are then not copied by every garbage
 * collection of the worker that holds them.
 */
export class ByteSink {
  private readonly full: Uint8Array[] = [];
  private block: Buffer = Buffer.alloc(0);
  private at = 0;

  /** `lead` (bytes), then `s` as UTF-8; both always in one part. */
  write(s: string, lead: Uint8Array): void {
    // At most three bytes per UTF-16 unit (a surrogate pair's four bytes are two units).
    const need = lead.length + s.length * 3;
    if (this.at + need > this.block.length) this.next(need);
    this.block.set(lead, this.at);
    this.at += lead.length;
    this.at += this.block.write(s, this.at, 'utf8');
  }

  private next(need: number): void {
    const size = this.block.length ? BLOCK_BYTES : FIRST_BLOCK_BYTES;
    if (this.at) this.full.push(this.block.subarray(0, this.at));
    // `allocUnsafeSlow`: a buffer of its own, never a slice of Node's shared pool.
    this.block = Buffer.allocUnsafeSlow(Math.max(size, need));
    this.at = 0;
  }

  /** The bytes written, as parts: views, valid until the next write. */
  parts(): Uint8Array[] {
    return this.at ? [...this.full, this.block.subarray(0, this.at)] : [...this.full];
  }
}

const SEP_BYTES = Buffer.from(ELEMENT_SEP);

/** Findings serialised one by one into scan-file elements (`JSON.stringify` of each, after `ELEMENT_SEP`). */
export class ElementWriter {
  private readonly sink = new ByteSink();
  count = 0;

  add(json: string): void {
    this.sink.write(json, SEP_BYTES);
    this.count++;
  }

  /** The elements written so far, as parts (see `ByteSink`); an element never spans two. */
  parts(): Uint8Array[] {
    return this.sink.parts();
  }
}

/**
 * Collects the elements of a top-level file's items as each item is finished, so that an inventory's
 * many findings cross to the main thread as bytes ready to write.
 */
export class FindingPacker {
  /** Each item's parts, in the order the items were finished, since the last spill. */
  private readonly parts: Uint8Array[] = [];
  private held = 0;
  private spill: { path: string; fd: number } | undefined;
  private count = 0;
  private readonly counts: Record<string, number> = {};
  private readonly pathNames: Finding[] = [];

  /**
   * With `spillDir`, parts past `spillBytes` go to a file of their own (mode 0600) in that folder
   * (made 0700 when missing), which the scan removes when it ends, whatever became of this thread.
   * Where it cannot be written, the parts stay in memory as before.
   */
  constructor(
    private spillDir?: string,
    private readonly spillBytes = PACKER_SPILL_BYTES,
  ) {}

  get empty(): boolean {
    return this.count === 0;
  }

  /** `count` findings as `ELEMENT_SEP`-led UTF-8 elements in parts that each own their buffer. */
  add(parts: Uint8Array[], count: number): void {
    for (const part of parts) {
      this.parts.push(part);
      this.held += part.byteLength;
    }
    this.count += count;
    if (this.spillDir !== undefined && this.held > this.spillBytes) this.writeOut(this.spillDir);
  }

  private writeOut(dir: string): void {
    if (!this.spill) {
      try {
        // Not recursive: the run's folder is never made again once the run has removed it.
        mkdirOnce(dir);
        const path = join(dir, `${randomUUID()}.part`);
        this.spill = { path, fd: openSync(path, 'wx', 0o600) };
      } catch {
        this.spillDir = undefined;
        return;
      }
    }
    for (const part of this.parts) writeAll(this.spill.fd, part);
    this.parts.length = 0;
    this.held = 0;
  }

  /** Findings per `countKey`. */
  addCounts(counts: Record<string, number>): void {
    for (const key in counts) this.counts[key] = (this.counts[key] ?? 0) + counts[key];
  }

  /** A name found in a file or member name, kept whole as well (see src/engine/path-names.ts). */
  addPathName(f: Finding): void {
    this.pathNames.push(f);
  }

  finish(): PackedFindings {
    if (this.spill) closeSync(this.spill.fd);
    return {
      elements: this.parts,
      ...(this.spill ? { spilled: this.spill.path } : {}),
      count: this.count,
      counts: this.counts,
      pathNames: this.pathNames,
    };
  }
}

const EVIDENCE_NONE = '"evidence":"none"';

/**
 * Parts whose findings were written before their item's evidence was known (`"evidence":"none"`),
 * with the evidence set. A `"` inside a JSON string is escaped: each unescaped `"evidence":"none"` is
 * a finding's key.
 */
export function withEvidence(parts: Uint8Array[], level: string): Uint8Array[] {
  if (level === 'none') return parts;
  const set = `"evidence":"${level}"`;
  return parts.map((p) => ownBytes(textOf(p).replaceAll(EVIDENCE_NONE, set)));
}

export function textOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** `s` as UTF-8 in a buffer of its own (see `PackedFindings.elements`). */
export function ownBytes(s: string): Uint8Array {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(s, 'utf8'));
  bytes.write(s, 0, 'utf8');
  return bytes;
}

export function countKey(f: Pick<Finding, 'detector' | 'subject'>): string {
  return `${f.detector}:${f.subject ? 'subject' : 'other'}`;
}

function mkdirOnce(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

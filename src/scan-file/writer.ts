import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareItemRefs, compareStrings } from '../core/order.js';
import { runTempDir } from '../core/run-temp.js';
import type { Finding, ItemRecord, ItemRef, ScanError, ScanFile, ScanStats, Subject } from '../core/types.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { fileSink, type OutputSink } from '../io/output.js';
import { JsonArraySpool, WRITE_CHARS } from './json-array-spool.js';
import { countKey, type PackedFindings } from './packed-findings.js';

/** Findings and errors sorted in memory up to this many; beyond it they keep the order they came in. */
const SORT_LIMIT = 200_000;
/** Errors kept in memory for the terminal summary, the first in path order. */
const FIRST_ERRORS = 5;

export interface ScanHeader {
  scanId: string;
  startedAt: string;
  roots: string[];
  subject: Subject;
  options: { all: boolean; excludes: string[] };
}

/**
 * The scan file sink (contract: docs/file-formats.md). Findings, errors and file lists are spooled to disk
 * as they arrive; `write` assembles `dsr.scan/1` atomically, mode 0600.
 */
export class ScanWriter {
  readonly stats: ScanStats = { files: 0, items: 0, bytes: 0, skipped: 0, errors: 0 };
  readonly items: ItemRecord[] = [];
  /** Errors per kind; the errors themselves are spooled (a share can hold millions of unreadable files). */
  readonly errorKinds = new Map<string, number>();
  /** The first few errors in path order, for the terminal summary. */
  readonly firstErrors: ScanError[] = [];
  /** Skipped files per reason; the files themselves are spooled (a drive can hold millions). */
  readonly skippedReasons = new Map<string, number>();
  readonly findingCounts = new Map<string, number>();
  /** Name findings in file and member names, kept so terminal output can mask paths named after the subject. */
  readonly pathNameFindings = new Map<string, Finding[]>();
  private readonly findings: JsonArraySpool<Finding>;
  private readonly errors: JsonArraySpool<ScanError>;
  private readonly skipped: JsonArraySpool<{ path: string; reason: string; host?: string }>;
  private readonly scanned: JsonArraySpool<string> | undefined;

  constructor(
    readonly header: ScanHeader,
    keepFileList: boolean,
  ) {
    const base = join(runTempDir(), `scan-${header.scanId}`);
    this.findings = new JsonArraySpool(`${base}.findings.spool`);
    this.errors = new JsonArraySpool(`${base}.errors.spool`);
    this.skipped = new JsonArraySpool(`${base}.skipped.spool`);
    this.scanned = keepFileList ? new JsonArraySpool(`${base}.scanned.spool`) : undefined;
  }

  get findingCount(): number {
    return this.findings.count;
  }

  /**
   * `pathName`: the subject's name in a file or member name, kept so that terminal output can mask
   * such paths (which detectors find names is the engine's to say: see src/engine/path-names.ts).
   */
  addFinding(f: Finding, pathName = false): void {
    this.findings.push(f);
    this.count(countKey(f));
    if (pathName) this.notePathName(f);
  }

  /** Findings serialised elsewhere (a worker), with what the writer keeps of them. */
  addPacked(p: PackedFindings): void {
    let count = p.count;
    if (p.spilled) {
      this.findings.pushFile(p.spilled, count);
      rmSync(p.spilled, { force: true });
      count = 0;
    }
    for (const part of p.elements) {
      this.findings.pushElements(part, count);
      count = 0;
    }
    for (const [key, n] of Object.entries(p.counts)) this.count(key, n);
    for (const f of p.pathNames) this.notePathName(f);
  }

  private count(key: string, n = 1): void {
    this.findingCounts.set(key, (this.findingCounts.get(key) ?? 0) + n);
  }

  private notePathName(f: Finding): void {
    const list = this.pathNameFindings.get(f.path) ?? [];
    if (list.length < 20) list.push(f);
    this.pathNameFindings.set(f.path, list);
  }

  addItem(item: ItemRecord): void {
    this.items.push(item);
  }

  addError(e: ScanError): void {
    this.errors.push(e);
    this.stats.errors++;
    this.errorKinds.set(e.kind, (this.errorKinds.get(e.kind) ?? 0) + 1);
    const first = this.firstErrors;
    if (first.length < FIRST_ERRORS || compareItemRefs(e, first[first.length - 1]) < 0) {
      first.push(e);
      first.sort(compareItemRefs);
      if (first.length > FIRST_ERRORS) first.pop();
    }
  }

  addScanned(path: string): void {
    this.scanned?.push(path);
  }

  addSkipped(path: string, reason: string, host?: string): void {
    this.stats.skipped++;
    this.skippedReasons.set(reason, (this.skippedReasons.get(reason) ?? 0) + 1);
    this.skipped.push(host ? { path, reason, host } : { path, reason });
  }

  /** Removes the spools without writing a scan file (a scan that failed). */
  async discard(): Promise<void> {
    await this.findings.remove();
    await this.errors.remove();
    await this.skipped.remove();
    await this.scanned?.remove();
  }

  /**
   * Writes the scan file to `to`: a path (atomically, mode 0600; an existing file is replaced unless
   * `overwrite` is false) or a sink such as standard output.
   */
  async write(
    to: string | OutputSink,
    extra: {
      interrupted?: boolean;
      finishedAt: string;
      index?: ScanFile['index'];
      hosts?: ScanFile['hosts'];
      overwrite?: boolean;
    },
  ): Promise<void> {
    await this.findings.close();
    await this.errors.close();
    await this.skipped.close();
    await this.scanned?.close();
    this.items.sort(compareItemRefs);
    const head: Omit<ScanFile, 'skippedFiles' | 'findings' | 'items' | 'errors' | 'scanned'> = {
      schema: 'dsr.scan/1',
      scanId: this.header.scanId,
      startedAt: this.header.startedAt,
      finishedAt: extra.finishedAt,
      ...(extra.interrupted ? { interrupted: true } : {}),
      roots: this.header.roots,
      ...(extra.hosts ? { hosts: extra.hosts } : {}),
      subject: this.header.subject,
      options: this.header.options,
      ...(extra.index ? { index: extra.index } : {}),
      stats: this.stats,
    };
    const writeAll = async (fh: OutputSink) => {
      const json = JSON.stringify(head, null, 2);
      await fh.write(`${json.slice(0, -2)},\n  "skippedFiles": [`);
      await writeSpool(fh, this.skipped);
      await fh.write('],\n  "findings": [');
      await this.writeFindings(fh);
      await fh.write('],\n  "items": [');
      await writeArray(
        fh,
        this.items.map((i) => JSON.stringify(i)),
      );
      await fh.write('],\n  "errors": [');
      await writeSorted(fh, this.errors, (e) => ({ ref: e, field: '', offset: 0 }));
      if (this.scanned) {
        await fh.write('],\n  "scanned": [');
        await writeSpool(fh, this.scanned);
      }
      await fh.write(']\n}\n');
    };
    try {
      if (typeof to === 'string')
        await writeFileAtomic(to, (fh) => writeAll(fileSink(fh)), { overwrite: extra.overwrite });
      else await writeAll(to);
    } finally {
      await this.discard();
    }
  }

  private writeFindings(fh: OutputSink): Promise<void> {
    return writeSorted(fh, this.findings, (f) => ({
      ref: f,
      field: f.location.field ?? '',
      offset: f.location.offset ?? 0,
    }));
  }
}

/** What values are sorted by: their item, then a field and an offset in it. */
interface SortKey {
  ref: Pick<ItemRef, 'path' | 'itemPath'>;
  field: string;
  offset: number;
}

/**
 * A spool's values sorted by item, field and offset, up to SORT_LIMIT of them; beyond that in the
 * order they came. A spool on disk is sorted by its keys and the places of its values in the file,
 * in typed arrays, and the values are then copied in order: ~40 bytes a value, where parsed findings
 * would hold hundreds of bytes each.
 */
async function writeSorted<T>(
  fh: OutputSink,
  spool: JsonArraySpool<T>,
  keyOf: (value: T) => SortKey,
): Promise<void> {
  if (spool.count > SORT_LIMIT) {
    await writeSpool(fh, spool);
    return;
  }
  if (!spool.spilled) {
    const all: { key: SortKey; text: string }[] = [];
    for await (const text of spool.lines()) all.push({ key: keyOf(JSON.parse(text) as T), text });
    all.sort((a, b) => compareKeys(a.key, b.key));
    await writeArray(
      fh,
      all.map((v) => v.text),
    );
    return;
  }
  const n = spool.count;
  const refIds = new Int32Array(n);
  const fieldIds = new Int32Array(n);
  const offsets = new Float64Array(n);
  const ats = new Float64Array(n);
  const lengths = new Int32Array(n);
  const refs = new Interned<Pick<ItemRef, 'path' | 'itemPath'>>(
    (r) => `${r.path}\u0000${r.itemPath.join('\u0000')}`,
  );
  const fields = new Interned<string>((f) => f);
  let count = 0;
  for (const { value, at, length } of spool.located()) {
    if (count === n) break;
    const key = keyOf(JSON.parse(value) as T);
    refIds[count] = refs.id(key.ref);
    fieldIds[count] = fields.id(key.field);
    offsets[count] = key.offset;
    ats[count] = at;
    lengths[count] = length;
    count++;
  }
  // Items and fields ranked once: the sort itself then compares numbers only.
  const refRank = refs.ranks((a, b) => compareItemRefs(a, b));
  const fieldRank = fields.ranks(compareStrings);
  const order = Uint32Array.from({ length: count }, (_, i) => i).sort(
    (a, b) =>
      refRank[refIds[a]] - refRank[refIds[b]] ||
      fieldRank[fieldIds[a]] - fieldRank[fieldIds[b]] ||
      offsets[a] - offsets[b] ||
      ats[a] - ats[b],
  );
  const reader = new BlockReader(spool.path);
  const out = new ByteOutput(fh);
  try {
    for (let i = 0; i < count; i++)
      await out.write(i ? SEP_BYTES : FIRST_SEP_BYTES, reader.read(ats[order[i]], lengths[order[i]]));
    if (count) await out.write(NEWLINE_INDENT);
    await out.flush();
  } finally {
    reader.close();
  }
}

function compareKeys(a: SortKey, b: SortKey): number {
  return compareItemRefs(a.ref, b.ref) || compareStrings(a.field, b.field) || a.offset - b.offset;
}

/** Distinct values by a key, numbered as first seen, and ranked by a comparison. */
class Interned<V> {
  private readonly ids = new Map<string, number>();
  private readonly values: V[] = [];

  constructor(private readonly keyOf: (v: V) => string) {}

  id(v: V): number {
    const k = this.keyOf(v);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(k, id);
      this.values.push(v);
    }
    return id;
  }

  ranks(compare: (a: V, b: V) => number): Int32Array {
    const byRank = this.values.map((_, i) => i).sort((a, b) => compare(this.values[a], this.values[b]));
    const rank = new Int32Array(this.values.length);
    for (const [r, id] of byRank.entries()) rank[id] = r;
    return rank;
  }
}

const SEP_BYTES = Buffer.from(',\n    ');
const FIRST_SEP_BYTES = Buffer.from('\n    ');
const NEWLINE_INDENT = Buffer.from('\n  ');

/** Reads byte ranges of a file through one cached block: values sorted by item mostly come in file order. */
class BlockReader {
  private readonly fd: number;
  private block = Buffer.alloc(0);
  private blockAt = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  read(at: number, length: number): Buffer {
    if (at < this.blockAt || at + length > this.blockAt + this.block.length) {
      const size = Math.max(READ_BLOCK, length);
      const block = Buffer.allocUnsafe(size);
      const n = readSync(this.fd, block, 0, size, at);
      this.block = block.subarray(0, n);
      this.blockAt = at;
    }
    return this.block.subarray(at - this.blockAt, at - this.blockAt + length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

const READ_BLOCK = 1 << 20;

/** Bytes gathered into writes of about a megabyte. */
class ByteOutput {
  private readonly parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly fh: OutputSink) {}

  async write(...pieces: Buffer[]): Promise<void> {
    for (const p of pieces) {
      // A copy: the reader's block is reused.
      this.parts.push(Buffer.from(p));
      this.bytes += p.length;
    }
    if (this.bytes >= READ_BLOCK) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.bytes) return;
    await this.fh.write(Buffer.concat(this.parts, this.bytes));
    this.parts.length = 0;
    this.bytes = 0;
  }
}

/** A spool's values as the elements of a JSON array: its stored text as it is, without the first comma. */
async function writeSpool<T>(fh: OutputSink, spool: JsonArraySpool<T>): Promise<void> {
  let first = true;
  for await (const piece of spool.pieces()) {
    if (!piece.length) continue;
    // Every value is stored after ELEMENT_SEP; the first one's comma is not written.
    if (typeof piece === 'string') await fh.write(first ? piece.slice(1) : piece);
    else await fh.write(first ? piece.subarray(1) : piece);
    first = false;
  }
  if (!first) await fh.write('\n  ');
}

async function writeArray(fh: OutputSink, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  let first = true;
  let buf = '';
  /** Adds a line; returns the gathered text once it is worth a write. */
  const add = (line: string): string | undefined => {
    buf += `${first ? '\n    ' : ',\n    '}${line}`;
    first = false;
    if (buf.length <= WRITE_CHARS) return undefined;
    const full = buf;
    buf = '';
    return full;
  };
  // Lines held in memory are taken without an await each.
  if (Symbol.iterator in lines) {
    for (const line of lines) {
      const full = add(line);
      if (full) await fh.write(full);
    }
  } else {
    for await (const line of lines) {
      const full = add(line);
      if (full) await fh.write(full);
    }
  }
  if (!first) buf += '\n  ';
  if (buf) await fh.write(buf);
}

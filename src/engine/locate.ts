import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ExtractError } from '../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { fsPath } from '../core/raw-path.js';
import type { Fingerprint, ItemInput } from '../core/types.js';
import type { ExtractContext } from '../extract/api.js';
import { readHead } from '../extract/read.js';
import { selectExtractor } from '../extract/registry.js';

/** The bytes of one item, found again by its path and itemPath. */
export interface LocatedItem {
  bytes: Buffer;
  /** The file name the container gave the item (member or attachment name); the file's basename at top level. */
  name: string;
  contentType?: string;
  /** What the container said about the item's place (mbox offset/length), when it says anything. */
  fingerprint?: Fingerprint;
}

/**
 * Reads the bytes of a nested item (attachment, archive member, mbox message) by re-running the extractor
 * chain on the top-level file and descending only along `itemPath`: siblings are never extracted, no text
 * is searched. Generic over formats: whatever extractor hands the child to `ctx.child()` is used.
 * Resolves to undefined when no container yields an item with that itemPath (the file changed or the
 * item is not a separate item, e.g. a page); throws ExtractError for unreadable containers.
 */
export async function readItemBytes(
  path: string,
  itemPath: string[],
  limits: Limits = DEFAULT_LIMITS,
  signal?: AbortSignal,
): Promise<LocatedItem | undefined> {
  const top = await fileItem(path);
  if (itemPath.length === 0) {
    const { readFile } = await import('node:fs/promises');
    return { bytes: await readFile(fsPath(path)), name: top.name };
  }
  return locateIn(top, itemPath, limits, signal);
}

/** The file at `path` as a top-level item. */
async function fileItem(path: string): Promise<ItemInput> {
  const info = await stat(fsPath(path));
  return {
    ref: { path, itemPath: [] },
    name: basename(path),
    source: { kind: 'file', absPath: path, size: info.size },
    depth: 0,
  };
}

/** Like readItemBytes, starting from an item already in hand (e.g. an IMAP message fetched by UID). */
export async function locateIn(
  top: ItemInput,
  itemPath: string[],
  limits: Limits = DEFAULT_LIMITS,
  signal?: AbortSignal,
): Promise<LocatedItem | undefined> {
  return withItemIn(top, itemPath, (input) => capture(input, limits), limits, signal);
}

/**
 * Finds an item as readItemBytes does and hands it to `take` while its container still holds it
 * (a member's bytes may live only that long): to read its text again, for instance.
 */
export async function withItem<T>(
  path: string,
  itemPath: string[],
  take: (input: ItemInput) => Promise<T>,
  limits: Limits = DEFAULT_LIMITS,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const top = await fileItem(path);
  return withItemIn(top, itemPath, take, limits, signal);
}

function withItemIn<T>(
  top: ItemInput,
  itemPath: string[],
  take: (input: ItemInput) => Promise<T>,
  limits: Limits,
  signal?: AbortSignal,
): Promise<T | undefined> {
  if (itemPath.length === top.ref.itemPath.length) return take(top);
  return descend(top, itemPath, limits, { inflated: 0 }, take, signal);
}

async function descend<T>(
  input: ItemInput,
  wanted: string[],
  limits: Limits,
  budget: { inflated: number },
  take: (input: ItemInput) => Promise<T>,
  outer?: AbortSignal,
): Promise<T | undefined> {
  outer?.throwIfAborted();
  const done = new AbortController();
  const signal = outer ? AbortSignal.any([outer, done.signal]) : done.signal;
  let found: T | undefined;
  let searched = false;

  const ctx: ExtractContext = {
    limits,
    signal,
    text() {},
    async textStream() {},
    async child(child) {
      // A child may be more than one step down (a database's `table T` › `row N`).
      const steps = child.ref.itemPath;
      if (searched || steps.length <= input.ref.itemPath.length) return;
      if (!sameSteps(steps, wanted.slice(0, steps.length))) return;
      searched = true;
      const full: ItemInput = { message: input.message, ...child, depth: input.depth + 1 };
      if (steps.length === wanted.length) found = await take(full);
      else if (full.depth < limits.maxDepth) found = await descend(full, wanted, limits, budget, take, outer);
      // Nothing else in this container is needed: extractors that watch the signal stop early.
      done.abort();
    },
    skip() {},
    error() {},
    withoutText() {},
    async readAll() {
      return bytesOf(input, limits);
    },
    inflated(bytes) {
      budget.inflated += bytes;
      if (budget.inflated > limits.maxInflatedBytes)
        throw new ExtractError('limit', `more than ${limits.maxInflatedBytes} bytes inflated from one file`);
    },
  };

  const extractor = await selectExtractor(input, await readHead(input));
  try {
    await extractor.extract(input, ctx);
  } catch (err) {
    // An extractor stopped by our own abort after the child was found is not a failure.
    if (!searched || outer?.aborted) throw err;
  }
  return found;
}

async function capture(input: ItemInput, limits: Limits): Promise<LocatedItem> {
  return {
    bytes: await bytesOf(input, limits),
    name: input.name,
    ...(input.contentType ? { contentType: input.contentType } : {}),
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
  };
}

export async function bytesOf(input: ItemInput, limits: Limits): Promise<Buffer> {
  if (input.source.kind === 'buffer') {
    const { data } = input.source;
    // Copy: a container may reuse or free the buffer it handed out once child() resolves.
    return Buffer.from(data);
  }
  if (input.source.size > limits.maxExtractBytes)
    throw new ExtractError('limit', `larger than ${limits.maxExtractBytes} bytes; not read`);
  const { readFile } = await import('node:fs/promises');
  return readFile(fsPath(input.source.absPath));
}

function sameSteps(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

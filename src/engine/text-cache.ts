import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Limits } from '../core/limits.js';
import type { ItemInput, ItemRef } from '../core/types.js';
import type { ExtractContext, Extractor, TextOptions } from '../extract/api.js';
import { SealedFolder, type SealedFolderRef } from '../io/sealed-folder.js';

/** Where an index keeps the text of its costly documents (see TextCache). */
export type TextCacheRef = SealedFolderRef;

/**
 * Formats whose reading costs far more than reading their bytes (pdf.js, Office XML): their text is
 * worth keeping. Plain text, JSON or HTML are decoded about as fast as a kept copy is unsealed.
 */
export const COSTLY_FORMATS: ReadonlySet<string> = new Set(['pdf', 'office']);

/** Bumped when what is kept changes shape. */
const SHAPE = 2;

/** One call an extractor made: `ctx.text` (one string) or `ctx.textStream` (its pieces, as they came). */
interface KeptText {
  text?: string;
  pieces?: string[];
  opts?: TextOptions;
}

/** What an extractor handed the engine for an item: its text, in order, with every option. */
interface KeptItem {
  shape: number;
  sha256: string;
  format: string;
  texts: KeptText[];
}

/**
 * The text of costly items, kept beside an index so that a candidate that `scan --index` reads again
 * is not parsed again: what the extractor handed the engine (each `text` and `textStream` call, with
 * its field, page, boxes and other options) is replayed into the same context, so that the detectors,
 * the chunker and the limits see exactly what a fresh read gives them. An entry is named by an HMAC
 * of the item's SHA-256, its format, the limits and the extractors' build (see `extractorsBuild`),
 * and sealed (see SealedFolder). Only items read cleanly are kept: nothing nested, no error, skip or
 * truncation, no decision taken on the subject (see `record`); anything else is read again.
 */
export class TextCache {
  private readonly folder: SealedFolder;
  private readonly limits: string;

  constructor(ref: TextCacheRef, limits: Limits) {
    this.folder = new SealedFolder(ref);
    this.limits = JSON.stringify(limits);
  }

  /** The entry for the item with these bytes, read as this format. */
  entry(sha256: string, format: string): string {
    return this.folder.name('text', SHAPE, extractorsBuild(), format, this.limits, sha256);
  }

  /** The kept text of an entry, or undefined when missing, damaged, foreign or about other bytes. */
  get(entry: string, sha256: string, format: string): KeptItem | undefined {
    const sealed = this.folder.get(entry);
    if (!sealed) return undefined;
    try {
      const kept = JSON.parse(inflateRawSync(sealed).toString('utf8')) as KeptItem;
      if (
        kept.shape !== SHAPE ||
        kept.sha256 !== sha256 ||
        kept.format !== format ||
        !Array.isArray(kept.texts)
      )
        return undefined;
      return kept;
    } catch {
      return undefined;
    }
  }

  /**
   * Deflated before sealing: a document's text is larger than its compressed file (the bench PDFs'
   * ~9x as kept). At the fastest level: higher ones gain a few percent of size for ~5x the time, which
   * the index run pays for every document.
   */
  put(entry: string, item: KeptItem): void {
    this.folder.put(entry, deflateRawSync(JSON.stringify(item), { level: 1 }));
  }
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hands kept text to the context exactly as the extractor did. */
export async function replay(kept: KeptItem, ctx: ExtractContext): Promise<void> {
  for (const t of kept.texts) {
    if (t.pieces) await ctx.textStream(piecesOf(t.pieces), t.opts);
    else ctx.text(t.text ?? '', t.opts);
  }
}

async function* piecesOf(pieces: string[]): AsyncIterable<string> {
  yield* pieces;
}

/**
 * A context that passes every call on to `ctx` and notes the text handed to it. `finish` gives what
 * to keep, or undefined when the item's reading cannot be replayed from its text alone: it handed on
 * nested items, reported an error or skip, streamed past a limit, or asked about the subject (a
 * subject scan's shortcuts leave text unread).
 */
export function record(
  ctx: ExtractContext,
  own: ItemRef,
  data: Buffer,
): { ctx: ExtractContext; finish: (sha256: string, format: string) => KeptItem | undefined } {
  const texts: KeptText[] = [];
  let clean = true;
  const spoil = () => {
    clean = false;
  };
  const keptOptions = (o: TextOptions | undefined): TextOptions | undefined | false => {
    if (!o) return undefined;
    if (o.resume || o.own) return false;
    if (o.ref && (o.ref.path !== own.path || o.ref.itemPath.join('\0') !== own.itemPath.join('\0')))
      return false;
    const { ref: _ref, ...rest } = o;
    return rest;
  };
  const recording: ExtractContext = {
    ...ctx,
    text(text, o) {
      const opts = keptOptions(o);
      if (opts === false) spoil();
      else texts.push(opts ? { text, opts } : { text });
      ctx.text(text, o);
    },
    async textStream(pieces, o) {
      const opts = keptOptions(o);
      if (opts === false) spoil();
      const seen: string[] = [];
      if (opts !== false) texts.push(opts ? { pieces: seen, opts } : { pieces: seen });
      async function* tee(): AsyncIterable<string> {
        for await (const piece of pieces) {
          seen.push(piece);
          yield piece;
        }
      }
      await ctx.textStream(tee(), o);
    },
    async child(child) {
      spoil();
      return ctx.child(child);
    },
    skip(reason) {
      spoil();
      ctx.skip(reason);
    },
    error(kind, message, ref) {
      spoil();
      ctx.error(kind, message, ref);
    },
    withoutText(what) {
      spoil();
      ctx.withoutText(what);
    },
    readAll: async () => data,
    rawText: ctx.rawText
      ? (pieces, encoding) => {
          spoil();
          return ctx.rawText!(pieces, encoding);
        }
      : undefined,
    rawClean: ctx.rawClean
      ? (bytes) => {
          spoil();
          return ctx.rawClean!(bytes);
        }
      : undefined,
    textClean: ctx.textClean
      ? (text) => {
          spoil();
          return ctx.textClean!(text);
        }
      : undefined,
    childHeldSubject: ctx.childHeldSubject
      ? () => {
          spoil();
          return ctx.childHeldSubject!();
        }
      : undefined,
  };
  return {
    ctx: recording,
    finish: (sha256, format) => (clean ? { shape: SHAPE, sha256, format, texts } : undefined),
  };
}

let build: string | undefined;

/**
 * A digest of the extractors' code as this dsr runs it (the compiled, or in tests the source, files
 * of src/extract): a dsr whose extractors read documents differently never replays text an older
 * one kept. Made once per thread, from ~100 small files.
 */
export function extractorsBuild(): string {
  if (build) return build;
  const hash = createHash('sha256');
  const root = fileURLToPath(new URL('../extract/', import.meta.url));
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(js|ts)$/.test(d.name) && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
  for (const f of files) hash.update(f.slice(root.length)).update('\0').update(readFileSync(f));
  build = hash.digest('hex');
  return build;
}

/**
 * Reads a top-level file: from its kept text when the format is costly and these bytes were read
 * before under the same limits, else by its extractor, keeping its text when it was read cleanly
 * (`errors` counts the item's errors, limits included).
 */
export async function extractKept(
  extractor: Extractor,
  input: ItemInput,
  ctx: ExtractContext,
  ref: TextCacheRef,
  errors: () => number,
): Promise<void> {
  if (!COSTLY_FORMATS.has(extractor.id) || input.source.kind !== 'file') return extractor.extract(input, ctx);
  let data: Buffer;
  try {
    data = await ctx.readAll();
  } catch {
    // Too large or unreadable: the extractor reports why.
    return extractor.extract(input, ctx);
  }
  const cache = new TextCache(ref, ctx.limits);
  const sha256 = sha256Of(data);
  const entry = cache.entry(sha256, extractor.id);
  const kept = cache.get(entry, sha256, extractor.id);
  if (kept) return replay(kept, ctx);
  const before = errors();
  const recording = record(ctx, input.ref, data);
  await extractor.extract(input, recording.ctx);
  const item = recording.finish(sha256, extractor.id);
  if (item && errors() === before && !ctx.signal.aborted) cache.put(entry, item);
}

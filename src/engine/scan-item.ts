import { readFileSync } from 'node:fs';
import { type Detector, type DetectorRegistry, registry as defaultRegistry } from '../../detectors/index.js';
import { ExtractError, errorMessage, kindOfSystemError } from '../core/errors.js';
import { findingId, findingIdPrefix, itemId } from '../core/ids.js';
import { type Limits, tooManyFindings } from '../core/limits.js';
import { lowerBound } from '../core/order.js';
import { fsPath } from '../core/raw-path.js';
import { collapsedJson, collapseSpaces } from '../core/spaces.js';
import type {
  Candidate,
  Chunk,
  DetectorId,
  ErrorKind,
  Finding,
  ItemInput,
  ItemRecord,
  ItemRef,
  Location,
  MessageRef,
  PixelBox,
  ScanError,
  WordBox,
} from '../core/types.js';
import type { ExtractContext, PdfPart, TextOptions } from '../extract/api.js';
import type { ZipPart } from '../extract/archive/zip.js';
import { Chunker, type ChunkerOptions } from '../extract/chunker.js';
import type { OcrCacheRef } from '../extract/ocr/cache.js';
import { readHead, readTransientPieces } from '../extract/read.js';
import { formatForName, selectExtractor, selectFormat } from '../extract/registry.js';
import { decodeStream } from '../extract/text/decode.js';
import type { CompiledSubject } from '../match/subject.js';
import { countKey, ElementWriter, FindingPacker, withEvidence } from '../scan-file/packed-findings.js';
import { subjectAnchors } from './anchors.js';
import { fingerprintOf } from './fingerprint.js';
import { ItemCandidates } from './item-candidates.js';
import { isPathName } from './path-names.js';
import { needsDecoding } from './raw-anchors.js';
import {
  type NamesGate,
  namesGate,
  pathTextOf,
  rawAnchorsOf,
  rawFirstPass,
  rawNamesAbsent,
} from './raw-first.js';
import type { TopLevelResult } from './result.js';
import { extractKept, type TextCacheRef } from './text-cache.js';
import { type MboxPart, rangeIsUtf8, type TextRange } from './text-ranges.js';
import { withoutTextMessage } from './without-text.js';

export type { RangeOutcome, TopLevelResult } from './result.js';
export { fingerprintOf };

export interface EngineOptions {
  subject: CompiledSubject;
  /** Inventory mode: keep every identifier found, not only the subject's. */
  all: boolean;
  limits: Limits;
  signal?: AbortSignal;
  /** The detectors to know: their anchors, evidence rules and names. @default detectors/index.ts */
  registry?: DetectorRegistry;
  /** Only these detectors, without anchor passes (tests compare with them). @default every registered one */
  detectors?: readonly Detector[];
  /** Sees every chunk before detection (the index collects identifier tokens here). */
  onChunk?: (chunk: Chunk) => void;
  /** The raw-byte pass already found an anchor in this file (over ranges in several workers): skip it. */
  rawChecked?: boolean;
  /** An inventory's top-level plain text: names looked for only once its bytes may hold the surname. */
  namesGate?: NamesGate;
  /** An index's OCR results (see OcrCache). */
  ocrCache?: OcrCacheRef;
  /** The text an index keeps of costly documents (see TextCache). */
  textCache?: TextCacheRef;
  /** A part of the top-level PDF whose scanned pages are spread over the workers (see PdfPart). */
  pdfPart?: PdfPart;
  /**
   * Findings handed on as scan-file elements (`packed`), each serialised as it is found into UTF-8 bytes
   * outside the JS heap: an inventory's many findings, held until their item is read to the end, are
   * then not objects and strings that every garbage collection has to move (a worker thread).
   */
  pack?: boolean;
  /** Packing: a private folder where findings too many to hold for one top-level file are written. */
  spillDir?: string;
  /**
   * Only this part of a huge plain-text file (see `textRanges`), listing at most `quota` findings of
   * each kind: the result carries `range` for the main thread to merge the parts (see RangeMerger).
   */
  textRange?: TextRange;
  quota?: { subject: number; others: number };
  /** Only these messages of a huge mailbox, with the mailbox's own name read by part 0 alone. */
  mboxPart?: MboxPart;
  /** Only these members of a huge zip (see `planZip`), likewise. */
  zipPart?: ZipPart;
}

interface ItemState {
  input: ItemInput;
  ref: ItemRef;
  ids: { id: string; idPrefix: string } | undefined;
  /** Packing: the item's parts of every finding's JSON (see `itemJson`). */
  json: { id: string; idPrefix: string; path: string; itemPath: string } | undefined;
  format?: string;
  candidates: ItemCandidates;
  /** The item's findings, their evidence still `none` until the item is read: as objects … */
  findings: Finding[];
  /** … or, when packing, as scan-file elements, with their counts and path-name findings. */
  packing: { elements: ElementWriter; counts: Record<string, number>; pathNames: Finding[] } | undefined;
  registry: DetectorRegistry;
}

const CONTEXT = 40;
/** For items read without a signal (a worker's tasks come without one): one, not one per item. */
const NEVER_ABORTED = new AbortController().signal;

/** Scans one top-level item and everything nested in it. Never throws for bad input: problems become errors. */
export async function scanTopLevel(input: ItemInput, opts: EngineOptions): Promise<TopLevelResult> {
  if (opts.textRange) return scanTextRange(input, opts, opts.textRange);
  if (opts.mboxPart || opts.zipPart) return scanTopLevelWith(input, opts);
  // Subject scans first read the item with cheap anchors only; most files hold nothing of the subject
  // and are done after that pass. A file with an anchor hit is read again with every detector.
  const registry = registryOf(opts);
  const anchors =
    !opts.all && !opts.onChunk && !opts.detectors ? subjectAnchors(opts.subject, registry) : undefined;
  // An inventory lists everyone's e-mail addresses, phones and CPR numbers, but names are only the subject's.
  if (opts.all && !opts.onChunk && !opts.detectors) {
    // JSON is settled by a raw pass first (its escapes are decoded only by its extractor); plain text
    // as its bytes are read (see NamesGate).
    if (formatForName(input.name)?.id === 'json' || input.depth !== 0 || input.source.kind !== 'file') {
      const noNames = await rawNamesAbsent(input, opts.subject, opts.signal, registry);
      return scanTopLevelWith(input, noNames ? { ...opts, detectors: registry.identifiers } : opts);
    }
    const gate = namesGate(input, opts.subject, registry);
    if (gate === false) return scanTopLevelWith(input, { ...opts, detectors: registry.identifiers });
    return scanTopLevelWith(input, { ...opts, namesGate: gate });
  }
  if (!anchors) return scanTopLevelWith(input, opts);
  // Plain text is first searched as raw bytes: no decoding or normalising for a file without an anchor.
  if (!opts.rawChecked) {
    const settled = await rawFirstPass(input, opts.subject, opts.signal, undefined, registry);
    if (settled) return settled;
  }
  if (!(await anchorsFirst(input))) return scanTopLevelWith(input, opts);
  const hit = new AbortController();
  const firstPass = await scanTopLevelWith(input, {
    ...opts,
    detectors: [],
    signal: opts.signal ? AbortSignal.any([opts.signal, hit.signal]) : hit.signal,
    onChunk: (chunk) => {
      if (!hit.signal.aborted && anchors(chunk.text)) hit.abort();
    },
  });
  opts.signal?.throwIfAborted();
  return hit.signal.aborted ? scanTopLevelWith(input, opts) : firstPass;
}

/**
 * A part of a huge plain-text file, read with every detector (names only where its bytes hold the
 * surname): the subject scans that found an anchor in the file, and inventories.
 */
async function scanTextRange(
  input: ItemInput,
  opts: EngineOptions,
  range: TextRange,
): Promise<TopLevelResult> {
  if (input.source.kind !== 'file') throw new Error('a text range of an item that is not a file');
  if (range.encoding === 'utf-8' && !rangeIsUtf8(input.source.absPath, range))
    return { findings: [], items: [], errors: [], itemCount: 1, bytes: 0, range: { invalid: true } };
  // Names only once the bytes read may hold the surname, as for a whole file (not for an index's tokens).
  if (opts.detectors || opts.onChunk) return scanTopLevelWith(input, opts);
  const registry = registryOf(opts);
  const gate = namesGate(input, opts.subject, registry);
  if (gate === false) return scanTopLevelWith(input, { ...opts, detectors: registry.identifiers });
  return scanTopLevelWith(input, { ...opts, namesGate: gate });
}

function registryOf(opts: EngineOptions): DetectorRegistry {
  return opts.registry ?? defaultRegistry;
}

/**
 * Formats read again cheaply, where an anchor pass that finds nothing saves the detectors' work. A file
 * of any other format is read once, with every detector: there reading costs far more than detecting
 * (pdf.js, Office XML, MIME, exiftool), and a hit would mean reading it all a second time (see
 * `npm run bench`, its documents part).
 */
const ANCHORS_FIRST = new Set(['text', 'json', 'html', 'zip', 'tar', 'gzip']);

async function anchorsFirst(input: ItemInput): Promise<boolean> {
  // Known by its name (as selectFormat would know it): its head is not read for that.
  const byName = formatForName(input.name);
  if (byName) return ANCHORS_FIRST.has(byName.id);
  try {
    return ANCHORS_FIRST.has(selectFormat(input, await readHead(input)).id);
  } catch {
    // Unreadable: the full read reports why.
    return false;
  }
}

async function scanTopLevelWith(input: ItemInput, opts: EngineOptions): Promise<TopLevelResult> {
  const result: TopLevelResult = { findings: [], items: [], errors: [], itemCount: 0, bytes: 0 };
  const budget: TopLevelBudget = {
    inflated: 0,
    packer: opts.pack ? new FindingPacker(opts.spillDir) : undefined,
    messageOthers: new Map(),
  };
  try {
    await scanItem(input, opts, result, budget);
  } catch (err) {
    result.errors.push(toScanError(input.ref, err));
  }
  if (budget.packer && !budget.packer.empty) result.packed = budget.packer.finish();
  if (opts.zipPart) result.inflated = budget.inflated;
  return result;
}

async function scanItem(
  input: ItemInput,
  opts: EngineOptions,
  result: TopLevelResult,
  budget: TopLevelBudget,
): Promise<void> {
  opts.signal?.throwIfAborted();
  result.itemCount++;
  const recordsBefore = result.items.length;
  if (input.depth === 0)
    result.bytes += input.source.kind === 'file' ? input.source.size : input.source.data.length;
  const state: ItemState = {
    input,
    ref: refOf(input),
    ids: undefined,
    json: undefined,
    candidates: new ItemCandidates(
      opts.subject,
      opts.all,
      opts.limits.maxFindings,
      input.depth === 0 ? opts.quota : undefined,
      registryOf(opts),
    ),
    findings: [],
    packing: budget.packer ? { elements: new ElementWriter(), counts: {}, pathNames: [] } : undefined,
    registry: registryOf(opts),
  };
  const registry = registryOf(opts);
  const detectors = opts.detectors ?? registry.list;
  const gate = input.depth === 0 ? opts.namesGate : undefined;
  let docChars = 0;
  let truncatedReported = false;
  const reportTruncated = () => {
    if (truncatedReported) return;
    truncatedReported = true;
    result.errors.push({
      ...refOf(input),
      kind: 'limit',
      message: `text truncated at ${opts.limits.maxTextChars} characters`,
    });
  };

  let streams = 0;
  /** A chunk handler for one text stream: a field's offsets start at 0 in each stream. */
  const streamOfChunks = () => {
    const stream = ++streams;
    return (chunk: Chunk) => {
      opts.onChunk?.(chunk);
      detectChunk(chunk, stream, gate?.closed ? registry.identifiers : detectors, opts, state);
    };
  };
  const pdfPart = input.depth === 0 ? opts.pdfPart : undefined;
  const ctx: ExtractContext = {
    limits: opts.limits,
    signal: opts.signal ?? NEVER_ABORTED,
    ...(opts.ocrCache ? { ocrCache: opts.ocrCache } : {}),
    ...(pdfPart ? { pdfPart } : {}),
    ...(pdfPart && !pdfPart.ocrPages
      ? {
          ocrLater(pages) {
            result.ocrLater = [...pages];
          },
        }
      : {}),
    text(text, o) {
      let t = text;
      if (docChars + t.length > opts.limits.maxTextChars) {
        t = t.slice(0, Math.max(0, opts.limits.maxTextChars - docChars));
        reportTruncated();
      }
      docChars += t.length;
      const chunker = new Chunker(chunkerOptions(input, o, Number.POSITIVE_INFINITY), streamOfChunks());
      chunker.push(t);
      chunker.end();
    },
    async textStream(pieces, o) {
      const budget = o?.document
        ? Math.max(0, opts.limits.maxTextChars - docChars)
        : Number.POSITIVE_INFINITY;
      const chunker = new Chunker(chunkerOptions(input, o, budget), streamOfChunks());
      for await (const piece of pieces) {
        opts.signal?.throwIfAborted();
        chunker.push(piece);
        // Past the document's budget the rest of the stream is not even produced.
        if (chunker.truncated) break;
      }
      chunker.end();
      if (o?.document) docChars += chunker.chars;
      if (chunker.truncated) reportTruncated();
    },
    async child(child) {
      const full: ItemInput = { message: input.message, ...child, depth: input.depth + 1, root: input.root };
      if (full.depth > opts.limits.maxDepth) {
        result.errors.push({
          ...full.ref,
          kind: 'limit',
          message: `nested deeper than ${opts.limits.maxDepth} levels; not read`,
        });
        return;
      }
      await scanItem(full, opts, result, budget);
    },
    skip(reason) {
      if (input.depth === 0) result.skipped = reason;
    },
    error(kind, message, ref) {
      result.errors.push({ ...(ref ?? refOf(input)), kind, message });
    },
    withoutText(what) {
      result.errors.push({ ...refOf(input), kind: 'unsupported', message: withoutTextMessage(what) });
    },
    async readAll() {
      if (input.source.kind === 'buffer')
        return Buffer.from(input.source.data.buffer, input.source.data.byteOffset, input.source.data.length);
      if (input.source.size > opts.limits.maxExtractBytes) {
        throw new ExtractError(
          'limit',
          `larger than ${opts.limits.maxExtractBytes} bytes; not read (raise --max-extract-bytes)`,
        );
      }
      // Synchronously, as heads and text are read: a worker has nothing else to do meanwhile, and a
      // page-cached read in one call beats open, stat, read and close through libuv's thread pool.
      return readFileSync(fsPath(input.source.absPath));
    },
    rawText: gate ? (pieces, encoding) => gate.watch(pieces, encoding) : undefined,
    rawClean: rawCleanTest(opts),
    textClean: textCleanTest(opts),
    childHeldSubject: () => result.items.length > recordsBefore,
    passedOver(items) {
      result.itemCount += items;
    },
    inflated(bytes) {
      budget.inflated += bytes;
      if (budget.inflated > opts.limits.maxInflatedBytes) {
        throw new ExtractError(
          'limit',
          `more than ${opts.limits.maxInflatedBytes} bytes inflated from one file`,
        );
      }
    },
  };

  const range = input.depth === 0 ? opts.textRange : undefined;
  const mboxPart = input.depth === 0 ? opts.mboxPart : undefined;
  const zipPart = input.depth === 0 ? opts.zipPart : undefined;
  // The item's own name is evidence: a file or folder named after the subject (read with its first part).
  const pathText = pathTextOf(input);
  if (pathText && ((range ?? mboxPart ?? zipPart)?.index ?? 0) === 0 && !pdfPart?.ocrPages)
    ctx.text(pathText, { field: 'path', structured: true });

  try {
    if (zipPart) {
      state.format = result.format = 'zip';
      const { readZipPart } = await import('../extract/archive/zip.js');
      await readZipPart(input, ctx, zipPart);
    } else if (mboxPart) {
      state.format = result.format = 'mbox';
      const { readMboxSpans } = await import('../extract/mail/mbox.js');
      await readMboxSpans(input, mboxPart.spans, ctx);
    } else if (range) {
      state.format = result.format = 'text';
      const pieces = readTransientPieces(input, { start: range.from, end: range.to });
      const watched = ctx.rawText?.(pieces, range.encoding) ?? pieces;
      await ctx.textStream(decodeStream(watched, range.encoding, range.bom), {
        resume: range.place,
        own: { from: range.ownFrom, to: range.ownTo },
      });
    } else {
      const head = await readHead(input);
      const extractor = await selectExtractor(input, head);
      state.format = extractor.id;
      if (input.depth === 0) result.format = extractor.id;
      if (input.depth === 0 && opts.textCache)
        await extractKept(extractor, input, ctx, opts.textCache, () => result.errors.length);
      else await extractor.extract(input, ctx);
    }
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    result.errors.push(toScanError(refOf(input), err));
  }
  await finishItem(state, opts, result, budget);
  if (input.message && isMessageItself(input)) settleMessage(input.message, result, recordsBefore, budget);
}

/** The message item itself, not one of its attachments or attached messages. */
function isMessageItself(input: ItemInput): boolean {
  return input.ref.itemPath.length === input.message!.itemPath.length;
}

function messageKey(message: MessageRef): string {
  return message.itemPath.join('\u0000');
}

/**
 * A message is read to its end: its records (made since `from`) learn what of other people the rest
 * of it holds (see ItemRecord.messageOthers), since erasure removes the message whole.
 */
function settleMessage(
  message: MessageRef,
  result: TopLevelResult,
  from: number,
  budget: TopLevelBudget,
): void {
  const key = messageKey(message);
  const rest = budget.messageOthers.get(key);
  budget.messageOthers.delete(key);
  if (!rest) return;
  for (let i = from; i < result.items.length; i++) result.items[i].messageOthers = { ...rest };
}

/** Other people's identifiers in an item without the subject, for the records of its message. */
function noteMessageOthers(
  input: ItemInput,
  candidates: ItemCandidates,
  budget: TopLevelBudget,
  registry: DetectorRegistry,
): void {
  const message = input.message;
  if (!message) return;
  const counts = contentOthers(input, candidates, registry);
  if (!Object.keys(counts).length) return;
  const key = messageKey(message);
  const sum = budget.messageOthers.get(key) ?? {};
  for (const [d, n] of Object.entries(counts) as [DetectorId, number][]) sum[d] = (sum[d] ?? 0) + n;
  budget.messageOthers.set(key, sum);
}

/** An item's other people, its correspondents left out when it is a message itself. */
function contentOthers(
  input: ItemInput,
  candidates: ItemCandidates,
  registry: DetectorRegistry,
): Partial<Record<DetectorId, number>> {
  const counts = { ...candidates.others };
  const id = registry.correspondentId;
  if (id && input.message && isMessageItself(input) && candidates.correspondents) {
    const left = (counts[id] ?? 0) - candidates.correspondents;
    if (left > 0) counts[id] = left;
    else delete counts[id];
  }
  return counts;
}

/**
 * A subject scan's test of raw bytes for the subject's anchors (see ExtractContext.rawClean); none in an
 * inventory, an index run or a scan with its detectors given (tests compare with those).
 */
function rawCleanTest(opts: EngineOptions): ((bytes: Uint8Array) => boolean) | undefined {
  if (opts.all || opts.onChunk || opts.detectors) return undefined;
  const anchors = rawAnchorsOf(opts.subject, registryOf(opts));
  if (!anchors) return undefined;
  return (bytes) => {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (needsDecoding(buf)) return false;
    // In blocks, as the raw pass reads files: the module's memory and the blocks' strings stay small.
    for (let at = 0; at < buf.length || at === 0; at += RAW_BLOCK) {
      if (anchors.test(buf.subarray(at, at + RAW_BLOCK + anchors.span))) return false;
      if (at + RAW_BLOCK + anchors.span >= buf.length) break;
    }
    return true;
  };
}

const RAW_BLOCK = 64 * 1024;

/** A subject scan's test of text for the subject's anchors (see ExtractContext.textClean), as rawCleanTest. */
function textCleanTest(opts: EngineOptions): ((text: string) => boolean) | undefined {
  if (opts.all || opts.onChunk || opts.detectors) return undefined;
  const anchors = subjectAnchors(opts.subject, registryOf(opts));
  // Chunks hold text in NFC (see Chunker).
  return anchors && ((text) => !anchors(text.normalize('NFC')));
}

/** What one top-level file shares with everything nested in it. */
interface TopLevelBudget {
  inflated: number;
  packer: FindingPacker | undefined;
  /** Per message being read: other people in its parts that are no items (see ItemRecord.messageOthers). */
  messageOthers: Map<string, Partial<Record<DetectorId, number>>>;
}

function chunkerOptions(input: ItemInput, o: TextOptions | undefined, maxChars: number): ChunkerOptions {
  return {
    resume: o?.resume,
    own: o?.own,
    ref: o?.ref ?? refOf(input),
    field: o?.field ?? 'body',
    page: o?.page,
    structured: o?.structured,
    location: o?.location,
    faceTag: o?.faceTag,
    boxes: o?.boxes,
    maxChars,
  };
}

function refOf(input: ItemInput): ItemRef {
  return { path: input.ref.path, itemPath: [...input.ref.itemPath] };
}

function detectChunk(
  chunk: Chunk,
  stream: number,
  detectors: readonly Detector[],
  opts: EngineOptions,
  state: ItemState,
): void {
  const from = chunk.acceptFrom ?? 0;
  const to = chunk.acceptTo ?? chunk.text.length;
  const field = chunk.field ?? 'body';
  state.candidates.startChunk();
  for (const detector of detectors) {
    for (const c of detector.detect(chunk, { subject: opts.subject, all: opts.all })) {
      if (c.start < from || c.start >= to) continue;
      const offset = chunk.offset + c.start;
      // In a margin of a huge file's part: another part lists it; here it only weighs in the evidence.
      if (chunk.own && (c.start < chunk.own.from || c.start >= chunk.own.to)) {
        state.candidates.evidence.note(
          c.detector,
          c.subject,
          { field, offset, structured: chunk.structured },
          c.value,
        );
        continue;
      }
      // Other people's identifiers only count towards evidence unless --all: no context needed.
      if (!state.candidates.add(c, { field, offset, structured: chunk.structured }, stream)) continue;
      if (
        state.packing &&
        !chunk.location &&
        !c.location &&
        !(field === 'path' && state.registry.isName(c.detector))
      )
        packPlain(state, state.packing, chunk, c, field, offset);
      else keep(state, findingOf(state, chunk, c, field, offset));
    }
  }
}

/** A finding as the scan file holds it, but for its item's evidence (`none` until the item is read). */
function findingOf(state: ItemState, chunk: Chunk, c: Candidate, field: string, offset: number): Finding {
  const { line, column } = lineColumn(chunk, c.start);
  const ids = itemIds(state);
  return {
    id: findingId(ids.idPrefix, c.detector, field, offset),
    path: state.ref.path,
    // A finding on a page points at the page (`… page 3`); the item (what erasure acts on) stays the document.
    itemPath: chunk.page !== undefined ? [...state.ref.itemPath, `page ${chunk.page}`] : state.ref.itemPath,
    itemId: ids.id,
    detector: c.detector,
    subject: c.subject,
    value: c.value,
    confidence: c.confidence,
    evidence: 'none',
    location: locationOf(chunk, c, field, offset, line, column),
    context: contextOf(chunk.text, c.start, c.end),
  };
}

/**
 * A finding without location facts of its own (nearly all), written as `JSON.stringify` writes
 * `findingOf`'s object, with only its free text (value, context, field) and the item's path escaped by
 * `JSON.stringify`: ~1 µs less a finding than serialising the object (an inventory lists ~100,000 per
 * worker on the bench corpus). A test holds the bytes to the object's serialisation.
 */
function packPlain(
  state: ItemState,
  packing: NonNullable<ItemState['packing']>,
  chunk: Chunk,
  c: Candidate,
  field: string,
  offset: number,
): void {
  const { line, column } = lineColumn(chunk, c.start);
  const json = itemJson(state);
  const itemPath =
    chunk.page === undefined ? json.itemPath : JSON.stringify([...state.ref.itemPath, `page ${chunk.page}`]);
  const page = chunk.page === undefined ? '' : `,"page":${chunk.page}`;
  const id = findingId(json.idPrefix, c.detector, field, offset);
  const context = contextJson(chunk.text, c.start, c.end);
  packing.elements.add(
    `{"id":"${id}","path":${json.path},"itemPath":${itemPath},"itemId":"${json.id}","detector":"${c.detector}","subject":${c.subject},"value":${JSON.stringify(c.value)},"confidence":${c.confidence},"evidence":"none","location":{"field":${fieldJson(field)},"line":${line},"column":${column},"offset":${offset}${page}},"context":${context}}`,
  );
  const key = countKey(c);
  packing.counts[key] = (packing.counts[key] ?? 0) + 1;
}

/** What every finding of an item repeats, serialised once (ids are hex). */
function itemJson(state: ItemState): { id: string; idPrefix: string; path: string; itemPath: string } {
  state.json ??= {
    ...itemIds(state),
    path: JSON.stringify(state.ref.path),
    itemPath: JSON.stringify(state.ref.itemPath),
  };
  return state.json;
}

/** The item's id and what its findings' ids start with, made once. */
function itemIds(state: ItemState): { id: string; idPrefix: string } {
  state.ids ??= { id: itemId(state.ref), idPrefix: findingIdPrefix(state.ref) };
  return state.ids;
}

/** A chunk's candidates share its field: its JSON is kept from one finding to the next. */
let lastField = '';
let lastFieldJson = '""';

function fieldJson(field: string): string {
  if (field !== lastField) {
    lastField = field;
    lastFieldJson = JSON.stringify(field);
  }
  return lastFieldJson;
}

function keep(state: ItemState, f: Finding): void {
  const { packing } = state;
  if (packing) {
    // Serialised at once, the finding's object and strings die young.
    packing.elements.add(JSON.stringify(f));
    const key = countKey(f);
    packing.counts[key] = (packing.counts[key] ?? 0) + 1;
    if (isPathName(f, state.registry)) packing.pathNames.push(f);
    return;
  }
  f.value = detach(f.value);
  f.context = detach(f.context);
  state.findings.push(f);
}

/** Newline positions per chunk, found once: a chunk may hold thousands of candidates (--all on a CSV). */
const newlines = new WeakMap<Chunk, number[]>();

function lineColumn(chunk: Chunk, index: number): { line: number; column: number } {
  let nls = newlines.get(chunk);
  if (!nls) {
    nls = [];
    for (let i = chunk.text.indexOf('\n'); i !== -1; i = chunk.text.indexOf('\n', i + 1)) nls.push(i);
    newlines.set(chunk, nls);
  }
  // Newlines before the match: its line within the chunk.
  const lo = lowerBound(nls, index);
  const lastNl = lo ? nls[lo - 1] : -1;
  return { line: chunk.line + lo, column: lastNl === -1 ? chunk.column + index : index - lastNl };
}

/**
 * A copy of a short string cut from a chunk. V8 keeps a slice's whole parent alive, so without it every
 * 1 MiB chunk that held a candidate would stay in memory until its item is finished.
 */
function detach(s: string): string {
  return s.length ? ` ${s}`.slice(1) : s;
}

/** The text around a match, runs of white space shown as one space (a match neither begins nor ends with one). */
function contextOf(text: string, start: number, end: number): string {
  const around = collapseSpaces(text, Math.max(0, start - CONTEXT), Math.min(text.length, end + CONTEXT));
  return `${start > CONTEXT ? '…' : ''}${around}${end + CONTEXT < text.length ? '…' : ''}`;
}

/** `JSON.stringify(contextOf(text, start, end))`. */
function contextJson(text: string, start: number, end: number): string {
  const from = Math.max(0, start - CONTEXT);
  const to = Math.min(text.length, end + CONTEXT);
  return collapsedJson(text, from, to, start > CONTEXT ? '…' : '', end + CONTEXT < text.length ? '…' : '');
}

async function finishItem(
  state: ItemState,
  opts: EngineOptions,
  result: TopLevelResult,
  budget: TopLevelBudget,
): Promise<void> {
  const { packer } = budget;
  const { input, candidates, ref } = state;
  // A part of a huge file: its findings wait for the item's evidence, which the main thread decides.
  const range = input.depth === 0 && (opts.textRange !== undefined || opts.pdfPart !== undefined);
  const evidence = range ? undefined : candidates.evidence.evidence();
  if (range)
    result.range = {
      evidence: candidates.evidence.summary(),
      others: candidates.others,
      detectors: [...candidates.subjectDetectors],
      overflow: candidates.overflow,
      listed: candidates.listed,
    };
  else if (candidates.overflow)
    result.errors.push({
      ...refOf(input),
      kind: 'limit',
      message: tooManyFindings(opts.limits.maxFindings),
    });
  const level = evidence ?? 'none';
  if (state.packing && packer) {
    const { elements, counts, pathNames } = state.packing;
    if (elements.count) packer.add(withEvidence(elements.parts(), level), elements.count);
    packer.addCounts(counts);
    for (const f of pathNames) {
      f.evidence = level;
      packer.addPathName(f);
    }
  } else
    for (const f of state.findings) {
      f.evidence = level;
      result.findings.push(f);
    }
  if (!evidence) {
    if (!range) noteMessageOthers(input, candidates, budget, registryOf(opts));
    return;
  }
  const others: ItemRecord['others'] = candidates.others;
  const correspondents = input.message && isMessageItself(input) ? candidates.correspondents : 0;
  result.items.push({
    id: itemIds(state).id,
    path: ref.path,
    itemPath: ref.itemPath,
    evidence,
    detectors: [...candidates.subjectDetectors].sort(),
    fingerprint: await fingerprintOf(input),
    ...(Object.keys(others).length ? { others } : {}),
    ...(correspondents ? { correspondents } : {}),
    format: state.format,
    ...(input.message ? { message: input.message } : {}),
    scannedAt: new Date().toISOString(),
  });
}

/** A finding's location. Most have no location facts of their own: built without object spreads, which cost. */
function locationOf(
  chunk: Chunk,
  c: Candidate,
  field: string,
  offset: number,
  line: number,
  column: number,
): Location {
  if (chunk.location || c.location) {
    const facts = { ...chunk.location, ...c.location };
    if (chunk.boxes) {
      const box = boxOf(chunk.boxes, offset, offset + (c.end - c.start));
      if (box) facts.box = box;
    }
    return {
      ...facts,
      field: facts.field ?? field,
      line,
      column,
      offset,
      ...(chunk.page !== undefined ? { page: chunk.page } : {}),
    };
  }
  const location: Location = { field, line, column, offset };
  if (chunk.page !== undefined) location.page = chunk.page;
  return location;
}

/** The box around the OCR words a match [from, to) touches. */
export function boxOf(boxes: readonly WordBox[], from: number, to: number): PixelBox | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const { from: a, to: b, box } of boxes) {
    if (b <= from || a >= to) continue;
    x0 = Math.min(x0, box.x);
    y0 = Math.min(y0, box.y);
    x1 = Math.max(x1, box.x + box.w);
    y1 = Math.max(y1, box.y + box.h);
  }
  return x0 === Infinity ? undefined : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function toScanError(ref: ItemRef, err: unknown): ScanError {
  const kind: ErrorKind = err instanceof ExtractError ? err.kind : kindOfSystemError(err);
  return { path: ref.path, itemPath: ref.itemPath, kind, message: errorMessage(err) };
}

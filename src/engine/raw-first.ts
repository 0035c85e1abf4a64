import { relative } from 'node:path';
import { type DetectorRegistry, registry as detectors } from '../../detectors/index.js';
import type { ItemInput } from '../core/types.js';
import type { CompiledSubject } from '../match/subject.js';
import { subjectAnchors, uniqueAnchors } from './anchors.js';
import { needsDecoding, type RawAnchors, rawSubjectAnchors } from './raw-anchors.js';
import { type ByteRange, rawPass } from './raw-pass.js';
import type { TopLevelResult } from './result.js';

/**
 * The raw-byte pass that opens a subject scan of a top-level file (see rawPass): its settled result,
 * or undefined when the file must be read in full (an anchor in its bytes or in its own name, another
 * format, …). Light on purpose: the main thread of a scan runs it too, without loading the engine.
 * With `range`, only that part of the file (workers share a huge one); the range at 0 checks the name.
 */
export async function rawFirstPass(
  input: ItemInput,
  subject: CompiledSubject,
  signal?: AbortSignal,
  range?: ByteRange,
  registry: DetectorRegistry = detectors,
): Promise<TopLevelResult | undefined> {
  const anchors = subjectAnchors(subject, registry);
  const raw = rawAnchorsOf(subject, registry);
  if (!anchors || !raw || ((range?.start ?? 0) === 0 && anchors(pathTextOf(input).normalize('NFC'))))
    return undefined;
  return rawPass(input, raw, signal, range);
}

/**
 * For an inventory (`--all`) of a JSON file (plain text is looked at as it is read: see NamesGate):
 * true when the raw-byte pass proves that the top-level file holds nothing the name detectors (name,
 * face) could find (no spelling of the subject's surname in its bytes, nor in its path; a `\u` escape
 * always counts as one), so that it can be read without them. False when that is not known.
 */
export async function rawNamesAbsent(
  input: ItemInput,
  subject: CompiledSubject,
  signal?: AbortSignal,
  registry: DetectorRegistry = detectors,
): Promise<boolean> {
  const names = namesAnchorOf(subject, registry);
  if (!names) return true;
  const raw = rawNameAnchorsOf(subject, registry);
  if (!raw) return false;
  if (names(pathTextOf(input).normalize('NFC'))) return false;
  return (await rawPass(input, raw, signal)) !== undefined;
}

/**
 * For an inventory (`--all`) of a top-level plain-text file: whether the name and face detectors can be
 * left out of the chunks read so far. Its `watch` sees the file's raw bytes as the text extractor
 * streams them (UTF-8 or Windows-1252), before they are decoded; until a piece may hold a spelling of
 * the subject's surname (`rawNamesAbsent`'s test, across piece borders too), no chunk made of them can
 * hold a name of the subject, and `closed` is true. Watching the stream reads every byte once, where a
 * raw pass over the whole file before the read would read it twice. Undefined when names must always be looked for (the
 * path holds the surname, no byte patterns); `false` when never (the subject has no name).
 */
export function namesGate(
  input: ItemInput,
  subject: CompiledSubject,
  registry: DetectorRegistry = detectors,
): NamesGate | false | undefined {
  const names = namesAnchorOf(subject, registry);
  if (!names) return false;
  const raw = rawNameAnchorsOf(subject, registry);
  if (!raw) return undefined;
  if (names(pathTextOf(input).normalize('NFC'))) return undefined;
  return new NamesGate(raw);
}

/** The name detectors' text anchors for the subject, or undefined when the subject has no name. */
function namesAnchorOf(
  subject: CompiledSubject,
  registry: DetectorRegistry,
): ((text: string) => boolean) | undefined {
  const tests = uniqueAnchors(registry.names)
    .map((a) => a.text(subject))
    .filter((t): t is (text: string) => boolean => t !== undefined);
  return tests.length ? (text) => tests.some((t) => t(text)) : undefined;
}

export class NamesGate {
  private watching = false;
  private seen = false;
  private carry: Uint8Array = new Uint8Array(0);

  constructor(private readonly anchors: RawAnchors) {}

  /** True while every byte read so far is known to hold no spelling of the surname. */
  get closed(): boolean {
    return this.watching && !this.seen;
  }

  /** Passes the pieces on, looking at them; other encodings than these two leave the gate open. */
  async *watch(pieces: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<Uint8Array> {
    // Only the first stream, from its first byte: what was decoded before it was not looked at.
    if (!this.watching && !this.seen && (encoding === 'utf-8' || encoding === 'windows-1252'))
      this.watching = true;
    else this.seen = true;
    for await (const piece of pieces) {
      if (!this.seen) this.look(piece);
      yield piece;
    }
  }

  private look(piece: Uint8Array): void {
    const { span } = this.anchors;
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    // A pattern cut by the border between pieces: the last bytes of the one before, then this one's first.
    const border = this.carry.length ? Buffer.concat([this.carry, bytes.subarray(0, span)]) : undefined;
    if (
      needsDecoding(bytes) ||
      this.anchors.test(bytes) ||
      (border !== undefined && (needsDecoding(border) || this.anchors.test(border)))
    )
      this.seen = true;
    // Pieces are only valid until the next one is read: the carry is a copy.
    this.carry = Uint8Array.from(bytes.subarray(Math.max(0, bytes.length - span)));
  }
}

/** The item's path below its root (or its name when nested), with separators read as spaces. */
export function pathTextOf(input: ItemInput): string {
  const path = input.depth === 0 && input.root ? relative(input.root, input.ref.path) : input.name;
  return path ? path.replace(/[_./\\-]/g, ' ') : '';
}

type Cache = WeakMap<DetectorRegistry, WeakMap<CompiledSubject, RawAnchors | undefined>>;
const rawAnchorCache: Cache = new WeakMap();
const rawNameAnchorCache: Cache = new WeakMap();

function cached(cache: Cache, subject: CompiledSubject, registry: DetectorRegistry, namesOnly: boolean) {
  let bySubject = cache.get(registry);
  if (!bySubject) {
    bySubject = new WeakMap();
    cache.set(registry, bySubject);
  }
  if (!bySubject.has(subject)) bySubject.set(subject, rawSubjectAnchors(subject, { namesOnly }, registry));
  return bySubject.get(subject);
}

/** The subject's raw-byte anchors, made once per compiled subject. */
export function rawAnchorsOf(
  subject: CompiledSubject,
  registry: DetectorRegistry = detectors,
): RawAnchors | undefined {
  return cached(rawAnchorCache, subject, registry, false);
}

function rawNameAnchorsOf(subject: CompiledSubject, registry: DetectorRegistry): RawAnchors | undefined {
  return cached(rawNameAnchorCache, subject, registry, true);
}

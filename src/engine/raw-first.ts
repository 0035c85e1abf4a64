import { relative } from 'node:path';
import type { ItemInput } from '../core/types.js';
import type { CompiledSubject } from '../match/subject.js';
import { subjectAnchors } from './anchors.js';
import { type RawAnchors, rawSubjectAnchors } from './raw-anchors.js';
import { type ByteRange, rawPass } from './raw-pass.js';
import type { TopLevelResult } from './scan-item.js';

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
): Promise<TopLevelResult | undefined> {
  const anchors = subjectAnchors(subject);
  const raw = rawAnchorsOf(subject);
  if (!anchors || !raw || ((range?.start ?? 0) === 0 && anchors(pathTextOf(input).normalize('NFC'))))
    return undefined;
  return rawPass(input, raw, signal, range);
}

/**
 * For an inventory (`--all`), and for a part of a huge file: true when the raw-byte pass proves that a
 * top-level plain-text or JSON file (or the bytes of `range`) holds nothing the name and face
 * detectors could find (no spelling of the subject's surname in its bytes, nor in its path when read
 * from the start), so that it can be read without them. False when that is not known.
 */
export async function rawNamesAbsent(
  input: ItemInput,
  subject: CompiledSubject,
  signal?: AbortSignal,
  range?: ByteRange,
): Promise<boolean> {
  if (!subject.names.length) return true;
  const raw = rawNameAnchorsOf(subject);
  if (!raw) return false;
  if ((range?.start ?? 0) === 0) {
    const path = pathTextOf(input).normalize('NFC');
    if (subject.names.some((m) => m.mayOccurIn(path))) return false;
  }
  return (await rawPass(input, raw, signal, range)) !== undefined;
}

/** The item's path below its root (or its name when nested), with separators read as spaces. */
export function pathTextOf(input: ItemInput): string {
  const path = input.depth === 0 && input.root ? relative(input.root, input.ref.path) : input.name;
  return path ? path.replace(/[_./\\-]/g, ' ') : '';
}

const rawAnchorCache = new WeakMap<CompiledSubject, RawAnchors | undefined>();

function rawAnchorsOf(subject: CompiledSubject): RawAnchors | undefined {
  if (!rawAnchorCache.has(subject)) rawAnchorCache.set(subject, rawSubjectAnchors(subject));
  return rawAnchorCache.get(subject);
}

const rawNameAnchorCache = new WeakMap<CompiledSubject, RawAnchors | undefined>();

function rawNameAnchorsOf(subject: CompiledSubject): RawAnchors | undefined {
  if (!rawNameAnchorCache.has(subject))
    rawNameAnchorCache.set(subject, rawSubjectAnchors(subject, { namesOnly: true }));
  return rawNameAnchorCache.get(subject);
}

import { type DetectorRegistry, registry as detectors, type SubjectAnchors } from '../../detectors/index.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * A cheap test that text may hold one of the subject's identifiers: the detectors' text anchors (see
 * SubjectAnchors), each implied by its detector's pattern, so that a chunk that fails every test
 * cannot yield a subject finding. Undefined for an empty subject.
 */
export function subjectAnchors(
  subject: CompiledSubject,
  registry: DetectorRegistry = detectors,
): ((text: string) => boolean) | undefined {
  let bySubject = cache.get(registry);
  if (!bySubject) {
    bySubject = new WeakMap();
    cache.set(registry, bySubject);
  }
  if (!bySubject.has(subject)) bySubject.set(subject, compileAnchors(subject, registry));
  return bySubject.get(subject);
}

const cache = new WeakMap<
  DetectorRegistry,
  WeakMap<CompiledSubject, ((text: string) => boolean) | undefined>
>();

function compileAnchors(
  subject: CompiledSubject,
  registry: DetectorRegistry,
): ((text: string) => boolean) | undefined {
  if (subject.isEmpty) return undefined;
  const tests = uniqueAnchors(registry.list)
    .map((a) => a.text(subject))
    .filter((t): t is (text: string) => boolean => t !== undefined);
  return (text) => tests.some((t) => t(text));
}

/** The detectors' anchors, each shared object once (the name and face detectors share theirs). */
export function uniqueAnchors(list: readonly { anchors: SubjectAnchors }[]): SubjectAnchors[] {
  return [...new Set(list.map((d) => d.anchors))];
}

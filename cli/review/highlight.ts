import { registry } from '../../detectors/index.js';
import type { Finding } from '../../src/core/types.js';

/** Characters of text the scan keeps on each side of a match (`contextOf` in the engine). */
const CONTEXT_CHARS = 40;

/**
 * Where a finding's matched text sits in its context, as [start, end) or undefined when it cannot be
 * found. The value is normalised (a phone as +45…, a CPR with a dash, a name as profiled), so the
 * context is searched as each detector says its values may be written; of several hits the one where the engine put the
 * match wins.
 */
export function locateMatch(
  finding: Pick<Finding, 'detector' | 'value' | 'context' | 'location'>,
): [number, number] | undefined {
  const { context, value } = finding;
  const hits = candidates(finding.detector, value, context);
  if (!hits.length) return undefined;
  const expected = context.startsWith('…') ? CONTEXT_CHARS + 1 : (finding.location?.offset ?? 0);
  let best = hits[0];
  for (const h of hits) if (Math.abs(h[0] - expected) < Math.abs(best[0] - expected)) best = h;
  return best;
}

function candidates(detector: string, value: string, context: string): [number, number][] {
  const exact = allIndexes(context.toLowerCase(), value.toLowerCase());
  if (exact.length) return exact;
  const written = registry.get(detector)?.written(value);
  if (!written) return [];
  return [...context.matchAll(written)].map((m) => [m.index, m.index + m[0].length]);
}

function allIndexes(haystack: string, needle: string): [number, number][] {
  const out: [number, number][] = [];
  if (!needle) return out;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    out.push([i, i + needle.length]);
  }
  return out;
}

import type { Finding } from '../../src/core/types.js';
import { tokenPattern } from '../../src/match/fold.js';

/** Characters of text the scan keeps on each side of a match (`contextOf` in the engine). */
const CONTEXT_CHARS = 40;

/**
 * Where a finding's matched text sits in its context, as [start, end) or undefined when it cannot be
 * found. The value is normalised (a phone as +45…, a CPR with a dash, a name as profiled), so the
 * context is searched the way each detector matches; of several hits the one where the engine put the
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
  if (detector === 'cpr' || detector === 'phone') {
    const digits = value.replace(/\D/g, '');
    const hits = digitRuns(context, digits);
    // A phone written without its country code: `21 43 65 87` for +4521436587.
    if (!hits.length && detector === 'phone' && digits.length > 8)
      return digitRuns(context, digits.slice(-8));
    return hits;
  }
  if (detector === 'name' || detector === 'face') {
    const tokens = value.split(/[\s,]+/u).filter(Boolean);
    if (!tokens.length) return [];
    const re = new RegExp(tokens.map((t) => tokenPattern(t)).join('[\\s,.\\-]+'), 'giu');
    return [...context.matchAll(re)].map((m) => [m.index, m.index + m[0].length]);
  }
  return [];
}

function allIndexes(haystack: string, needle: string): [number, number][] {
  const out: [number, number][] = [];
  if (!needle) return out;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    out.push([i, i + needle.length]);
  }
  return out;
}

/** Spans of `context` whose digits, ignoring spaces, dashes, dots and brackets, spell `digits`. */
function digitRuns(context: string, digits: string): [number, number][] {
  const out: [number, number][] = [];
  if (!digits) return out;
  for (let start = 0; start < context.length; start++) {
    if (context[start] !== digits[0] && !(context[start] === '+' && digits.length > 8)) continue;
    // Never start inside a longer digit run.
    if (start > 0 && /\d/.test(context[start - 1])) continue;
    let i = start;
    let k = 0;
    if (context[i] === '+') i++;
    while (i < context.length && k < digits.length) {
      const ch = context[i];
      if (ch === digits[k]) k++;
      else if (!/[\s\-.()/]/.test(ch)) break;
      i++;
    }
    if (k === digits.length && !/\d/.test(context[i] ?? '')) out.push([start, i]);
  }
  return out;
}

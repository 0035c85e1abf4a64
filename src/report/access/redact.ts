import { type Conceal, type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import type { Subject } from '../../core/types.js';
import { type CompiledSubject, compileSubject } from '../../match/subject.js';

/** A piece of a context snippet: the subject's own value (shown in full, highlighted) or other text. */
export interface Segment {
  text: string;
  own: boolean;
}

/**
 * Hides other people's identifiers in a context snippet before it goes to the subject (GDPR art. 15(4):
 * the copy must not affect the rights of others): each identifier detector's loose pattern (see
 * Conceal), masked as the detector masks its values unless it is the subject's own. A number cut off
 * by either end of the snippet (`…`) cannot be compared and loses its digits. Other people's names
 * cannot be told apart from ordinary words and stay as written.
 */
export function maskOthers(
  context: string,
  subject: Subject,
  registry: DetectorRegistry = detectors,
): string {
  return redactContext(context, subject, registry)
    .map((s) => s.text)
    .join('');
}

/**
 * The context cut into the subject's own values and the rest, the rest with other people's identifiers
 * masked. The subject's values are found first (as each detector says they may be written), so that a
 * neighbouring number (a spreadsheet's next cell, the next line) never merges with one of them into a
 * "phone number" that then gets masked. Dates, times and version-like numbers are not identifiers and
 * stay as written.
 */
export function redactContext(
  context: string,
  subject: Subject,
  registry: DetectorRegistry = detectors,
): Segment[] {
  const compiled = compiledOf(subject);
  const own = ownPattern(subject, registry);
  const { re, parts } = concealerOf(registry);
  const out: Segment[] = [];
  let at = 0;
  if (own)
    for (const m of context.matchAll(own)) {
      if (!m[0] || !ownValue(m[0], compiled, registry)) continue;
      if (m.index > at)
        out.push({ text: maskRest(context.slice(at, m.index), re, parts, compiled), own: false });
      out.push({ text: m[0], own: true });
      at = m.index + m[0].length;
    }
  if (at < context.length) out.push({ text: maskRest(context.slice(at), re, parts, compiled), own: false });
  return out.filter((s) => s.text);
}

/** Every value of the subject's, in the profile fields of the identifier detectors, as it may be written. */
function ownPattern(subject: Subject, registry: DetectorRegistry): RegExp | undefined {
  const alts = new Set<string>();
  for (const d of registry.list) {
    if (!d.conceal) continue;
    for (const field of d.meta.profile ?? [])
      for (const value of [subject[field] ?? []].flat())
        if (value.trim()) alts.add(d.written(value.trim()).source);
  }
  return alts.size ? new RegExp([...alts].sort((a, b) => b.length - a.length).join('|'), 'giu') : undefined;
}

/** A match of the subject's values as written that an identifier detector takes for the subject's. */
function ownValue(written: string, subject: CompiledSubject, registry: DetectorRegistry): boolean {
  return /[\p{L}\p{N}]/u.test(written) && registry.list.some((d) => d.conceal?.mine(written, subject));
}

/** Not identifiers: ISO dates and times (2024-01-01T10:00:00Z), clock times, decimals, versions. */
const NOT_IDENTIFIER = {
  pattern: String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|(?<![\p{N}.:])\d{1,2}:\d{2}(?::\d{2})?(?![\p{N}])|(?<![\p{N}.,])\d+[.,]\d{1,2}(?![\p{N}.,])`,
  precedence: 5,
  hide: (m: string) => m,
};

/** An IPv4 address: someone's connection, masked to its network. */
const IP = {
  pattern: String.raw`(?<![\p{N}.])(?:\d{1,3}\.){3}\d{1,3}(?![\p{N}]|\.\p{N})`,
  precedence: 4,
  hide: (m: string) => m.replace(/^(\d+\.\d+)\.\d+\.\d+$/, '$1.X.X'),
};

/**
 * Digits cut off by the end of the context, between whole identifiers (precedence 3) and loose numbers
 * (1). A `…` only ever stands at an end of the whole context (the snippet was cut there).
 */
const EDGE = String.raw`(?<![\p{N}.:,/+-])`;
const CUT = {
  pattern: String.raw`(?<=^…)\d[\d -]*\d|(?<=^…)\d|${EDGE}\d[\d -]*(?=…$)|${EDGE}\d(?=…$)`,
  precedence: 2,
  hide: (m: string) => m.replace(/\d/g, 'X'),
};

type Fixed = typeof CUT;
type Part = { conceal: Conceal; mask: (value: string) => string } | Fixed;

const concealers = new WeakMap<DetectorRegistry, { re: RegExp; parts: Part[] }>();

/** One regex of every identifier detector's pattern and dsr's own ones, each its own group, by precedence. */
function concealerOf(registry: DetectorRegistry): { re: RegExp; parts: Part[] } {
  let made = concealers.get(registry);
  if (!made) {
    const parts: Part[] = [NOT_IDENTIFIER, IP, CUT];
    for (const d of registry.list)
      if (d.conceal) parts.push({ conceal: d.conceal, mask: (value) => d.mask(value) });
    const precedence = (p: Part) => ('conceal' in p ? p.conceal.precedence : p.precedence);
    const pattern = (p: Part) => ('conceal' in p ? p.conceal.pattern : p.pattern);
    parts.sort((a, b) => precedence(b) - precedence(a));
    made = { re: new RegExp(parts.map((p) => `(${pattern(p)})`).join('|'), 'gu'), parts };
    concealers.set(registry, made);
  }
  return made;
}

/** Masks identifiers in a piece of context that holds none of the subject's values. */
function maskRest(text: string, re: RegExp, parts: Part[], subject: CompiledSubject): string {
  return text.replace(re, (m: string, ...groups: unknown[]) => {
    const part = parts[groups.findIndex((g, i) => i < parts.length && g !== undefined)];
    if (part === undefined) return m;
    if (!('conceal' in part)) return part.hide(m);
    return part.conceal.mine(m, subject) ? m : part.mask(m);
  });
}

const compiled = new WeakMap<Subject, CompiledSubject>();

function compiledOf(subject: Subject): CompiledSubject {
  let c = compiled.get(subject);
  if (!c) {
    c = compileSubject(subject);
    compiled.set(subject, c);
  }
  return c;
}

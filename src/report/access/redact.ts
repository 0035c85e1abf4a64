import { type Conceal, type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import type { Subject } from '../../core/types.js';
import { type CompiledSubject, compileSubject } from '../../match/subject.js';

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
  const { re, parts } = concealerOf(registry);
  const compiled = compiledOf(subject);
  return context.replace(re, (m: string, ...groups: unknown[]) => {
    const part = parts[groups.findIndex((g, i) => i < parts.length && g !== undefined)];
    if (part === undefined) return m;
    if (!('conceal' in part)) return m.replace(/\d/g, 'X');
    return part.conceal.mine(m, compiled) ? m : part.mask(m);
  });
}

/** Digits cut off by the snippet's end: between whole identifiers (precedence 3) and loose numbers (1). */
const CUT = { pattern: String.raw`(?<=…)\d[\d -]*\d|(?<![\p{N}])\d[\d -]*(?=…)`, precedence: 2 };

type Part = { conceal: Conceal; mask: (value: string) => string } | typeof CUT;

const concealers = new WeakMap<DetectorRegistry, { re: RegExp; parts: Part[] }>();

/** One regex of every identifier detector's pattern and the cut numbers, each its own group, by precedence. */
function concealerOf(registry: DetectorRegistry): { re: RegExp; parts: Part[] } {
  let made = concealers.get(registry);
  if (!made) {
    const parts: Part[] = [CUT];
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

const compiled = new WeakMap<Subject, CompiledSubject>();

function compiledOf(subject: Subject): CompiledSubject {
  let c = compiled.get(subject);
  if (!c) {
    c = compileSubject(subject);
    compiled.set(subject, c);
  }
  return c;
}

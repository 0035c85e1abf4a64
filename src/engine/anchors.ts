import { subjectDigitsHint } from '../../detectors/phone.js';
import { cprDigits } from '../match/cpr.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * A cheap test that text may hold one of the subject's identifiers. Each anchor is implied by its
 * detector's pattern, so a chunk that fails every test cannot yield a subject finding:
 * - CPR: the last four digits, always written together (`150387-1236`, `1503871236`);
 * - phone: the national digits in order with at most one separator between them;
 * - e-mail: the address itself, case-insensitively;
 * - name and face tags: the surname in any spelling (every name form contains it).
 */
export function subjectAnchors(subject: CompiledSubject): ((text: string) => boolean) | undefined {
  if (!cache.has(subject)) cache.set(subject, compileAnchors(subject));
  return cache.get(subject);
}

const cache = new WeakMap<CompiledSubject, ((text: string) => boolean) | undefined>();

function compileAnchors(subject: CompiledSubject): ((text: string) => boolean) | undefined {
  if (subject.isEmpty) return undefined;
  const cprTails = [...subject.cprs].map((c) => cprDigits(c).slice(6));
  const phoneHint = subject.phones.size ? subjectDigitsHint(subject) : undefined;
  const emailRe = subject.emails.size
    ? new RegExp([...subject.emails].map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'iu')
    : undefined;
  return (text) =>
    cprTails.some((tail) => text.includes(tail)) ||
    phoneHint?.test(text) ||
    (emailRe !== undefined && text.includes('@') && emailRe.test(text)) ||
    subject.names.some((m) => m.mayOccurIn(text));
}

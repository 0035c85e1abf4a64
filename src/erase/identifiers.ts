import { registry } from '../../detectors/index.js';
import type { DetectorId } from '../core/types.js';
import { nfcView } from '../match/nfc-view.js';
import type { CompiledSubject } from '../match/subject.js';

export interface SubjectSpan {
  detector: DetectorId;
  start: number;
  end: number;
  value: string;
}

/** Spans of identifiers in a text (`structured`: each line stands alone, as in headers and tags). */
export type SpanFinder = (text: string, structured?: boolean) => SubjectSpan[];

/**
 * The subject's identifiers in a piece of text, found by the same detectors the scan uses; overlaps
 * merged. The detectors read NFC, as the scan does; the spans are places in `text` itself, whatever its
 * normal form (a decomposed `Østerga\u030Ard` spans the letter and its mark).
 */
export function findSubjectSpans(text: string, subject: CompiledSubject, structured = false): SubjectSpan[] {
  return findSpans(text, subject, structured, false);
}

/**
 * Other people's identifiers (CPR numbers, e-mail addresses, phone numbers) in a piece of text: the
 * scan's identifier detectors in inventory mode (`--all`), the subject's own left out; overlaps merged.
 */
export function findOthersSpans(text: string, subject: CompiledSubject, structured = false): SubjectSpan[] {
  return findSpans(text, subject, structured, true);
}

function findSpans(
  text: string,
  subject: CompiledSubject,
  structured: boolean,
  others: boolean,
): SubjectSpan[] {
  const view = nfcView(text);
  const spans: SubjectSpan[] = [];
  for (const d of others ? registry.identifiers : registry.list) {
    for (const c of d.detect({ text: view?.nfc ?? text, structured }, { subject, all: others })) {
      if (c.subject === others) continue;
      const [start, end] = view ? view.toOwnForm(c.start, c.end) : [c.start, c.end];
      spans.push({ detector: c.detector, start, end, value: c.value });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SubjectSpan[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
      continue;
    }
    merged.push({ ...s });
  }
  return merged;
}

/** Text with the subject's identifiers masked (`S. K. Ø.`, `1503XX-XXXX`): for audit records and console output. */
export function maskIdentifiers(text: string, subject: CompiledSubject, searchText = text): string {
  let out = '';
  let at = 0;
  for (const s of findSubjectSpans(searchText, subject, true)) {
    out += text.slice(at, s.start) + registry.mask(s.detector, searchText.slice(s.start, s.end));
    at = s.end;
  }
  return out + text.slice(at);
}

/** A path with identifiers masked in each component (`/hr/S. Ø./cv.txt` for a folder named after the subject). */
export function maskPath(path: string, subject: CompiledSubject): string {
  return path
    .split('/')
    .map((part) => maskIdentifiers(part, subject, part.replace(/[_.-]/g, ' ')))
    .join('/');
}

import { registry } from '../../detectors/index.js';
import type { DetectorId } from '../core/types.js';
import type { Limits } from '../engine/limits.js';
import { replaceInText, textCodec } from '../erase/actions/redact-text.js';
import { findOthersSpans, type SpanFinder, type SubjectSpan } from '../erase/identifiers.js';
import { describeCounts, isRedactableText } from '../erase/plan.js';
import { ActionSkipped } from '../erase/safety.js';
import { type ItemView, viewItem } from '../erase/verify.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * What goes into an export for one item (GDPR art. 15(4), 20: the copy must not adversely affect the
 * rights of others): the item as it is when it holds no identifier of anyone else; else a copy with
 * other people's CPR numbers, e-mail addresses and phone numbers masked (`0101XX-XXXX`, `j***@firma.dk`,
 * `22XXXX55`) and the subject's own kept, for what dsr can rewrite (text, JSON, HTML, mail messages);
 * else nothing, with the reason.
 */
export type SafeCopy =
  | { copy: 'raw'; note: string }
  | { copy: 'masked'; data: Buffer; masked: Counts; note: string; leftOut: PartLeftOut[] }
  | { copy: 'none'; message: string };

export type Counts = Partial<Record<DetectorId, number>>;

/** A part of a message copy that was left out (an attachment that cannot be masked). */
export interface PartLeftOut {
  part: string;
  reason: string;
}

export interface MaskContext {
  subject: CompiledSubject;
  limits: Limits;
}

/** Largest item read into memory to be masked (a rewrite holds it, and the result, at once). */
export const MAX_MASK_BYTES = 64 * 1024 * 1024;

export const NO_OTHERS = "no other people's identifiers found";

/** The copy's bytes: in memory (`data`), or the file on disk when too large to hold (`file`). */
export type CopySource = { name: string; data: Buffer } | { name: string; file: string; size: number };

/** Decides and makes the copy of one item (see SafeCopy). Never throws for a bad item. */
export async function safeCopy(
  format: string | undefined,
  source: CopySource,
  ctx: MaskContext,
): Promise<SafeCopy> {
  const before = await viewOf(source, ctx);
  const others = countOthers(before);
  if (!Object.keys(others).length) {
    if (!before.errors) return { copy: 'raw', note: NO_OTHERS };
    return {
      copy: 'none',
      message: `it could not be read in full (${before.errors} problem(s)), so dsr cannot tell whether it holds other people's identifiers: request a manual copy`,
    };
  }
  const holds = `it holds ${describeCounts(others)} of other people`;
  const why = cannotMask(format, source.name);
  if (why) return { copy: 'none', message: `${holds}; ${why}` };
  if (!('data' in source))
    return {
      copy: 'none',
      message: `${holds} and is too large to mask here (${Math.round(source.size / 1024 / 1024)} MB): request a manual copy with them blacked out`,
    };
  let rewritten: { data: Buffer; spans: SubjectSpan[]; leftOut: PartLeftOut[] };
  try {
    rewritten = isMessage(format)
      ? await (await import('./mask-message.js')).maskMessage(source.data, ctx)
      : { ...maskText(source.data, format, ctx.subject), leftOut: [] };
  } catch (err) {
    const reason = err instanceof ActionSkipped ? err.message.replace(/; redact by hand$/, '') : String(err);
    return {
      copy: 'none',
      message: `${holds}, which could not be masked (${reason}): request a manual copy`,
    };
  }
  // The masked copy is read again as the scan reads it: nothing of anyone else may be left, and (for
  // text, which is rewritten span by span) the subject's own data must be all there.
  const after = await viewItem({ path: source.name, data: rewritten.data }, ctx.subject);
  if (after.others.length)
    return {
      copy: 'none',
      message: `${holds}; masking left ${describeCounts(countOthers(after))} readable in the copy: request a manual copy`,
    };
  if (!isMessage(format) && after.subject.length !== before.subject.length)
    return {
      copy: 'none',
      message: `${holds}; masking would have changed the subject's own data: request a manual copy`,
    };
  const masked = countSpans(rewritten.spans);
  return {
    copy: 'masked',
    data: rewritten.data,
    masked,
    note: `other people's identifiers masked: ${describeCounts(masked)}`,
    leftOut: rewritten.leftOut,
  };
}

/** Mail messages (.eml, Maildir, mbox and IMAP messages, attached messages): rewritten as a new message. */
export function isMessage(format: string | undefined): boolean {
  return format === 'eml' || format === 'maildir';
}

/** Why an item of this format cannot be masked, or undefined when it can. */
export function cannotMask(format: string | undefined, name: string): string | undefined {
  if (isMessage(format) || isRedactableText(format, name)) return undefined;
  const manual = 'request a manual copy with them blacked out';
  switch (format) {
    case 'pdf':
      return `PDF copies cannot be masked yet: ${manual}`;
    case 'office':
      return `Office documents cannot be masked yet: ${manual}`;
    case 'zip':
    case 'tar':
    case 'gzip':
    case 'mbox':
    case 'pst':
      return `an archive or mailbox is not copied whole when it holds other people's data: ${manual}`;
    case 'msg':
      return `Outlook .msg messages cannot be masked yet: ${manual}`;
    case 'media':
    case 'picasa':
    case 'takeout':
      return `photos, videos and their metadata cannot be masked: ${manual}`;
    default:
      return `${format ? `${format} files` : 'files of this kind'} cannot be masked safely yet: ${manual}`;
  }
}

/** Other people's identifiers masked in a text, JSON or HTML file, written back in its own encoding. */
export function maskText(
  bytes: Buffer,
  format: string | undefined,
  subject: CompiledSubject,
): { data: Buffer; spans: SubjectSpan[] } {
  const codec = textCodec(bytes);
  const r = replaceInText(codec.text, format, othersFinder(subject), maskWritten);
  if (r.problem) throw new ActionSkipped('refused', r.problem);
  return { data: codec.encode(r.text), spans: r.spans };
}

export function othersFinder(subject: CompiledSubject): SpanFinder {
  return (text, structured) => findOthersSpans(text, subject, structured);
}

/** An identifier as written, masked as dsr masks it on screen (`22 33 44 55` -> `22XXXX55`). */
export function maskWritten(s: SubjectSpan, written: string): string {
  return registry.mask(s.detector, written);
}

async function viewOf(source: CopySource, ctx: MaskContext): Promise<ItemView> {
  return 'data' in source
    ? viewItem({ path: source.name, data: source.data }, ctx.subject)
    : viewItem({ path: source.file }, ctx.subject);
}

function countOthers(view: ItemView): Counts {
  const counts: Counts = {};
  for (const key of view.others) {
    const d = key.slice(0, key.indexOf(' ')) as DetectorId;
    counts[d] = (counts[d] ?? 0) + 1;
  }
  return ordered(counts);
}

export function countSpans(spans: SubjectSpan[]): Counts {
  const counts: Counts = {};
  for (const s of spans) counts[s.detector] = (counts[s.detector] ?? 0) + 1;
  return ordered(counts);
}

function ordered(counts: Counts): Counts {
  return registry.ordered(counts);
}

import { registry } from '../../detectors/index.js';
import type { Limits } from '../core/limits.js';
import { replaceInText, textCodec } from '../erase/actions/redact-text.js';
import { findOthersSpans, type SpanFinder, type SubjectSpan } from '../erase/identifiers.js';
import { isRedactableText } from '../erase/plan.js';
import { ActionSkipped } from '../erase/safety.js';
import type { CompiledSubject } from '../match/subject.js';

/**
 * Masking other people's identifiers in a copy, shared by the masking of files (mask.ts) and of mail
 * messages (mask-message.ts): which formats can be masked, and the masking of text.
 */

/** A part of a message copy that was left out (an attachment that cannot be masked). */
export interface PartLeftOut {
  part: string;
  reason: string;
}

export interface MaskContext {
  subject: CompiledSubject;
  limits: Limits;
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

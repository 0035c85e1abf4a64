import { registry } from '../../detectors/index.js';
import type { DetectorId } from '../core/types.js';
import type { SubjectSpan } from '../erase/identifiers.js';
import { describeCounts } from '../erase/plan.js';
import { ActionSkipped } from '../erase/safety.js';
import { type ItemView, viewItem } from '../erase/verify.js';
import { cannotMask, isMessage, type MaskContext, maskText, type PartLeftOut } from './mask-text.js';

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

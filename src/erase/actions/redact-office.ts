import { editContainer } from '../container/nested.js';
import { redactOfficePackage } from '../container/office-redact.js';
import { findSubjectSpans } from '../identifiers.js';
import type { RedactOfficeAction } from '../plan.js';
import { erasureProblem } from '../verify.js';
import { pictureEdits } from './picture-tags.js';
import { placeholder } from './redact-text.js';
import { countByDetector, rewriteWhole } from './rewrite-whole.js';
import type { ActionContext, Outcome } from './types.js';

/**
 * Redacts the subject's identifiers in a DOCX, XLSX, PPTX, ODT, ODS or ODP in place (see
 * office-redact.ts), and removes the subject's tags from its pictures as from a photo (picture-tags.ts):
 * only the parts that change are written anew, every other part is copied as it was compressed. The whole file is scanned again before and after: nothing of the subject may be
 * left, and nobody else's identifiers may change.
 */
export async function redactOffice(action: RedactOfficeAction, ctx: ActionContext): Promise<Outcome> {
  return rewriteWhole(
    action,
    ctx,
    async (bytes) => {
      const done: string[] = [];
      let out = bytes;
      if (action.spans.length) {
        const r = redactOfficePackage(bytes, officeFinder(ctx), (s) => placeholder(s.detector));
        out = r.bytes;
        done.push(`redact ${r.spans.length} span(s) (${countByDetector(r.spans)})`);
      }
      const pictures = action.pictures ?? [];
      if (pictures.length) {
        out = await editContainer(out, pictureEdits(pictures, ctx));
        done.push(`remove the subject's tags from ${pictures.length} picture(s)`);
      }
      return { bytes: out, summary: done.join(' and ') };
    },
    erasureProblem,
  );
}

export function officeFinder(ctx: Pick<ActionContext, 'subject'>) {
  return (text: string, structured?: boolean) => findSubjectSpans(text, ctx.subject, structured);
}

import { editContainer, type MemberEdit } from '../container/nested.js';
import { redactOfficePackage } from '../container/office-redact.js';
import type { EditArchiveAction } from '../plan.js';
import type { ItemView } from '../verify.js';
import { removePictureTags } from './picture-tags.js';
import { officeFinder } from './redact-office.js';
import { placeholder, redactBytes } from './redact-text.js';
import { rewriteWhole } from './rewrite-whole.js';
import type { ActionContext, Outcome } from './types.js';

/**
 * Removes members of a zip, tar or gzip (nested ones too), or redacts them in place (text and Office
 * members, and the subject's tags in the pictures of an Office member), rewriting each archive on the way with every other member's bytes copied as they are.
 * Afterwards no changed member may hold the subject's data, and nobody else's identifiers may change.
 */
export async function editArchive(action: EditArchiveAction, ctx: ActionContext): Promise<Outcome> {
  const edits: MemberEdit[] = action.members.map((m) => ({
    itemPath: m.itemPath,
    sha256: m.fingerprint.sha256,
    change:
      m.change === 'remove'
        ? 'remove'
        : {
            redact: async (content: Buffer, name: string) =>
              m.format === 'office'
                ? redactOfficePackage(content, officeFinder(ctx), (s) => placeholder(s.detector)).bytes
                : m.format === 'media'
                  ? removePictureTags(content, name, ctx)
                  : redactBytes(content, m.format, ctx).bytes,
          },
  }));
  const removed = action.members.filter((m) => m.change === 'remove').length;
  const summary = [
    removed ? `remove ${removed} member(s)` : '',
    removed < action.members.length ? `redact ${action.members.length - removed} member(s)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return rewriteWhole(
    action,
    ctx,
    async (bytes) => ({ bytes: await editContainer(bytes, edits), summary }),
    (before, after) => archiveProblem(action, before, after),
  );
}

/** The subject's data still in a planned member, or other people's identifiers changed. */
function archiveProblem(action: EditArchiveAction, before: ItemView, after: ItemView): string | undefined {
  const planned = action.members.map((m) => m.itemPath.join('\u0000'));
  const left = after.subject.filter((f) => {
    const at = f.itemPath.join('\u0000');
    return planned.some((p) => at === p || at.startsWith(`${p}\u0000`));
  });
  if (left.length)
    return `the subject's data is still in the changed member(s) (${left.length} finding(s): ${[...new Set(left.map((f) => f.detector))].join(', ')})`;
  if (before.others.join('\n') !== after.others.join('\n'))
    return "other people's identifiers would change too";
  return undefined;
}

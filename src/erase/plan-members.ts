import type { ArchiveMemberChange, PlannedSpan } from '../core/schemas/plan.js';
import type { Finding, ItemRecord } from '../core/types.js';
import { isOfficePicture, pictureChanges } from './plan-pictures.js';

export interface MemberRules {
  findingsByItem: Map<string, Finding[]>;
  /** Items a reviewer included. */
  included: Set<string>;
  /** Items whose findings the scan did not list in full (a limit error), as `path\0itemPath…`. */
  limited: Set<string>;
  redactableText: (format: string | undefined, name: string) => boolean;
  spansOf: (findings: Finding[]) => PlannedSpan[];
}

/**
 * What becomes of each archive member that holds the subject's data, by the rules a file follows: a
 * member is removed only when it holds nobody else's identifiers and is named after the subject (or a
 * reviewer included it and it cannot be redacted); a text or Office member is redacted in place, and a
 * picture in an Office member whose tags name the subject loses those tags (as a photo does);
 * anything else leaves the whole archive for a person (the reason says which member and why).
 */
export function memberChanges(
  top: string,
  nested: ItemRecord[],
  rules: MemberRules,
): { members: ArchiveMemberChange[] } | { reason: string } {
  const members: ArchiveMemberChange[] = [];
  // A picture in an Office member loses the subject's tags in the same rewrite as the member's text.
  const picture = (i: ItemRecord) =>
    i.itemPath.length > 1 && isOfficePicture(i, i.itemPath[i.itemPath.length - 2].slice('member '.length));
  const keys = nested.filter((i) => !picture(i)).map((i) => i.itemPath.join('\u0000'));
  for (const item of nested) {
    const where = item.itemPath.join(' › ');
    const key = item.itemPath.join('\u0000');
    if (!item.itemPath.every((p) => p.startsWith('member ')))
      return { reason: `${where} is not an archive member dsr can rewrite` };
    if (picture(item)) {
      const change = pictureChanges([item], rules);
      if ('reason' in change) return { reason: `${where}: ${change.reason}` };
      const [tags] = change.pictures;
      members.push({ ...tags, format: 'media', change: 'redact' });
      continue;
    }
    if (keys.some((k) => k !== key && k.startsWith(`${key}\u0000`)))
      return { reason: `${where} holds the subject's data and so do items inside it: edit it by hand` };
    if (rules.limited.has([item.path, ...item.itemPath].join('\u0000')))
      return {
        reason: `the scan did not list all of the subject's data in ${where} (see its limit error): scan it again with a higher --max-findings, or edit it by hand`,
      };
    if (!item.fingerprint?.sha256) return { reason: `the scan recorded no fingerprint of ${where}` };
    const findings = rules.findingsByItem.get(item.id) ?? [];
    const content = findings.filter((f) => f.location.field !== 'path');
    const namedAfterSubject = findings.some((f) => f.location.field === 'path');
    const others = Object.values(item.others ?? {}).reduce<number>((a, b) => a + (b ?? 0), 0);
    const name = item.itemPath[item.itemPath.length - 1].slice('member '.length);
    const format = item.format;
    const editable = format === 'office' || rules.redactableText(format, name);
    // The one file in a plain .gz cannot be removed from it: that would be deleting the file.
    const onlyFile = item.itemPath.length === 1 && /\.gz$/i.test(top) && !/\.(tar\.gz|tgz)$/i.test(top);
    const base = {
      itemPath: [...item.itemPath],
      ...(format ? { format } : {}),
      fingerprint: {
        sha256: item.fingerprint.sha256,
        ...(item.fingerprint.length !== undefined ? { length: item.fingerprint.length } : {}),
      },
    };
    if (!others && !onlyFile && (namedAfterSubject || (rules.included.has(item.id) && !editable))) {
      members.push({ ...base, change: 'remove', spans: [] });
      continue;
    }
    if (editable && content.length) {
      members.push({ ...base, change: 'redact', spans: rules.spansOf(content) });
      continue;
    }
    return {
      reason: others
        ? `${where} also holds other people's identifiers and ${format || 'its format'} cannot be redacted safely, so it is never removed whole: edit it by hand`
        : `${where}: ${format || 'its format'} cannot be redacted safely; edit it by hand, or include it in review to remove the member`,
    };
  }
  const key = (m: ArchiveMemberChange) => m.itemPath.join('\u0000');
  return { members: members.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
}

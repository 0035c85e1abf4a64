import { registry } from '../../detectors/index.js';
import type { PictureTags, PlannedSpan } from '../core/schemas/plan.js';
import type { Finding, ItemRecord } from '../core/types.js';

/** A picture kept inside an Office or OpenDocument package, as the scan names it (see OfficePackage.pictures). */
const PICTURE_STEP = /^member (?:(?:word|xl|ppt)\/media|Pictures)\/[^/]+$/;
/** Office Open XML and OpenDocument packages (zips), whose pictures dsr can rewrite. */
const PACKAGE_NAME =
  /\.(docx|docm|dotx|dotm|xlsx|xlsm|xltx|xltm|pptx|pptm|potx|potm|ppsx|ppsm|odt|ott|ods|ots|odp|otp)$/i;

/** Whether an item is a picture inside the document (or member) one step above it. */
export function isOfficePicture(item: ItemRecord, container: string): boolean {
  const last = item.itemPath[item.itemPath.length - 1] ?? '';
  return item.format === 'media' && PICTURE_STEP.test(last) && PACKAGE_NAME.test(container);
}

export interface PictureRules {
  findingsByItem: Map<string, Finding[]>;
  /** Items whose findings the scan did not list in full (a limit error), as `path\0itemPath…`. */
  limited: Set<string>;
  spansOf: (findings: Finding[]) => PlannedSpan[];
}

/**
 * The pictures of an Office document whose tags name the subject: each loses the subject's face regions
 * and person tags, as a photo does (remove-face-tags). A picture where the subject is named only in
 * other metadata (author, caption) is left for a person, as such a photo is: the reason says which.
 */
export function pictureChanges(
  pictures: ItemRecord[],
  rules: PictureRules,
): { pictures: PictureTags[] } | { reason: string } {
  const out: PictureTags[] = [];
  for (const p of pictures) {
    const name = p.itemPath[p.itemPath.length - 1].slice('member '.length);
    if (rules.limited.has([p.path, ...p.itemPath].join('\u0000')))
      return {
        reason: `the scan did not list all of the subject's data in the picture ${name} (see its limit error): edit it by hand`,
      };
    if (!p.fingerprint?.sha256) return { reason: `the scan recorded no fingerprint of the picture ${name}` };
    const content = (rules.findingsByItem.get(p.id) ?? []).filter((f) => f.location.field !== 'path');
    if (!p.detectors.some((d) => registry.isFaceTag(d)) || !content.length)
      return {
        reason: `the subject is named in the metadata (author, caption) of the picture ${name} in this document: clear those fields by hand`,
      };
    out.push({
      itemPath: [...p.itemPath],
      fingerprint: {
        sha256: p.fingerprint.sha256,
        ...(p.fingerprint.length !== undefined ? { length: p.fingerprint.length } : {}),
      },
      spans: rules.spansOf(content),
    });
  }
  return { pictures: out };
}

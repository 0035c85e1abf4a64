import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ExifTool } from 'exiftool-vendored';
import { guardedExifTool } from '../../extract/media/exiftool-process.js';
import { tempPathBeside } from '../../io/atomic-write.js';
import { findSubjectSpans } from '../identifiers.js';
import type { RemoveFaceTagsAction } from '../plan.js';
import { replaceFile } from '../rewrite.js';
import {
  ActionSkipped,
  assertUnchanged,
  checkFileFingerprint,
  checkPlace,
  openTarget,
  readRange,
  rewrittenEarlier,
} from '../safety.js';
import { viewItem } from '../verify.js';
import { canBlur, type FaceBox, mpBox, mwgBox, pixelateFaces } from './blur.js';
import type { ActionContext, Outcome } from './types.js';

/** Person lists: an entry is the subject's when it (or a segment of a keyword path) names the subject. */
const LIST_TAGS = [
  'XMP-iptcExt:PersonInImage',
  'IPTC:Keywords',
  'XMP-dc:Subject',
  'XMP-lr:HierarchicalSubject',
  'XMP-digiKam:TagsList',
  'XMP-microsoft:LastKeywordXMP',
];

/** Region and person structures: the list inside and the field that names the person. */
const STRUCT_TAGS: { tag: string; list?: string; name: string }[] = [
  { tag: 'XMP-mwg-rs:RegionInfo', list: 'RegionList', name: 'Name' },
  { tag: 'XMP-MP:RegionInfoMP', list: 'Regions', name: 'PersonDisplayName' },
  { tag: 'XMP-iptcExt:PersonInImageWDetails', name: 'PersonName' },
];

let tool: ExifTool | undefined;
function exiftool(): ExifTool {
  // Started like the scan's, so that a `kill -9` of the erase takes its perl process with it.
  tool ??= guardedExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000 });
  return tool;
}

/** Stops the exiftool process (end of a run). */
export async function closeFaceTagTool(): Promise<void> {
  await tool?.end();
  tool = undefined;
}

/**
 * Removes the subject's face regions (MWG, Microsoft Photo), PersonInImage entries and People keywords
 * from a photo, video or XMP sidecar, keeping everyone else's: the lists are read with exiftool, the
 * subject's elements dropped, and the shortened lists written back to a copy that replaces the file
 * atomically. Refused when the subject also remains in other metadata (author, caption).
 */
export async function removeFaceTags(action: RemoveFaceTagsAction, ctx: ActionContext): Promise<Outcome> {
  const unfinished = ctx.execute ? ctx.journal.unfinished(action.id) : [];
  await checkPlace(action.path, ctx.plan.roots);
  const t = await openTarget(action.path);
  try {
    const earlier = await rewrittenEarlier(t, unfinished);
    if (earlier)
      return {
        result: 'done',
        reason: 'face tags removed by an earlier, interrupted run',
        after: earlier,
      };
    await checkFileFingerprint(t, action.fingerprint);
    const { changes, removed, boxes } = await subjectTagChanges(action.path, ctx);
    if (!removed)
      throw new ActionSkipped(
        'refused',
        "no face region or person tag of the subject found in the file's metadata",
      );
    const blur = action.blurFaces && boxes.length > 0 && canBlur(action.path);
    const blurNote = (pixelated: number | undefined) =>
      !action.blurFaces
        ? ''
        : !boxes.length
          ? '; no face rectangle to pixelate'
          : !blur
            ? `; pixels unchanged (${extname(action.path) || 'this format'} cannot be re-encoded by dsr)`
            : pixelated === 0
              ? '; pixels unchanged (the image has an EXIF rotation: pixelate by hand)'
              : `; ${pixelated ?? boxes.length} face rectangle(s) ${pixelated === undefined ? 'to pixelate' : 'pixelated'}`;
    let blurred: number | undefined;
    if (!ctx.execute)
      return {
        result: 'would',
        reason: `would remove ${removed} face region(s)/person tag(s)${blurNote(undefined)}`,
      };
    const bytes = await readRange(t.fh, 0, t.size);
    const temp = tempPathBeside(action.path, extname(action.path) || '.tmp');
    await ctx.journal.write(action.id, 'intent', { temp });
    await ctx.hook('action:intent-written');
    const written = await replaceFile(
      action.path,
      temp,
      t,
      ctx.hook,
      async (out) => {
        await out.write(bytes);
      },
      async ({ sha256, size }) => {
        await assertUnchanged(t, action.fingerprint);
        await ctx.journal.write(action.id, 'prepared', { temp, newSha256: sha256, newSize: size });
      },
      async (path) => {
        if (blur) blurred = await pixelateFaces(path, boxes);
        await writeTagChanges(path, changes, ctx);
      },
    );
    return {
      result: 'done',
      reason: `removed ${removed} face region(s)/person tag(s)${blurNote(blurred)}`,
      after: written,
    };
  } finally {
    await t.fh.close();
  }
}

/** What removing the subject's face regions and person tags changes in a file's metadata (exiftool tags). */
export interface TagChanges {
  /** New values of the changed tags (null: the tag goes). */
  changes: Record<string, unknown>;
  /** List elements (regions, names, keywords) removed. */
  removed: number;
  /** The subject's face rectangles (for pixelating). */
  boxes: FaceBox[];
}

/**
 * Reads a photo's person lists and regions with exiftool and works out what is left of each without
 * the subject's elements (everyone else's kept, in their order).
 */
export async function subjectTagChanges(
  path: string,
  ctx: Pick<ActionContext, 'subject'>,
): Promise<TagChanges> {
  const isSubject = (s: unknown) =>
    typeof s === 'string' &&
    s.split(/[|/]/).some((seg) => findSubjectSpans(seg.trim(), ctx.subject, true).length > 0);
  const tags = (await exiftool().readRaw(path, {
    readArgs: ['-G1', '-struct'],
  })) as unknown as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  let removed = 0;
  for (const tag of LIST_TAGS) {
    const v = tags[tag];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
    if (!list) continue;
    const keep = list.filter((x) => !isSubject(x));
    if (keep.length === list.length) continue;
    removed += list.length - keep.length;
    changes[tag] = keep.length ? keep : null;
  }
  const boxes: FaceBox[] = [];
  for (const s of STRUCT_TAGS) {
    const v = tags[s.tag] as Record<string, unknown> | Record<string, unknown>[] | undefined;
    if (!v) continue;
    const list = (s.list ? (v as Record<string, unknown>)[s.list] : v) as
      | Record<string, unknown>[]
      | undefined;
    if (!Array.isArray(list)) continue;
    for (const x of list) {
      if (!isSubject(x?.[s.name])) continue;
      const box =
        s.list === 'RegionList' ? mwgBox(x.Area) : s.list === 'Regions' ? mpBox(x.Rectangle) : undefined;
      if (box) boxes.push(box);
    }
    const keep = list.filter((x) => !isSubject(x?.[s.name]));
    if (keep.length === list.length) continue;
    removed += list.length - keep.length;
    changes[s.tag] = keep.length ? (s.list ? { ...(v as object), [s.list]: keep } : keep) : null;
  }
  return { changes, removed, boxes };
}

/** Writes the changed tags into the file at `path` in place and checks the result (see checkEdited). */
export async function writeTagChanges(
  path: string,
  changes: Record<string, unknown>,
  ctx: Pick<ActionContext, 'subject'>,
): Promise<void> {
  await exiftool().write(path, changes as never, { writeArgs: ['-overwrite_original'], useMWG: false });
  await checkEdited(path, changes, ctx);
}

/** The edited copy: exactly the planned list elements gone, and no trace of the subject left in its metadata. */
async function checkEdited(
  path: string,
  changes: Record<string, unknown>,
  ctx: Pick<ActionContext, 'subject'>,
): Promise<void> {
  const after = (await exiftool().readRaw(path, { readArgs: ['-G1', '-struct'] })) as unknown as Record<
    string,
    unknown
  >;
  for (const [tag, want] of Object.entries(changes)) {
    const got = after[tag];
    const norm = (x: unknown) => JSON.stringify(Array.isArray(x) || x == null ? (x ?? null) : [x]);
    const equal =
      want === null
        ? got === undefined
        : typeof want === 'object' && !Array.isArray(want)
          ? JSON.stringify(got) === JSON.stringify(want)
          : norm(got) === norm(want);
    if (!equal)
      throw new ActionSkipped('refused', `exiftool did not write ${tag} as planned; edit the tags by hand`);
  }
  const view = await viewItem({ path, data: await readFile(path) }, ctx.subject);
  if (view.subject.length) {
    const fields = [...new Set(view.subject.map((f) => f.location.field))].join(', ');
    throw new ActionSkipped(
      'refused',
      `the subject is also named in other metadata (${fields}); clear it by hand`,
    );
  }
}

import { readFile } from 'node:fs/promises';
import { registry } from '../../detectors/index.js';
import { UsageError } from '../core/errors.js';
import { sha256Hex } from '../core/ids.js';
import { compareItemRefs } from '../core/order.js';
import {
  type Action,
  type ManualAction,
  type PictureTags,
  PLAN_SCHEMA,
  type Plan,
} from '../core/schemas/plan.js';
import type { DetectorId, Evidence, Finding, Fingerprint, ItemRecord, ScanFile } from '../core/types.js';
import { messageUrl, parseMessageUrl } from '../crawl/imap/url.js';
import { writeTextAtomic } from '../io/atomic-write.js';
import type { ReviewFile } from '../review/decisions.js';
import { databaseRowAction, isDatabaseRow } from './database-row.js';
import { memberChanges } from './plan-members.js';
import { isOfficePicture, pictureChanges } from './plan-pictures.js';
import { approvalHash, planHash } from './plan-seal.js';
import { validatePlan } from './validate.js';

export type {
  Action,
  ActionKind,
  DeleteFileAction,
  DeleteMaildirMessageAction,
  EditArchiveAction,
  ExpungeImapMessageAction,
  ManualAction,
  Plan,
  PlanApproval,
  PlannedSpan,
  RedactAttachmentAction,
  RedactOfficeAction,
  RedactTextAction,
  RemoveAttachmentAction,
  RemoveFaceTagsAction,
  RemoveMboxMessageAction,
} from '../core/schemas/plan.js';
export { ACTION_KINDS, PLAN_SCHEMA } from '../core/schemas/plan.js';
export { approvalHash, planHash } from './plan-seal.js';

export interface PlanOptions {
  /** Plan `possible` items that no reviewer decided on. @default false */
  includePossible?: boolean;
  /** Also pixelate the subject's face rectangles when removing face tags. @default false */
  blurFaces?: boolean;
  /** @default new Date() */
  now?: Date;
}

/** Formats whose text can be redacted in place: the bytes are the text (txt, csv, json, md, html, log, …). */
const REDACTABLE_FORMATS = new Set(['text', 'html', 'json']);
/** Text-extractor files that are markup where a plain replacement is not safe. */
const NOT_REDACTABLE_EXT = /\.(rtf|tex)$/i;

/** Whether a file of this format and name is text that dsr can rewrite in place (redact, or mask for an export). */
export function isRedactableText(format: string | undefined, name: string): boolean {
  return REDACTABLE_FORMATS.has(format ?? '') && !NOT_REDACTABLE_EXT.test(name);
}
/** Photos, videos and their sidecars/databases (media extractors). */
const MEDIA_FORMATS = new Set(['media', 'picasa', 'takeout']);

const EVIDENCE_RANK: Record<Evidence, number> = { confirmed: 3, possible: 2, namesake: 1 };

/**
 * Builds the erasure plan: one action per erasable unit (a file, or a message in a mail store) from
 * confirmed items and items a reviewer included. Pure: no I/O.
 */
export function buildPlan(
  scan: ScanFile,
  review: ReviewFile | undefined,
  opts: { includePossible?: boolean; blurFaces?: boolean; now?: Date } = {},
): Plan {
  const decisions = review && review.scanId === scan.scanId ? review.decisions : {};
  const findingsByItem = new Map<string, Finding[]>();
  for (const f of scan.findings) {
    if (!f.subject) continue;
    const list = findingsByItem.get(f.itemId);
    if (list) list.push(f);
    else findingsByItem.set(f.itemId, [f]);
  }

  const groups = new Map<string, { items: ItemRecord[]; included: boolean }>();
  for (const item of scan.items) {
    const decision = decisions[item.id]?.decision;
    // Not the subject's (exclude, namesake), or the subject's but kept for a stated reason (keep).
    if (decision === 'exclude' || decision === 'namesake' || decision === 'keep') continue;
    const wanted =
      decision === 'include' ||
      item.evidence === 'confirmed' ||
      (item.evidence === 'possible' && Boolean(opts.includePossible));
    if (!wanted) continue;
    const key = unitKey(item);
    const g = groups.get(key) ?? { items: [], included: false };
    g.items.push(item);
    if (decision === 'include') g.included = true;
    groups.set(key, g);
  }

  // A file whose reading hit a limit (more findings than --max-findings listed) is not fully known:
  // redacting only the listed spans would leave the rest.
  const limited = new Set(
    scan.errors.filter((e) => e.kind === 'limit').map((e) => [e.path, ...e.itemPath].join('\u0000')),
  );
  const included = new Set(
    Object.entries(decisions)
      .filter(([, d]) => d.decision === 'include')
      .map(([id]) => id),
  );
  const errored = new Set(scan.errors.map((e) => e.path));
  const actions: Action[] = [];
  for (const g of groups.values()) {
    const byAttachment = attachmentActions(g.items, decisions, findingsByItem, { ...opts, limited });
    const chosen = byAttachment ?? [
      chooseAction(g.items, g.included, findingsByItem, { ...opts, limited, included, errored }),
    ];
    actions.push(...chosen.map((a) => onHost(a, g.items[0].host)));
  }
  actions.sort(compareItemRefs);

  const body = {
    schema: PLAN_SCHEMA,
    createdAt: (opts.now ?? new Date()).toISOString(),
    scanId: scan.scanId,
    roots: [...scan.roots],
    subject: scan.subject,
    options: { includePossible: Boolean(opts.includePossible), blurFaces: Boolean(opts.blurFaces) },
    actions,
  } satisfies Omit<Plan, 'sha256'>;
  return { ...body, sha256: planHash(body) };
}

/**
 * Through agents the same path on two hosts is two units: an action every rule made without its
 * host (attachments, database rows) gets it, and the host goes into its id.
 */
function onHost(action: Action, host: string | undefined): Action {
  if (!host || action.host) return action;
  return { ...action, host, id: sha256Hex(['action', host, action.id].join('\u0000')).slice(0, 16) };
}

/** The erasable unit an item belongs to: its message in a mail store, else its top-level file. */
function unitKey(item: ItemRecord): string {
  const host = item.host ?? '';
  if (isDatabaseRow(item)) return `row\u0000${host}\u0000${item.path}\u0000${item.itemPath.join('\u0000')}`;
  if (item.message) return `msg\u0000${host}\u0000${item.path}\u0000${item.message.itemPath.join('\u0000')}`;
  return `file\u0000${host}\u0000${item.path}`;
}

function chooseAction(
  items: ItemRecord[],
  included: boolean,
  findingsByItem: Map<string, Finding[]>,
  opts: { blurFaces?: boolean; limited: Set<string>; included: Set<string>; errored: Set<string> },
): Action {
  const first = items[0];
  const top = items.find((i) => i.itemPath.length === 0);
  const message = first.message;
  const itemPath = message ? [...message.itemPath] : [];
  const others: Counts = {};
  for (const i of items) addCounts(others, i.others);
  // The parts of its message that hold nothing of the subject: the same for every item of the message.
  if (message) addCounts(others, items.find((i) => i.messageOthers)?.messageOthers);
  const otherCount = total(others);
  const evidence = items.map((i) => i.evidence).sort((a, b) => EVIDENCE_RANK[b] - EVIDENCE_RANK[a])[0];
  // Through agents, the same path on two hosts is two units: the host is part of the id.
  const base = {
    id: sha256Hex(
      ['action', ...(first.host ? [first.host] : []), first.path, ...itemPath].join('\u0000'),
    ).slice(0, 16),
    ...(first.host ? { host: first.host } : {}),
    path: first.path,
    itemPath,
    items: items.map((i) => i.id).sort(),
    evidence,
    detectors: [...new Set(items.flatMap((i) => i.detectors))].sort(),
    ...(top?.format || first.format ? { format: top?.format ?? first.format } : {}),
    ...(otherCount ? { others } : {}),
  };
  const manual = (fingerprint: Fingerprint, rule: string, reason: string): ManualAction => ({
    ...base,
    kind: 'manual',
    fingerprint,
    rule,
    reason,
  });

  if (message) {
    const fp = message.fingerprint ?? {};
    // The correspondents' addresses in the message's own header fields are its envelope; anyone else's
    // identifier (in its text, an attachment, a quoted or attached message) would be removed with it,
    // whoever included it: a message cannot be redacted, so it is left for a person.
    const content = { ...others };
    const correspondents = items.reduce((n, i) => n + (i.correspondents ?? 0), 0);
    const id = registry.correspondentId;
    if (correspondents && id) content[id] = Math.max(0, (content[id] ?? 0) - correspondents);
    if (total(content)) {
      return manual(
        fp,
        'message-with-others',
        `the message also holds ${describeCounts(content)} of other people (in its text or attachments; its correspondents' addresses do not count), which removing it would remove too: remove the subject's data from it by hand`,
      );
    }
    const rule = 'message-of-subject';
    switch (message.kind) {
      case 'mbox':
        if (fp.offset === undefined || fp.length === undefined || !fp.sha256)
          return manual(fp, 'no-fingerprint', 'the scan recorded no byte range for this mbox message');
        return {
          ...base,
          kind: 'remove-mbox-message',
          fingerprint: pick(fp, ['offset', 'length', 'sha256']),
          rule,
        };
      case 'maildir':
      case 'eml':
      case 'msg': {
        const fileFp = fp.sha256 && fp.size !== undefined ? fp : top?.fingerprint;
        if (!fileFp?.sha256 || message.itemPath.length)
          return manual(fp, 'no-fingerprint', 'the scan recorded no fingerprint of the message file');
        const f = pick(fileFp, ['size', 'mtimeMs', 'ino', 'sha256']);
        return message.kind === 'maildir'
          ? { ...base, kind: 'delete-maildir-message', fingerprint: f, rule }
          : { ...base, kind: 'delete-file', fingerprint: f, rule };
      }
      case 'imap': {
        const parsed = parseMessageUrl(first.path);
        const uidValidity = fp.uidValidity ?? parsed?.uidValidity;
        const uid = fp.uid ?? parsed?.uid;
        if (!parsed || !uidValidity || !uid)
          return manual(fp, 'no-fingerprint', 'the scan recorded no UIDVALIDITY/UID for this IMAP message');
        return {
          ...base,
          path: messageUrl(parsed, parsed.mailbox, parsed.uidValidity, parsed.uid),
          kind: 'expunge-imap-message',
          mailbox: parsed.mailbox,
          uidValidity: String(uidValidity),
          uid,
          fingerprint: pick({ ...fp, uidValidity: String(uidValidity), uid }, [
            'uidValidity',
            'uid',
            'modseq',
            'size',
            'sha256',
          ]),
          rule,
        };
      }
      default:
        return manual(fp, 'container', `a ${message.kind} message cannot be removed safely by dsr`);
    }
  }

  const fileFp = top?.fingerprint ?? {};
  if (isDatabaseRow(first)) {
    const row = databaseRowAction(
      first,
      items.flatMap((i) => findingsByItem.get(i.id) ?? []),
    );
    const id = sha256Hex(['action', first.path, ...first.itemPath].join('\u0000')).slice(0, 16);
    return { ...manual(fileFp, 'database-row', row.reason), id, itemPath: [...first.itemPath], sql: row.sql };
  }
  // Pictures in an Office document whose tags name the subject are edited with its text (redact-office).
  const pictureItems = items.filter((i) => i.itemPath.length === 1 && isOfficePicture(i, first.path));
  const officeFile = top ? top.format === 'office' : pictureItems.length > 0;
  const withPictures =
    officeFile && pictureItems.length > 0 && pictureItems.length === items.length - (top ? 1 : 0);
  let pictures: PictureTags[] = [];
  if (withPictures) {
    const changes = pictureChanges(pictureItems, {
      findingsByItem,
      limited: opts.limited,
      spansOf: plannedSpans,
    });
    if ('reason' in changes) return manual(fileFp, 'picture-metadata', changes.reason);
    pictures = changes.pictures;
    if (!top)
      return {
        ...base,
        kind: 'redact-office',
        fingerprint: {},
        spans: [],
        pictures,
        rule: 'subject-tagged-in-picture',
      };
  }
  const nested = withPictures ? [] : items.filter((i) => i.itemPath.length > 0);
  if (nested.length && !top) {
    // Members of an archive (nested ones too) are removed or redacted in place, the rest copied.
    const plan = memberChanges(first.path, nested, {
      ...opts,
      findingsByItem,
      redactableText: isRedactableText,
      spansOf: plannedSpans,
    });
    if ('reason' in plan) return manual(fileFp, 'inside-container', plan.reason);
    return { ...base, kind: 'edit-archive', fingerprint: {}, members: plan.members, rule: 'archive-members' };
  }
  if (nested.length || !top) {
    return manual(
      fileFp,
      'inside-container',
      `the subject's data is inside ${nested[0]?.itemPath.join(' › ') || 'a nested item'} of this file (an archive or document), which cannot be edited safely${otherCount ? `; it also holds ${describeCounts(others)} of other people` : ''}`,
    );
  }
  const fp = pick(fileFp, ['size', 'mtimeMs', 'ino', 'sha256']);
  const findings = (withPictures ? [top] : items).flatMap((i) => findingsByItem.get(i.id) ?? []);
  const contentFindings = findings.filter((f) => f.location.field !== 'path');
  const namedAfterSubject = findings.some((f) => f.location.field === 'path');
  const format = top.format ?? '';

  // Text read by OCR is pixels: dsr cannot black it out, so a person does, told on which pages.
  const scannedPages = [
    ...new Set(contentFindings.filter((f) => f.location.field === 'ocr').map((f) => f.location.page ?? 1)),
  ].sort((a, b) => a - b);
  if (scannedPages.length)
    return manual(
      fp,
      'scanned-page',
      `the subject's data was read by OCR from the scanned ${scannedPages.length > 1 ? 'pages' : 'page'} ${scannedPages.join(', ')} of this ${format === 'pdf' ? 'PDF' : 'image'}: black it out or remove the ${scannedPages.length > 1 ? 'pages' : 'page'} by hand, or delete the file`,
    );

  if (MEDIA_FORMATS.has(format)) {
    // A photo is never deleted whole: untagged people in it are invisible to the scan.
    if (format === 'media' && top.detectors.some((d) => registry.isFaceTag(d)))
      return {
        ...base,
        kind: 'remove-face-tags',
        fingerprint: fp,
        blurFaces: Boolean(opts.blurFaces),
        rule: 'face-tags',
      };
    return manual(
      fp,
      'media-metadata',
      format === 'media'
        ? "the subject is named in the file's metadata (author, caption): clear those fields by hand"
        : `the subject is tagged in a ${format} sidecar/database: remove the entry with that tool`,
    );
  }
  if (format === 'pdf') {
    const pdf = pdfAction(findings, others, opts.errored.has(top.path));
    if (pdf.wholly) return { ...base, kind: 'delete-file', fingerprint: fp, rule: 'pdf-wholly-subject' };
    if (otherCount || !(included || namedAfterSubject))
      return { ...manual(fp, pdf.rule, pdf.reason), pages: pdf.pages };
  }
  const redactable = isRedactableText(format, top.path);
  // Deleted whole only when nothing in it can belong to anyone else as far as dsr can tell, and either its
  // name says it is the subject's (a file or folder named after the subject) or a reviewer included it.
  // A reviewer's include of a picture only approves removing its tags, never deleting the document.
  const includedWhole = withPictures ? opts.included.has(top.id) : included;
  if (!otherCount && (namedAfterSubject || (includedWhole && !redactable))) {
    return {
      ...base,
      kind: 'delete-file',
      fingerprint: fp,
      rule: namedAfterSubject ? 'file-dedicated-to-subject' : 'included-by-reviewer-not-editable',
    };
  }
  const limitedHere = opts.limited.has([top.path, ...top.itemPath].join('\u0000'));
  if ((redactable || format === 'office') && contentFindings.length && limitedHere) {
    return manual(
      fp,
      'findings-not-listed',
      "the scan did not list all of the subject's data in this file (see its limit error): scan it again with a higher --max-findings, or edit it by hand",
    );
  }
  if (redactable && contentFindings.length) {
    return {
      ...base,
      kind: 'redact-text',
      fingerprint: fp,
      spans: plannedSpans(contentFindings),
      rule: otherCount ? 'shared-file-redact' : 'subject-data-in-text',
    };
  }
  if (format === 'office' && (contentFindings.length || pictures.length) && !limitedHere) {
    return {
      ...base,
      kind: 'redact-office',
      fingerprint: fp,
      spans: plannedSpans(contentFindings),
      ...(pictures.length ? { pictures } : {}),
      rule: otherCount
        ? 'shared-file-redact'
        : contentFindings.length
          ? 'subject-data-in-document'
          : 'subject-tagged-in-picture',
    };
  }
  if (redactable) {
    return manual(
      fp,
      'named-after-subject',
      `the file name names the subject but the file holds ${describeCounts(others)} of other people: rename it by hand`,
    );
  }
  if (otherCount)
    return manual(
      fp,
      'shared-file-not-editable',
      `the file also holds ${describeCounts(others)} of other people and ${format || 'its format'} cannot be redacted safely, so it is never deleted whole: remove the subject's data by hand`,
    );
  return manual(
    fp,
    'not-editable',
    `${format || 'this format'} cannot be redacted safely; delete or edit it by hand, or include it in review to delete the whole file`,
  );
}

function plannedSpans(findings: Finding[]) {
  return findings
    .map((f) => ({
      detector: f.detector,
      ...(f.location.field ? { field: f.location.field } : {}),
      ...(f.location.line !== undefined ? { line: f.location.line } : {}),
      ...(f.location.column !== undefined ? { column: f.location.column } : {}),
      ...(f.location.offset !== undefined ? { offset: f.location.offset } : {}),
      masked: registry.mask(f.detector, f.value),
    }))
    .sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
}

type Counts = Partial<Record<DetectorId, number>>;

/**
 * A PDF is wholly the subject's (a CV, a payslip) when, as far as the scan can tell, it is about the
 * subject and nobody else: it names the subject and holds one of the subject's unique identifiers
 * (CPR, e-mail, phone) in its text, holds no other person's CPR, e-mail or phone, and was read without
 * an error (no unread, scanned or encrypted pages). Otherwise a person must edit it: the pages that
 * hold the subject's data are listed.
 */
function pdfAction(
  findings: Finding[],
  others: Counts,
  errored: boolean,
): { wholly: boolean; rule: string; reason: string; pages: { page: number; detectors: DetectorId[] }[] } {
  const content = findings.filter((f) => f.location.field !== 'path');
  const byPage = new Map<number, Set<DetectorId>>();
  for (const f of content) {
    if (f.location.page === undefined) continue;
    const set = byPage.get(f.location.page) ?? new Set<DetectorId>();
    set.add(f.detector);
    byPage.set(f.location.page, set);
  }
  const pages = [...byPage]
    .sort((a, b) => a[0] - b[0])
    .map(([page, d]) => ({ page, detectors: [...d].sort(registry.compare) }));
  const named = content.some((f) => registry.isName(f.detector));
  // An identifier's value is one person's alone (a name is not: namesakes share it).
  const identified = content.some((f) => registry.get(f.detector)?.meta.kind === 'identifier');
  const where = pages.length
    ? `the subject's data is on ${pages.map((p) => `page ${p.page} (${p.detectors.join(', ')})`).join(', ')}`
    : "the subject's data is in the document's metadata";
  const otherCount = total(others);
  if (!otherCount && !errored && named && identified) return { wholly: true, rule: '', reason: '', pages };
  const why = otherCount
    ? `it also holds ${describeCounts(others)} of other people, so it is never deleted whole`
    : errored
      ? 'the scan could not read all of it (see its error)'
      : `it does not both name the subject and hold one of the subject's CPR number, e-mail address or phone number`;
  return {
    wholly: false,
    rule: otherCount ? 'pdf-with-others' : 'pdf-not-wholly-subject',
    reason: `not wholly the subject's PDF: ${why}; ${where}: remove those by hand${otherCount ? '' : ', or include it in review to delete the whole file'}`,
    pages,
  };
}

function addCounts(sum: Counts, add: Counts | undefined): void {
  for (const [d, n] of Object.entries(add ?? {}) as [DetectorId, number][]) sum[d] = (sum[d] ?? 0) + n;
}

function total(counts: Counts): number {
  return Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
}

/** `1 CPR number, 2 phone numbers`: what of other people a unit holds, per kind (counts, never values). */
export function describeCounts(counts: Counts): string {
  return registry.describeCounts(counts) || 'identifiers';
}

function pick(fp: Fingerprint, keys: (keyof Fingerprint)[]): Fingerprint {
  const out: Fingerprint = {};
  for (const k of keys) if (fp[k] !== undefined) (out as Record<string, unknown>)[k] = fp[k];
  return out;
}

/** Seals the plan: who approved it and when, bound to its hash. Any later edit makes it refused. */
export function approvePlan(plan: Plan, approvedBy: string, now: Date = new Date()): Plan {
  const by = approvedBy.trim();
  if (!by) throw new UsageError('--approved-by needs a name');
  const sha256 = planHash(plan);
  const at = now.toISOString();
  return { ...plan, sha256, approval: { by, at, sha256: approvalHash(sha256, by, at) } };
}

export async function writePlan(path: string, plan: Plan): Promise<void> {
  await writeTextAtomic(path, planJson(plan));
}

/** The plan file's text. */
export function planJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** Reads a plan and checks its schema, fields and seal; every problem is a UsageError (exit 2). */
export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read the plan (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const problem = validatePlan(parsed);
  if (problem)
    throw new UsageError(`${path}: ${problem}`, 'make a new plan with dsr plan (and approve it again)');
  return parsed as Plan;
}

/** Mail stores whose messages dsr can rewrite: an attachment is removed from its message there. */
const ATTACHMENT_CONTAINERS = new Set(['eml', 'maildir', 'mbox', 'imap']);

/**
 * The actions for a message whose own headers and text hold nothing of the subject, only some of its
 * attachments: the message is someone else's and stays; each such attachment is redacted (text dsr can
 * rewrite, unless it is wholly the subject's: nobody else's identifiers in it and a reviewer included it
 * or its name names the subject), removed (wholly the subject's), or left for a person (it also holds
 * other people's data, or the subject is inside something in it, an archive or an attached message).
 * Undefined when the message is decided as a whole (chooseAction).
 */
function attachmentActions(
  items: ItemRecord[],
  decisions: ReviewFile['decisions'],
  findingsByItem: Map<string, Finding[]>,
  opts: { limited: Set<string> },
): Action[] | undefined {
  const message = items[0].message;
  if (!message || !ATTACHMENT_CONTAINERS.has(message.kind)) return undefined;
  const depth = message.itemPath.length;
  if (items.some((i) => i.itemPath.length <= depth || !i.itemPath[depth].startsWith('attachment ')))
    return undefined;
  const fp = message.fingerprint ?? {};
  let path = items[0].path;
  let fingerprint: Fingerprint;
  let imap: { mailbox: string; uidValidity: string; uid: number } | undefined;
  const container = message.kind as 'eml' | 'maildir' | 'mbox' | 'imap';
  if (container === 'mbox') {
    if (fp.offset === undefined || fp.length === undefined || !fp.sha256) return undefined;
    fingerprint = pick(fp, ['offset', 'length', 'sha256']);
  } else if (container === 'imap') {
    const parsed = parseMessageUrl(path);
    const uidValidity = fp.uidValidity ?? parsed?.uidValidity;
    const uid = fp.uid ?? parsed?.uid;
    if (!parsed || !uidValidity || !uid) return undefined;
    path = messageUrl(parsed, parsed.mailbox, parsed.uidValidity, parsed.uid);
    imap = { mailbox: parsed.mailbox, uidValidity: String(uidValidity), uid };
    fingerprint = pick({ ...fp, uidValidity: String(uidValidity), uid }, [
      'uidValidity',
      'uid',
      'modseq',
      'size',
      'sha256',
    ]);
  } else {
    if (depth || !fp.sha256 || fp.size === undefined) return undefined;
    fingerprint = pick(fp, ['size', 'mtimeMs', 'ino', 'sha256']);
  }

  const bySegment = new Map<string, ItemRecord[]>();
  for (const i of items) bySegment.set(i.itemPath[depth], [...(bySegment.get(i.itemPath[depth]) ?? []), i]);
  const actions: Action[] = [];
  for (const [segment, group] of bySegment) {
    const itemPath = [...message.itemPath, segment];
    const att = group.find((i) => i.itemPath.length === depth + 1);
    const others: Counts = {};
    for (const i of group) addCounts(others, i.others);
    const otherCount = total(others);
    const base = {
      id: sha256Hex(['action', path, ...itemPath].join('\u0000')).slice(0, 16),
      path,
      itemPath,
      items: group.map((i) => i.id).sort(),
      evidence: group.map((i) => i.evidence).sort((a, b) => EVIDENCE_RANK[b] - EVIDENCE_RANK[a])[0],
      detectors: [...new Set(group.flatMap((i) => i.detectors))].sort(),
      ...(att?.format ? { format: att.format } : {}),
      ...(otherCount ? { others } : {}),
      fingerprint,
    };
    const manual = (rule: string, reason: string): ManualAction => ({
      ...base,
      kind: 'manual',
      rule,
      reason,
    });
    if (group.some((i) => i.itemPath.length > depth + 1))
      actions.push(
        manual(
          'inside-attachment',
          `the subject's data is inside ${group
            .find((i) => i.itemPath.length > depth + 1)!
            .itemPath.slice(depth)
            .join(
              ' › ',
            )} of this message (an archive or attached message), which cannot be edited safely: remove it by hand`,
        ),
      );
    else if (!att?.fingerprint.sha256)
      actions.push(manual('no-fingerprint', 'the scan recorded no fingerprint of the attachment'));
    else {
      const where = { ...base, container, attachmentSha256: att.fingerprint.sha256, ...imap };
      const findings = findingsByItem.get(att.id) ?? [];
      const content = findings.filter((f) => f.location.field !== 'path');
      const wholly =
        !otherCount &&
        (decisions[att.id]?.decision === 'include' || findings.some((f) => f.location.field === 'path'));
      const redactable = isRedactableText(att.format, segment) && content.length > 0;
      if (redactable && !wholly && opts.limited.has([att.path, ...att.itemPath].join('\u0000')))
        actions.push(
          manual(
            'findings-not-listed',
            "the scan did not list all of the subject's data in this attachment (see its limit error): scan it again with a higher --max-findings, or edit it by hand",
          ),
        );
      else if (redactable && !wholly)
        actions.push({
          ...where,
          kind: 'redact-attachment',
          spans: plannedSpans(content),
          rule: otherCount ? 'shared-attachment-redact' : 'subject-data-in-attachment',
        });
      else if (otherCount)
        actions.push(
          manual(
            'attachment-with-others',
            `the attachment also holds ${describeCounts(others)} of other people and cannot be redacted safely, so it is never removed whole: remove the subject's data from it by hand`,
          ),
        );
      else actions.push({ ...where, kind: 'remove-attachment', rule: 'attachment-of-subject' });
    }
  }
  return actions;
}

import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import {
  EXPORT_SCHEMA,
  type ExportedItem,
  type ExportManifest,
  type NotExportedItem,
} from '../core/schemas/export.js';
import type { ScanFile } from '../core/types.js';
import type { ImapPasswordSource } from '../crawl/imap/password.js';
import { isImapUrl } from '../crawl/imap/url.js';
import { writeOutput } from '../io/output.js';
import { compileSubject } from '../match/subject.js';
import type { Lang } from '../report/access/i18n.js';
import { prepareReport, renderHtml, renderJson } from '../report/access/index.js';
import type { AccessReport, ReportItem, SubjectField } from '../report/access/model.js';
import { type Copy, type CopyContext, type CopyTarget, copyOf } from './copy.js';
import { ImapFetcher } from './imap.js';
import { type CopySource, MAX_MASK_BYTES, safeCopy } from './mask.js';
import type { MaskContext } from './mask-text.js';
import { ZipWriter } from './zip-writer.js';

export interface ExportOptions {
  out: string;
  lang: Lang;
  includePossible: boolean;
  /** Export items that changed since the scan as they are now (flagged in the manifest) instead of leaving them out. */
  allowChanged: boolean;
  force: boolean;
  controller?: string;
  given?: SubjectField[];
  limits?: Partial<Limits>;
  /** Where the password for IMAP items comes from (see password.ts); without one they are listed as not exported. */
  imapPassword?: ImapPasswordSource;
  /**
   * Copy every item as it is, other people's identifiers included (flagged in the manifest). Default:
   * other people's identifiers are masked, and an item that cannot be masked is left out.
   * @default false
   */
  unredacted?: boolean;
  /** Told what the officer must know before sending the export (a draft report, raw copies). */
  warn?: (message: string) => void;
  /**
   * Where the copies come from when not from this machine (a scan through agents: dsr export --db):
   * called once with the items to export, it returns each item's copy. Without it, a scan file whose
   * items name a host is refused.
   */
  copies?: (items: ReportItem[], scan: ScanFile) => Promise<(item: ReportItem) => ItemCopy | ItemNotCopied>;
}

export type { ExportedItem, ExportManifest, NotExportedItem } from '../core/schemas/export.js';

const UNREDACTED_NOTE = "raw copy: other people's identifiers not masked (--unredacted)";

/** Writes the subject's export zip: a copy of every reported item, manifest.json, report.json and report.html. */
export async function runExport(scanPath: string, opts: ExportOptions): Promise<ExportManifest> {
  const { scan, report } = await prepareReport(scanPath, {
    lang: opts.lang,
    includePossible: opts.includePossible,
    controller: opts.controller,
    given: opts.given,
  });
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const hasImap = report.items.some((i) => isImapUrl(i.path));
  const imap =
    hasImap && opts.imapPassword ? new ImapFetcher(opts.imapPassword, limits.timeoutMs) : undefined;
  const ctx: CopyContext = { limits, imap };
  const maskCtx = { subject: compileSubject(scan.subject), limits };
  warnBeforeSending(report, opts);
  const manifest: ExportManifest = {
    schema: EXPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    scanId: report.scan.scanId,
    report: { json: 'report.json', html: 'report.html' },
    unredacted: Boolean(opts.unredacted),
    items: [],
    notExported: [],
  };
  const width = String(report.items.length).length;
  const used = new Set<string>();
  const itemCtx: ItemCopyContext = {
    copy: ctx,
    mask: maskCtx,
    allowChanged: opts.allowChanged,
    unredacted: Boolean(opts.unredacted),
  };
  const hostOf = new Map(scan.items.filter((i) => i.host).map((i) => [i.id, i.host as string]));
  if (hostOf.size && !opts.copies)
    throw new UsageError(
      `${scanPath} was made through agents (its items are on ${[...new Set(hostOf.values())].length} host(s)): their copies are fetched through those agents`,
      'add --db URL (the database of the agents that scanned)',
    );
  try {
    const fetched = opts.copies ? await opts.copies(report.items, scan) : undefined;
    await writeOutput(
      resolve(opts.out),
      async (fh) => {
        const zip = new ZipWriter(fh);
        for (const [i, item] of report.items.entries()) {
          const host = hostOf.get(item.id);
          const at = host ? { host } : {};
          const copy = fetched ? fetched(item) : await exportCopy(item, itemCtx);
          if ('reason' in copy) {
            manifest.notExported.push({
              ...describe(item),
              ...at,
              reason: copy.reason,
              message: copy.message,
            });
            continue;
          }
          const file = entryName(i + 1, width, copy.name, used);
          const written = await zip.add(file, copy.content(), copy.mtime);
          manifest.items.push({
            id: item.id,
            ...at,
            file,
            original: { path: item.path, itemPath: item.itemPath },
            categories: item.categories,
            evidence: item.evidence,
            size: written.size,
            sha256: written.sha256,
            sourceSha256: copy.sourceSha256,
            changed: copy.changed,
            ...copy.kept,
          });
        }
        await zip.addText(manifest.report.json, renderJson(report));
        await zip.addText(manifest.report.html, renderHtml(report));
        await zip.addText('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
        await zip.end();
      },
      opts.force,
    );
  } finally {
    await imap?.close();
  }
  return manifest;
}

/** What an item's copy needs: where it is read from, and how other people's identifiers are masked. */
export interface ItemCopyContext {
  copy: CopyContext;
  mask: MaskContext;
  allowChanged: boolean;
  unredacted: boolean;
}

/** How an item goes into the zip: its bytes (as many times as asked) and what the manifest says of it. */
export interface ItemCopy {
  name: string;
  mtime?: Date;
  content: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  sourceSha256: string;
  changed: string | null;
  kept: Pick<ExportedItem, 'copy' | 'masked' | 'note' | 'leftOut'>;
}

export type ItemNotCopied = Pick<NotExportedItem, 'reason' | 'message'>;

/**
 * One item's copy as it goes into the export: found again and checked against its fingerprint, and
 * other people's identifiers masked unless `unredacted`. The same on an agent (dsr export --db) as here.
 */
export async function exportCopy(item: CopyTarget, ctx: ItemCopyContext): Promise<ItemCopy | ItemNotCopied> {
  const copy = await copyOf(item, ctx.copy);
  if ('reason' in copy) return copy;
  if (copy.changed && !ctx.allowChanged) return { reason: 'changed', message: copy.changed };
  const base = { name: copy.name, mtime: copy.mtime, sourceSha256: copy.sourceSha256, changed: copy.changed };
  if (ctx.unredacted)
    return {
      ...base,
      content: copy.pieces,
      kept: { copy: 'raw', masked: {}, note: UNREDACTED_NOTE, leftOut: [] },
    };
  const source = await sourceOf(copy);
  const safe = await safeCopy(item.format ?? undefined, source, ctx.mask);
  if (safe.copy === 'none') return { reason: 'others', message: safe.message };
  if (safe.copy === 'masked')
    return {
      ...base,
      content: () => [safe.data],
      kept: { copy: 'masked', masked: safe.masked, note: safe.note, leftOut: safe.leftOut },
    };
  return {
    ...base,
    content: 'data' in source ? () => [source.data] : copy.pieces,
    kept: { copy: 'raw', masked: {}, note: safe.note, leftOut: [] },
  };
}

/** The copy's bytes in memory, or its file when it is too large to hold (see safeCopy). */
async function sourceOf(copy: Copy): Promise<CopySource> {
  if (copy.file && copy.size > MAX_MASK_BYTES) return { name: copy.name, file: copy.file, size: copy.size };
  const parts: Buffer[] = [];
  for await (const piece of copy.pieces())
    parts.push(Buffer.from(piece.buffer, piece.byteOffset, piece.length));
  return { name: copy.name, data: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

/** What dsr report says about a draft, and what raw copies mean, said before the export is sent. */
function warnBeforeSending(report: AccessReport, opts: ExportOptions): void {
  const warn = opts.warn ?? (() => {});
  const { possible, namesake } = report.selection.needsReview;
  if (possible + namesake > 0)
    warn(
      `the report is a draft: ${possible} possible and ${namesake} namesake item(s) have not been reviewed and are not in the export. Review them (dsr review), then export again.`,
    );
  const unreviewed = report.items.filter((i) => i.evidence === 'possible' && i.decision === null).length;
  if (unreviewed)
    warn(
      `${unreviewed} possible item(s) (name or face tag only) that nobody has reviewed are in the export (--include-possible): review them before sending it.`,
    );
  if (opts.unredacted)
    warn(
      `--unredacted: the copies are raw and may disclose other people's CPR numbers, e-mail addresses and phone numbers (GDPR art. 15(4)); manifest.json says "unredacted": true.`,
    );
}

function describe(item: ReportItem): Pick<NotExportedItem, 'id' | 'original' | 'categories'> {
  return { id: item.id, original: { path: item.path, itemPath: item.itemPath }, categories: item.categories };
}

/** `items/007-cv.pdf`: numbered so that two items with one name never collide; no folders, no control characters. */
export function entryName(n: number, width: number, name: string, used: Set<string>): string {
  const clean =
    name
      // A name's bytes that are not UTF-8 (see raw-path.ts) read as Latin-1, their most likely origin.
      .replace(/[\udc80-\udcff]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xdc00))
      .normalize('NFC')
      .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_')
      .replace(/^\.+/, '_')
      .trim()
      .slice(-120) || 'item';
  let file = `items/${String(n).padStart(Math.max(3, width), '0')}-${clean}`;
  while (used.has(file.toLowerCase())) file = `${file}_`;
  used.add(file.toLowerCase());
  return file;
}

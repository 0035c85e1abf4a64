import { resolve } from 'node:path';
import type { DetectorId, Evidence } from '../core/types.js';
import { DEFAULT_LIMITS, type Limits } from '../engine/limits.js';
import type { Lang } from '../report/access/i18n.js';
import { prepareReport, renderHtml, renderJson } from '../report/access/index.js';
import type { ReportItem, SubjectField } from '../report/access/model.js';
import { writeOutput } from '../report/access/output.js';
import { type CopyContext, copyOf } from './copy.js';
import { ImapFetcher } from './imap.js';
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
  /** Password for IMAP items; without one they are listed as not exported. */
  imapPassword?: string;
}

/** `manifest.json` in the zip (`dsr.export/1`): where each copy came from and its checksum. */
export interface ExportManifest {
  schema: 'dsr.export/1';
  createdAt: string;
  scanId: string;
  report: { json: string; html: string };
  items: ExportedItem[];
  notExported: NotExportedItem[];
}

export interface ExportedItem {
  id: string;
  /** Path of the copy inside the zip. */
  file: string;
  original: { path: string; itemPath: string[] };
  categories: DetectorId[];
  evidence: Evidence;
  size: number;
  /** sha256 of the copy in the zip. */
  sha256: string;
  /** sha256 of the item's bytes where it lives (differs from `sha256` only for an mbox message, whose separator line is dropped). */
  sourceSha256: string;
  /** Why the item differs from the scan (only with --allow-changed); null when it matches the scan. */
  changed: string | null;
}

export interface NotExportedItem {
  id: string;
  original: { path: string; itemPath: string[] };
  categories: DetectorId[];
  reason: 'changed' | 'missing' | 'unreadable' | 'imap';
  message: string;
}

/** Writes the subject's export zip: a copy of every reported item, manifest.json, report.json and report.html. */
export async function runExport(scanPath: string, opts: ExportOptions): Promise<ExportManifest> {
  const { report } = await prepareReport(scanPath, {
    lang: opts.lang,
    includePossible: opts.includePossible,
    controller: opts.controller,
    given: opts.given,
  });
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const hasImap = report.items.some((i) => /^imaps?:\/\//i.test(i.path));
  const imap = hasImap && opts.imapPassword ? new ImapFetcher(opts.imapPassword) : undefined;
  const ctx: CopyContext = { limits, imap };
  const manifest: ExportManifest = {
    schema: 'dsr.export/1',
    createdAt: new Date().toISOString(),
    scanId: report.scan.scanId,
    report: { json: 'report.json', html: 'report.html' },
    items: [],
    notExported: [],
  };
  const width = String(report.items.length).length;
  const used = new Set<string>();
  try {
    await writeOutput(
      resolve(opts.out),
      async (fh) => {
        const zip = new ZipWriter(fh);
        for (const [i, item] of report.items.entries()) {
          const copy = await copyOf(item, ctx);
          if ('reason' in copy) {
            manifest.notExported.push({ ...describe(item), ...copy });
            continue;
          }
          if (copy.changed && !opts.allowChanged) {
            manifest.notExported.push({ ...describe(item), reason: 'changed', message: copy.changed });
            continue;
          }
          const file = entryName(i + 1, width, copy.name, used);
          const written = await zip.add(file, copy.pieces(), copy.mtime);
          manifest.items.push({
            id: item.id,
            file,
            original: { path: item.path, itemPath: item.itemPath },
            categories: item.categories,
            evidence: item.evidence,
            size: written.size,
            sha256: written.sha256,
            sourceSha256: copy.sourceSha256,
            changed: copy.changed,
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

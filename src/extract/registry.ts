import type { ItemInput } from '../core/types.js';
import type { Extractor, ExtractorFormat } from './api.js';
import {
  emlFormat,
  gzipFormat,
  htmlFormat,
  jsonFormat,
  maildirFormat,
  mboxFormat,
  mediaFormat,
  msgFormat,
  officeFormat,
  pdfFormat,
  picasaFormat,
  pstFormat,
  sevenZipFormat,
  sqliteFormat,
  sqliteRowFormat,
  takeoutFormat,
  tarFormat,
  textFormat,
  tnefFormat,
  unopenedFormat,
  zipFormat,
} from './formats.js';
import { extensionOf } from './read.js';

/** A format and how to load its extractor, which happens the first time an item of it is read. */
export interface Format extends ExtractorFormat {
  load(): Promise<Extractor>;
}

function lazy(format: ExtractorFormat, load: () => Promise<{ default: Extractor }>): Format {
  let loading: Promise<Extractor> | undefined;
  return { ...format, load: () => (loading ??= load().then((m) => m.default)) };
}

/**
 * Every format, explicitly. Order matters only for sniffing; a file is claimed by its longest
 * matching extension first, then by content, and plain text (which itself detects binary) is the fallback.
 */
export const formats: Format[] = [
  lazy(sqliteRowFormat, () => import('./database/sqlite-row.js')),
  lazy(mediaFormat, () => import('./media/media.js')),
  lazy(picasaFormat, () => import('./media/picasa.js')),
  lazy(takeoutFormat, () => import('./media/takeout.js')),
  lazy(pdfFormat, () => import('./pdf/pdf.js')),
  lazy(officeFormat, () => import('./office/office.js')),
  lazy(zipFormat, () => import('./archive/zip.js')),
  lazy(gzipFormat, () => import('./archive/gzip.js')),
  lazy(tarFormat, () => import('./archive/tar.js')),
  lazy(sevenZipFormat, () => import('./archive/seven-zip.js')),
  lazy(maildirFormat, () => import('./mail/maildir.js')),
  lazy(mboxFormat, () => import('./mail/mbox.js')),
  lazy(emlFormat, () => import('./mail/eml.js')),
  lazy(msgFormat, () => import('./mail/msg.js')),
  lazy(pstFormat, () => import('./mail/pst.js')),
  lazy(sqliteFormat, () => import('./database/sqlite.js')),
  lazy(tnefFormat, () => import('./mail/tnef.js')),
  lazy(unopenedFormat, () => import('./archive/unopened.js')),
  lazy(htmlFormat, () => import('./html/html.js')),
  lazy(jsonFormat, () => import('./json/json.js')),
  lazy(textFormat, () => import('./text/text.js')),
];

const fallbackFormat = formats[formats.length - 1];

export function selectFormat(input: ItemInput, head: Uint8Array): Format {
  const byName = formatForName(input.name);
  if (byName) return byName;
  for (const f of formats) if (f.sniff?.(head, input)) return f;
  return fallbackFormat;
}

/** The extractor for an item, by its name or else its first bytes. */
export function selectExtractor(input: ItemInput, head: Uint8Array): Promise<Extractor> {
  return selectFormat(input, head).load();
}

/** The format that claims a file by its longest matching extension, before any byte is read. */
export function formatForName(name: string): Format | undefined {
  const ext = extensionOf(name);
  if (!ext) return undefined;
  // A tree holds few extensions, each asked for once per file (walk, raw pass, format check); a format
  // added or removed (tests register stubs) starts the table anew.
  if (knownFormats !== formats.length) {
    byExtension.clear();
    knownFormats = formats.length;
  }
  if (byExtension.has(ext)) return byExtension.get(ext);
  let best: Format | undefined;
  let bestLen = 0;
  for (const f of formats) {
    for (const e of f.extensions) {
      if (ext.endsWith(e) && e.length > bestLen) {
        best = f;
        bestLen = e.length;
      }
    }
  }
  if (byExtension.size >= 1000) byExtension.clear();
  byExtension.set(ext, best);
  return best;
}

const byExtension = new Map<string, Format | undefined>();
let knownFormats = 0;

import type { ItemInput } from '../core/types.js';
import type { Extractor } from './api.js';
import gzip from './archive/gzip.js';
import tar from './archive/tar.js';
import zip from './archive/zip.js';
import html from './html/html.js';
import json from './json/json.js';
import eml from './mail/eml.js';
import maildir from './mail/maildir.js';
import mbox from './mail/mbox.js';
import msg from './mail/msg.js';
import pst from './mail/pst.js';
import media from './media/media.js';
import picasa from './media/picasa.js';
import takeout from './media/takeout.js';
import office from './office/office.js';
import pdf from './pdf/pdf.js';
import { extensionOf } from './read.js';
import text from './text/text.js';

/**
 * Every extractor, explicitly. Order matters only for sniffing; a file is claimed by its longest
 * matching extension first, then by content, and plain text (which itself detects binary) is the fallback.
 */
export const extractors: Extractor[] = [
  media,
  picasa,
  takeout,
  pdf,
  office,
  zip,
  gzip,
  tar,
  maildir,
  mbox,
  eml,
  msg,
  pst,
  html,
  json,
  text,
];

export const fallbackExtractor: Extractor = text;

export function selectExtractor(input: ItemInput, head: Uint8Array): Extractor {
  const byName = extractorForName(input.name);
  if (byName) return byName;
  for (const ex of extractors) if (ex.sniff?.(head, input)) return ex;
  return fallbackExtractor;
}

/** The extractor that claims a file by its longest matching extension, before any byte is read. */
export function extractorForName(name: string): Extractor | undefined {
  const ext = extensionOf(name);
  let best: Extractor | undefined;
  let bestLen = 0;
  if (ext) {
    for (const ex of extractors) {
      for (const e of ex.extensions) {
        if (ext.endsWith(e) && e.length > bestLen) {
          best = ex;
          bestLen = e.length;
        }
      }
    }
  }
  return best;
}

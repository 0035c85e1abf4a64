import { createHash } from 'node:crypto';
import { SealedFolder, type SealedFolderRef } from '../../io/sealed-folder.js';
import type { OcrPage } from './tesseract.js';

/**
 * Where an index keeps its OCR results (see docs/index.md): a folder beside it, and a 32-byte key derived
 * from the index key. A plain object: it travels to the workers with every task.
 */
export type OcrCacheRef = SealedFolderRef;

/**
 * Recognised pages kept across runs, so that an unchanged scan is never recognised twice: the index run
 * recognises it, and a later `scan --index` that re-reads it (a candidate) finds its pages here. Each
 * entry is named by an HMAC of the image's (or PDF's) SHA-256 and the page, and sealed under the index's
 * key (see SealedFolder): the folder names no file and holds no text in clear, as the index itself.
 * A missing, damaged or foreign entry is recognised again; a failed write only costs that.
 */
export class OcrCache {
  private readonly folder: SealedFolder;
  constructor(ref: OcrCacheRef) {
    this.folder = new SealedFolder(ref);
  }

  /** The entry name for page `page` of the item with these bytes. */
  name(contentSha256: string, page: number): string {
    return this.folder.name('ocr', contentSha256, page);
  }

  get(name: string): OcrPage[] | undefined {
    const plain = this.folder.get(name);
    if (!plain) return undefined;
    try {
      return JSON.parse(plain.toString('utf8')) as OcrPage[];
    } catch {
      return undefined;
    }
  }

  put(name: string, pages: OcrPage[]): void {
    this.folder.put(name, JSON.stringify(pages));
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

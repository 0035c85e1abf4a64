import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OcrPage } from './tesseract.js';

/**
 * Where an index keeps its OCR results (see docs/index.md): a folder beside it, and a 32-byte key derived
 * from the index key. A plain object: it travels to the workers with every task.
 */
export interface OcrCacheRef {
  dir: string;
  /** Hex. */
  key: string;
}

/**
 * Recognised pages kept across runs, so that an unchanged scan is never recognised twice: the index run
 * recognises it, and a later `scan --index` that re-reads it (a candidate) finds its pages here. Each
 * entry is named by an HMAC of the image's (or PDF's) SHA-256 and the page, and sealed with AES-256-GCM
 * under the index's key: the folder names no file and holds no text in clear, as the index itself.
 * A missing, damaged or foreign entry is recognised again; a failed write only costs that.
 */
export class OcrCache {
  private readonly key: Buffer;
  constructor(private readonly ref: OcrCacheRef) {
    this.key = Buffer.from(ref.key, 'hex');
  }

  /** The entry name for page `page` of the item with these bytes. */
  name(contentSha256: string, page: number): string {
    return createHmac('sha256', this.key).update(`ocr\0${contentSha256}\0${page}`).digest('hex');
  }

  get(name: string): OcrPage[] | undefined {
    try {
      const sealed = readFileSync(join(this.ref.dir, name));
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      const json = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(json) as OcrPage[];
    } catch {
      return undefined;
    }
  }

  put(name: string, pages: OcrPage[]): void {
    try {
      mkdirSync(this.ref.dir, { recursive: true, mode: 0o700 });
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(pages), 'utf8'), cipher.final()]);
      const path = join(this.ref.dir, name);
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(temp, Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
      renameSync(temp, path);
    } catch {
      // Not kept: the page is recognised again next time.
    }
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

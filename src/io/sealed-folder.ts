import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A folder of sealed entries and its 32-byte key (hex). A plain object: it travels to the workers
 * with every task.
 */
export interface SealedFolderRef {
  dir: string;
  key: string;
}

const IV = 12;
const TAG = 16;

/**
 * Entries kept across runs beside an index (its OCR results, the text of its costly documents): each
 * named by an HMAC of what it is about and sealed with AES-256-GCM under the folder's key, its name
 * bound to it as additional data. The folder names no file and holds nothing in clear; an entry
 * renamed to another's name, damaged or sealed under another key reads as missing. A failed write
 * only costs the work being done again next time.
 */
export class SealedFolder {
  private readonly key: Buffer;
  constructor(private readonly ref: SealedFolderRef) {
    this.key = Buffer.from(ref.key, 'hex');
  }

  /** The entry name for these parts (joined with NUL, so that no two lists of parts share a name). */
  name(...parts: (string | number)[]): string {
    return createHmac('sha256', this.key).update(parts.join('\0')).digest('hex');
  }

  get(name: string): Buffer | undefined {
    try {
      const sealed = readFileSync(join(this.ref.dir, name));
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
      return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  put(name: string, plain: Buffer | string): void {
    try {
      mkdirSync(this.ref.dir, { recursive: true, mode: 0o700 });
      const iv = randomBytes(IV);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const body = Buffer.concat([
        typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain),
        cipher.final(),
      ]);
      const path = join(this.ref.dir, name);
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(temp, Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
      renameSync(temp, path);
    } catch {
      // Not kept: done again next time.
    }
  }
}

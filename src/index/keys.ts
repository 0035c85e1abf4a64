import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { hasRawBytes, toBytes } from '../core/raw-path.js';
import { writeTextAtomic } from '../io/atomic-write.js';

/**
 * The per-index secret. Identifiers are stored only as HMAC-SHA256 under this key, and paths only
 * encrypted with it (AES-256-GCM), so the index file alone reveals neither values nor names.
 * The key lives in its own 0600 file, never in the index.
 */
export interface IndexKey {
  indexId: string;
  macKey: Buffer;
  encKey: Buffer;
}

interface KeyFile {
  schema: 'dsr.index-key/1';
  indexId: string;
  key: string;
}

export function keyPathFor(indexPath: string): string {
  return `${indexPath}.key`;
}

export async function createKey(path: string): Promise<IndexKey> {
  const file: KeyFile = {
    schema: 'dsr.index-key/1',
    indexId: randomBytes(16).toString('hex'),
    key: randomBytes(32).toString('base64'),
  };
  await writeTextAtomic(path, `${JSON.stringify(file)}\n`, { overwrite: false });
  return deriveKey(file);
}

export async function loadKey(path: string): Promise<IndexKey> {
  let file: KeyFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
  } catch (err) {
    throw new UsageError(
      `${path}: cannot read the index key (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'pass --key FILE, or re-create the index',
    );
  }
  if (
    file?.schema !== 'dsr.index-key/1' ||
    typeof file.key !== 'string' ||
    typeof file.indexId !== 'string'
  ) {
    throw new UsageError(`${path}: not a dsr index key file`);
  }
  return deriveKey(file);
}

function deriveKey(file: KeyFile): IndexKey {
  const master = Buffer.from(file.key, 'base64');
  const sub = (label: string) => createHmac('sha256', master).update(label).digest();
  return { indexId: file.indexId, macKey: sub('dsr index mac'), encKey: sub('dsr index enc') };
}

/** Keyed hash of a normalised token, truncated to 128 bits. */
export function mac(key: IndexKey, token: string): Buffer {
  return macOf(key.macKey, token);
}

/** A token's MAC under a raw MAC key, as stored (16 bytes). */
export function macOf(macKey: Buffer, token: string): Buffer {
  // A path with bytes that are not UTF-8 (see raw-path.ts) by those bytes, not with U+FFFD in their place.
  return createHmac('sha256', macKey)
    .update(hasRawBytes(token) ? toBytes(token) : token)
    .digest()
    .subarray(0, 16);
}

/** A value proving the key matches the index without revealing it. */
export function keyCheck(key: IndexKey): string {
  return mac(key, `key-check:${key.indexId}`).toString('hex');
}

export function seal(key: IndexKey, plain: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.encKey, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function unseal(key: IndexKey, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key.encKey, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

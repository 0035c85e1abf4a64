import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { TextCacheRef } from '../engine/text-cache.js';
import type { OcrCacheRef } from '../extract/ocr/cache.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { createKey, type IndexKey, keyCheck, keyPathFor, loadKey, seal, unseal } from './keys.js';
import { type IndexStore, SqliteIndexStore } from './store.js';

export const INDEX_SCHEMA = 'dsr.index/2';
/**
 * Indexes this version still opens: /1 kept every file's outcome sealed only, and a file of too many
 * tokens to list as one token every query reads. Its store gains the columns of outcomes in clear and
 * of token filters on opening (see SqliteIndexStore) and it is marked /2, so that a dsr that knows only
 * /1 refuses it rather than update a file's sealed outcome and leave its clear one stale.
 */
const OLDER_SCHEMAS = ['dsr.index/1'];

export interface OpenIndex {
  store: IndexStore;
  key: IndexKey;
  path: string;
  keyPath: string;
  created: boolean;
}

/**
 * Opens an index and its key, or creates both (mode 0600). A key that does not belong to the index,
 * or a file that is not a dsr index, is refused with a clear message.
 */
export async function openIndex(
  indexPath: string,
  opts: { keyPath?: string; create: boolean },
): Promise<OpenIndex> {
  const path = resolve(indexPath);
  const keyPath = resolve(opts.keyPath ?? keyPathFor(path));
  const exists = existsSync(path);
  // An empty index file is a creation that was cut short (the name is reserved first): it is finished.
  const unfinished = exists && statSync(path).size === 0;
  if (!opts.create && (!exists || unfinished))
    throw new UsageError(
      `${path}: ${exists ? 'this index was never finished' : 'no index here'}`,
      'create one with dsr index ROOT… --index PATH',
    );
  if (!exists || unfinished) {
    if (!exists) {
      if (existsSync(keyPath))
        throw new UsageError(
          `${keyPath}: a key file exists but its index does not; remove it or choose another --key`,
        );
      const fh = await open(path, 'wx', 0o600);
      await fh.close();
    }
    // An empty key file beside an unfinished index was cut short too; nothing was keyed with it yet.
    if (existsSync(keyPath) && statSync(keyPath).size === 0) rmSync(keyPath);
    let key: IndexKey;
    if (existsSync(keyPath)) key = await loadKey(keyPath);
    else {
      key = await createKey(keyPath);
      removeStaleCaches(path);
    }
    await initialise(path, key);
    return { store: new SqliteIndexStore(path), key, path, keyPath, created: true };
  }
  const key = await loadKey(keyPath);
  let store: SqliteIndexStore;
  try {
    store = new SqliteIndexStore(path);
  } catch (err) {
    throw new UsageError(`${path}: not a dsr index (${(err as Error).message})`);
  }
  const schema = await safeMeta(store, 'schema');
  const older = schema !== undefined && OLDER_SCHEMAS.includes(schema);
  if (schema !== INDEX_SCHEMA && !older) {
    await store.close();
    throw new UsageError(
      `${path}: not a dsr index (schema ${JSON.stringify(schema ?? null)}, expected ${INDEX_SCHEMA})`,
    );
  }
  if (
    (await store.getMeta('indexId')) !== key.indexId ||
    (await store.getMeta('keyCheck')) !== keyCheck(key)
  ) {
    await store.close();
    throw new UsageError(
      `${keyPath}: this key does not belong to the index ${path}`,
      'use the key file created with the index (default: INDEX.key)',
    );
  }
  if (older) await store.setMeta('schema', INDEX_SCHEMA);
  return { store, key, path, keyPath, created: false };
}

/**
 * Writes the index's tables and identity into a side file and renames it over the reserved (empty)
 * index file (see writeFileAtomic), so that a crash never leaves an index without its identity: only
 * the empty file, which the next run finishes, and the side file, which it removes first.
 */
async function initialise(path: string, key: IndexKey): Promise<void> {
  const side = `${path}.init`;
  const sqliteSides = [`${side}-wal`, `${side}-shm`, `${side}-journal`];
  for (const f of [side, ...sqliteSides]) rmSync(f, { force: true });
  await writeFileAtomic(path, async () => {}, {
    temp: side,
    sideTemps: sqliteSides,
    edit: async (temp) => {
      const store = new SqliteIndexStore(temp);
      await store.transaction(async () => {
        await store.setMeta('schema', INDEX_SCHEMA);
        await store.setMeta('indexId', key.indexId);
        await store.setMeta('keyCheck', keyCheck(key));
        await store.setMeta('createdAt', new Date().toISOString());
      });
      await store.close();
    },
  });
}

async function safeMeta(store: IndexStore, key: string): Promise<string | undefined> {
  try {
    return await store.getMeta(key);
  } catch {
    return undefined;
  }
}

export function sealJson(key: IndexKey, value: unknown): Buffer {
  return seal(key, JSON.stringify(value));
}

export function unsealJson<T>(key: IndexKey, sealed: Buffer): T {
  return JSON.parse(unseal(key, sealed)) as T;
}

/**
 * Where the index keeps OCR results (`INDEX.ocr/`, sealed under a key derived from the index's; see
 * OcrCache): an unchanged scan read by the index run is not recognised again by a `scan --index`.
 */
export function ocrCacheOf(index: OpenIndex): OcrCacheRef {
  return {
    dir: `${index.path}.ocr`,
    key: createHmac('sha256', index.key.encKey).update('dsr ocr cache').digest('hex'),
  };
}

/**
 * Where the index keeps the text of costly documents it read (`INDEX.text/`, sealed under a key derived
 * from the index's; see TextCache): an unchanged candidate is not parsed again by a `scan --index`.
 */
export function textCacheOf(index: OpenIndex): TextCacheRef {
  return {
    dir: `${index.path}.text`,
    key: createHmac('sha256', index.key.encKey).update('dsr text cache').digest('hex'),
  };
}

/**
 * Removes what an earlier index of this path kept beside it (OCR results, document text): sealed under
 * a key that no longer exists, it is of no use, and goes with its index. Only entries are removed (by
 * their names, as SealedFolder writes them), then the folder if that left it empty.
 */
function removeStaleCaches(path: string): void {
  for (const dir of [`${path}.ocr`, `${path}.text`]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (ENTRY_NAME.test(name)) rmSync(join(dir, name), { force: true });
    try {
      rmdirSync(dir);
    } catch {
      // Not empty: something else is kept there.
    }
  }
}

/** A sealed entry, or one being written (see SealedFolder.put). */
const ENTRY_NAME = /^[0-9a-f]{64}(\.\d+\.[0-9a-f]{8})?$/;

/** The index's own files, never searched by a scan or an index run that walks over them. */
export function indexOwnFiles(index: OpenIndex): { path: string; reason: string }[] {
  return [
    { path: index.path, reason: 'index' },
    { path: `${index.path}-wal`, reason: 'index' },
    { path: `${index.path}-shm`, reason: 'index' },
    { path: index.keyPath, reason: 'index key' },
  ];
}

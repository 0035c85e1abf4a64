import { stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../atomic.js';

/**
 * Writes a report or export file atomically with mode 0600. An existing file is kept unless `force`:
 * a report sent to a data subject is a record, and replacing it by accident loses that record.
 */
export async function writeOutput(
  path: string,
  write: Parameters<typeof writeFileAtomic>[1],
  force: boolean,
): Promise<void> {
  if (!force) await refuseExisting(path);
  try {
    await writeFileAtomic(path, write, { overwrite: force });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
    throw err;
  }
}

export async function refuseExisting(path: string): Promise<void> {
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw existsError(path);
}

function existsError(path: string): UsageError {
  return new UsageError(`${path} already exists; not replaced`, 'pass --force to replace it');
}

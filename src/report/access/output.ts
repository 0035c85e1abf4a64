import { writeFileAtomic } from '../atomic.js';
import { checkOutputPath, existsError, STDOUT, stdoutSink } from '../output-path.js';

/**
 * Writes a report or export file atomically with mode 0600. An existing file is kept unless `force`:
 * a report sent to a data subject is a record, and replacing it by accident loses that record. A
 * symlink, device, pipe, socket or folder under the name is never replaced (see checkOutputPath).
 */
export async function writeOutput(
  path: string,
  write: Parameters<typeof writeFileAtomic>[1],
  force: boolean,
): Promise<void> {
  await checkOutputPath(path, { force });
  try {
    await writeFileAtomic(path, write, { overwrite: force });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
    throw err;
  }
}

/** A text output (a report, a plan) to a file as writeOutput writes it, or to standard output for `-`. */
export async function writeTextOutput(path: string, text: string, force: boolean): Promise<void> {
  if (path === STDOUT) await stdoutSink().write(text);
  else await writeOutput(path, (fh) => fh.writeFile(text), force);
}

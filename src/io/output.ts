import { type FileHandle, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.js';
import { lstatOrUndefined, refuseNonFile, writeFileAtomic } from './atomic-write.js';

/**
 * The outputs a user names (`-o FILE`, `--out FILE`): a scan file, a report, an export, a plan. Each
 * is written atomically with mode 0600 (see atomic-write.ts), or to standard output for `-o -`.
 */

/** `-o -`: the output goes to standard output. */
export const STDOUT = '-';

/** Where an output's bytes go: a file being written (see writeFileAtomic) or standard output. */
export interface OutputSink {
  write(data: string | Uint8Array): Promise<unknown>;
}

export function fileSink(fh: FileHandle): OutputSink {
  return { write: (data) => (typeof data === 'string' ? fh.write(data) : fh.write(data)) };
}

/**
 * Standard output as a sink: each write resolves once the stream took it. A reader that went away
 * (`| head`) fails the write with a UsageError that says so, never an unhandled 'error' event (the
 * stream emits one after the write's callback: a listener stays for the sink's life).
 */
export function stdoutSink(stream: NodeJS.WriteStream = process.stdout): OutputSink {
  let failed: Error | undefined;
  stream.on('error', (err: Error) => {
    failed ??= err;
  });
  const closed = (err: Error) =>
    (err as NodeJS.ErrnoException).code === 'EPIPE'
      ? new UsageError(
          'standard output was closed before the output was complete (EPIPE)',
          'let the reader take all of it (dsr … -o - > file, or | jq), or write a file with -o FILE',
        )
      : err;
  return {
    write: (data) =>
      new Promise((resolve, reject) => {
        if (failed) return reject(closed(failed));
        stream.write(data, (err) => {
          if (err) reject(closed(err));
          else resolve(undefined);
        });
      }),
  };
}

/**
 * Refuses an output path that dsr must not write (exit 2): a symbolic link, a device, a named pipe, a
 * socket or a folder (see refuseNonFile); and an existing regular file unless `force`. A path that
 * does not exist yet is fine. Checked before the work starts, and the kind again just before the
 * rename (see writeFileAtomic).
 */
export async function checkOutputPath(path: string, { force }: { force: boolean }): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (!st) {
    const dir = await stat(dirname(path)).catch(() => undefined);
    if (!dir?.isDirectory())
      throw new UsageError(`${path}: the folder ${dirname(path)} does not exist`, 'create it first');
    return;
  }
  refuseNonFile(path, st);
  if (!force) throw existsError(path);
}

export function existsError(path: string): UsageError {
  return new UsageError(`${path} already exists; pass --force to replace it`);
}

/**
 * Writes a report or export file atomically with mode 0600. An existing file is kept unless `force`:
 * a report sent to a data subject is a record, and replacing it by accident loses that record. A
 * symlink, device, pipe, socket or folder under the name is never replaced (see checkOutputPath).
 */
export async function writeOutput(
  path: string,
  write: (fh: FileHandle) => Promise<void>,
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

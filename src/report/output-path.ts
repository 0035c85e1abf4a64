import type { Stats } from 'node:fs';
import { type FileHandle, lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.js';

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
 * Refuses an output path that dsr must not write (exit 2): a symbolic link (even to a regular file: as
 * root, `-o /dev/stdout` replaced the device link with a file holding the scan), a device, a named
 * pipe, a socket or a folder; and an existing regular file unless `force`. A path that does not exist
 * yet is fine. Checked before the work starts, and the kind again just before the rename (see
 * writeFileAtomic), as the atomic rename would replace whatever the name is by then.
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

/** The same check of the kind alone, for the moment before a rename replaces the name. */
export async function refuseNonFileAt(path: string): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (st) refuseNonFile(path, st);
}

export function existsError(path: string): UsageError {
  return new UsageError(`${path} already exists; pass --force to replace it`);
}

function refuseNonFile(path: string, st: Stats): void {
  const what = kindOf(st);
  if (!what) return;
  throw new UsageError(
    `${path} is ${what}: dsr writes an output only as a regular file and never replaces ${what}`,
    'give the path of a new or regular file, or -o - for standard output',
  );
}

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR')
      throw new UsageError(
        `${path}: a part of the path is not a folder`,
        'give the path of a file in a folder',
      );
    throw err;
  }
}

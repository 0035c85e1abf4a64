import { availableParallelism } from 'node:os';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { ExifTool } from 'exiftool-vendored';
import { isWorkerThread } from 'piscina';
import { ExtractError } from '../../core/errors.js';

/**
 * ExifTool processes live in the thread that runs the scan (the one owning the worker pool), never in a
 * pool worker. Worker threads are terminated when an item runs
 * past its time limit, and a perl `exiftool -stay_open` child does not exit when its parent's pipe
 * closes, so processes owned by a worker would be orphaned. Workers ask the scanning thread over a
 * BroadcastChannel instead; that thread runs a bounded, restartable pool of exiftool processes
 * (exiftool-vendored / batch-cluster, started by exiftool-process.ts so that they die with dsr) and
 * `endExifTool()` ends them when the scan ends. batch-cluster also kills them on process exit.
 */

export type RawTags = Record<string, unknown>;

const CHANNEL = 'dsr:exiftool';

interface ReadRequest {
  type: 'exiftool:read';
  id: string;
  file: string;
  args: string[];
}

interface ReadReply {
  type: 'exiftool:reply';
  id: string;
  tags?: RawTags;
  error?: string;
}

/** Perl processes at most; each reads one file at a time. */
export function exifToolProcs(): number {
  const fromEnv = Number(process.env.DSR_EXIFTOOL_PROCS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, availableParallelism());
}

/**
 * Time exiftool gets for one file, well under the item time limit: a hostile file (a 60 MB extended
 * XMP packet, XMP nested thousands deep) stalls perl for far longer. Past it the read is a `timeout`,
 * and the process is killed and replaced.
 */
export const EXIFTOOL_TIMEOUT_MS = 10_000;

let local: Promise<ExifTool> | undefined;

/** exiftool-vendored is loaded on first use only: worker threads and most scans never need it. */
function localExifTool(): Promise<ExifTool> {
  local ??= import('./exiftool-process.js').then(({ guardedExifTool }) =>
    guardedExifTool({
      maxProcs: exifToolProcs(),
      // batch-cluster starts one process at a time, 1.5 s apart by default: a scan would read most of
      // its photos with a single exiftool. maxProcs still bounds them, and a process that keeps dying
      // is still caught by batch-cluster's failure-rate limit.
      minDelayBetweenSpawnMillis: 0,
      // A looping or hostile file: batch-cluster kills the process after this and starts a fresh one
      // (readTags has answered `timeout` by then: its clock starts first).
      taskTimeoutMillis: EXIFTOOL_TIMEOUT_MS,
      taskRetries: 0,
      useMWG: false,
      geolocation: false,
    }),
  );
  return local;
}

async function readLocal(file: string, args: string[]): Promise<RawTags> {
  const et = await localExifTool();
  return (await et.readRaw(file, { readArgs: args, useMWG: false })) as RawTags;
}

// The scanning thread answers its workers' requests. The channel is unref'd: it never keeps the process alive.
if (!isWorkerThread) {
  const server = new BroadcastChannel(CHANNEL);
  server.unref();
  server.onmessage = (event: unknown) => {
    const msg = (event as { data?: ReadRequest }).data;
    if (msg?.type !== 'exiftool:read') return;
    readLocal(msg.file, msg.args).then(
      (tags) => server.postMessage({ type: 'exiftool:reply', id: msg.id, tags } satisfies ReadReply),
      (err: unknown) =>
        server.postMessage({
          type: 'exiftool:reply',
          id: msg.id,
          error: (err as Error)?.message ?? String(err),
        } satisfies ReadReply),
    );
  };
}

let client: BroadcastChannel | undefined;
const pending = new Map<string, { resolve: (t: RawTags) => void; reject: (e: Error) => void }>();
let counter = 0;

function workerClient(): BroadcastChannel {
  if (client) return client;
  client = new BroadcastChannel(CHANNEL);
  client.unref();
  client.onmessage = (event: unknown) => {
    const msg = (event as { data?: ReadReply }).data;
    if (msg?.type !== 'exiftool:reply') return;
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error !== undefined) waiter.reject(new Error(msg.error));
    else waiter.resolve(msg.tags ?? {});
  };
  return client;
}

/**
 * Reads tags of one file with `exiftool -json ARGS FILE` (ARGS without the file). `file` must be an
 * absolute path without line breaks (exiftool's argument file is line-based). Past `timeoutMs` (at
 * most EXIFTOOL_TIMEOUT_MS) it fails with an ExtractError of kind `timeout`.
 */
export async function readTags(file: string, args: string[], timeoutMs: number): Promise<RawTags> {
  timeoutMs = Math.min(timeoutMs, EXIFTOOL_TIMEOUT_MS);
  if (!file.startsWith('/') || /[\r\n]/.test(file)) throw new Error(`unsafe path for exiftool: ${file}`);
  const work = isWorkerThread ? requestFromMain(file, args) : readLocal(file, args);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ExtractError('timeout', `exiftool did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    // batch-cluster's own limit, should it strike first.
    if (!(err instanceof ExtractError) && /timeout|timed out/i.test((err as Error)?.message ?? ''))
      throw new ExtractError('timeout', `exiftool did not answer within ${timeoutMs / 1000} s`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function requestFromMain(file: string, args: string[]): Promise<RawTags> {
  const channel = workerClient();
  const id = `${threadId}:${++counter}`;
  return new Promise<RawTags>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    channel.postMessage({ type: 'exiftool:read', id, file, args } satisfies ReadRequest);
  }).finally(() => pending.delete(id));
}

/** Ends the exiftool processes of this process (graceful, then forced). A later read starts new ones. */
export async function endExifTool(): Promise<void> {
  const pending = local;
  local = undefined;
  if (!pending) return;
  const et = await pending;
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => resolve(et.end(false)), 3_000);
  });
  try {
    await Promise.race([et.end(true), forced]);
  } finally {
    clearTimeout(timer);
  }
}

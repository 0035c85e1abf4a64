import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
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
 * (exiftool-vendored / batch-cluster) and `endExifTool()` ends them when the scan ends. batch-cluster
 * also kills them on process exit (a second Ctrl-C).
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

let local: Promise<ExifTool> | undefined;

/** exiftool-vendored is loaded on first use only: worker threads and most scans never need it. */
function localExifTool(): Promise<ExifTool> {
  local ??= import('exiftool-vendored').then(
    ({ ExifTool, exiftoolPath, DefaultExiftoolArgs }) =>
      new ExifTool({
        processFactory: guardedSpawn(exiftoolPath, DefaultExiftoolArgs),
        maxProcs: exifToolProcs(),
        // batch-cluster starts one process at a time, 1.5 s apart by default: a scan would read most of
        // its photos with a single exiftool. maxProcs still bounds them, and a process that keeps dying
        // is still caught by batch-cluster's failure-rate limit.
        minDelayBetweenSpawnMillis: 0,
        // A looping or hostile file: batch-cluster kills the process after this and starts a fresh one.
        taskTimeoutMillis: 20_000,
        taskRetries: 0,
        useMWG: false,
        geolocation: false,
      }),
  );
  return local;
}

const SETPRIV = '/usr/bin/setpriv';
const PARENT_ENV = { DSR_PARENT_PID: String(process.pid), LANG: 'C' };

/**
 * `exiftool -stay_open` polls its argument file and never exits on its own when dsr dies without
 * ending it (SIGKILL, a test runner's hard kill). On Linux it is started through
 * `setpriv --pdeathsig KILL`, so the kernel ends it with the thread that spawned it; elsewhere (or
 * without setpriv) exiftool-vendored's exit hooks are the guard. The environment marks the process as
 * this dsr's (`DSR_PARENT_PID`), so tests and admins can find any that outlive it.
 */
function guardedSpawn(exiftoolPath: () => Promise<string>, args: readonly string[]) {
  const perl = (process.env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, 'perl'))
    .find((p) => existsSync(p));
  const opts = { stdio: 'pipe', shell: false, detached: false, env: PARENT_ENV } as const;
  return async () => {
    const script = await exiftoolPath();
    if (process.platform === 'linux' && perl && existsSync(SETPRIV))
      return spawn(SETPRIV, ['--pdeathsig', 'KILL', perl, script, ...args], opts);
    return spawn(perl ?? 'perl', [script, ...args], opts);
  };
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
 * absolute path without line breaks (exiftool's argument file is line-based).
 */
export async function readTags(file: string, args: string[], timeoutMs: number): Promise<RawTags> {
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

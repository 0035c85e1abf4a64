/**
 * Agents for the cluster tests: each a separate `dsr agent` process with its own roots and key, as on
 * its own host, and trees to give them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, ItemRecord } from '../../src/core/types.js';
import { CLI, PROJECT, tempTree } from './cli.js';

export interface Agent {
  name: string;
  proc: ChildProcess;
  stderr(): string;
  /** Resolves once stderr shows `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then resolves when it exited (its exit code). */
  stop(): Promise<number | null>;
  /** kill -9, resolves when it is gone. */
  kill(): Promise<void>;
}

export function startAgent(
  dbUrl: string,
  name: string,
  roots: string[],
  /** `splitAbove`: 1 unless given, so that even a small tree is split into subtree jobs. */
  opts: { env?: NodeJS.ProcessEnv; keyDir: string; jobs?: number; splitAbove?: number | 'default' },
): Agent {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'agent',
      '--db',
      dbUrl,
      '--name',
      name,
      '--key',
      join(opts.keyDir, `${name}.key`),
      '-j',
      String(opts.jobs ?? 1),
      ...(opts.splitAbove === 'default' ? [] : ['--split-above', String(opts.splitAbove ?? 1)]),
      ...roots,
    ],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const waiters: (() => void)[] = [];
  proc.stderr!.on('data', (d) => {
    err += String(d);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    name,
    proc,
    stderr: () => err,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = () => (typeof text === 'string' ? err.includes(text) : text.test(err));
      while (!seen()) {
        if (Date.now() > deadline || proc.exitCode !== null)
          throw new Error(`agent ${name} never printed ${text}; stderr:\n${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

const DOCUMENTS = join(PROJECT, 'fixtures/documents');

/**
 * A root of a "host": the subject's and others' data in text files at the top and in subfolders (so
 * that the agent splits it into jobs), with `extra` more folders of plain files, and the fixture
 * documents (PDF, Office, archives) under `docs/` in the first root.
 */
export function hostTree(host: string, opts: { folders?: number; documents?: boolean } = {}): string {
  const files: Record<string, string> = {
    [`${host}-notes.txt`]: `Meeting with Søren Kjærgaard Østergård, CPR 150387-1236, about ${host}.\n`,
    'contacts.csv':
      'name,email\nAnne Hansen,anne.hansen@example.dk\nSøren Østergård,soren.ostergard@example.dk\n',
    'hr/Søren_Østergård/contract.txt': 'Employee phone +45 21 43 65 87; start date 2020-01-01.\n',
    'hr/others/peter.txt': 'Peter Jensen, CPR 010203-1234, phone 20 30 40 50.\n',
    'shared/empty-notes.txt': 'Nothing personal here.\n',
  };
  for (let i = 0; i < (opts.folders ?? 0); i++)
    files[`bulk/f${i}/part.txt`] =
      `${'Filler line about the weather and the budget.\n'.repeat(200)}${i % 3 === 0 ? 'Call Søren Østergård at 21436587.\n' : ''}`;
  const root = tempTree(files, `dsr-host-${host}-`);
  if (opts.documents) {
    mkdirSync(join(root, 'docs'), { recursive: true });
    for (const f of readdirSync(DOCUMENTS, { withFileTypes: true }))
      if (f.isFile()) copyFileSync(join(DOCUMENTS, f.name), join(root, 'docs', f.name));
  }
  return root;
}

/**
 * What hostTree writes that must never reach the cluster's database in clear: identifiers in their
 * writings, names, a file name and a sentence. A test adds its host names, roots and keys.
 */
export const HOST_TREE_VALUES = [
  '150387-1236',
  '1503871236',
  'soren.ostergard@example.dk',
  'Østergård',
  'Ostergaard',
  'Søren',
  '21436587',
  '21 43 65 87',
  '010203-1234',
  'anne.hansen@example.dk',
  'Peter Jensen',
  'contract.txt',
  'Meeting with',
];

/** A finding as it must be the same in a local scan and through agents (ids and host aside). */
export function findingKey(f: Finding): string {
  const { id: _id, itemId: _itemId, host: _host, ...rest } = f;
  return stableJson(rest);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function itemKey(i: ItemRecord): string {
  const { id: _id, host: _host, scannedAt: _at, ...rest } = i;
  return stableJson(rest);
}

import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const PROJECT = resolve(import.meta.dirname, '../..');
export const CLI = join(PROJECT, 'dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) as a user would. */
export function runCli(args: string[], opts: SpawnSyncOptions & { prefix?: string[] } = {}): CliResult {
  const [cmd, ...pre] = opts.prefix ?? [process.execPath];
  const r = spawnSync(cmd, [...pre, ...(opts.prefix ? [process.execPath] : []), CLI, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    ...opts,
  });
  return { code: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** A fresh temp folder with the given files (string or bytes). */
export function tempTree(files: Record<string, string | Uint8Array> = {}, prefix = 'dsr-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

/** The fake subject used across tests and fixtures. */
export const SUBJECT = {
  name: 'Søren Kjærgaard Østergård',
  aliases: ['Søren K. Østergård'],
  emails: ['soren.ostergard@example.dk'],
  phones: ['+45 21 43 65 87'],
  cpr: ['150387-1236'],
};

export function writeSubject(dir: string, subject: object = SUBJECT): string {
  const p = join(dir, 'subject.json');
  writeFileSync(p, JSON.stringify(subject));
  return p;
}

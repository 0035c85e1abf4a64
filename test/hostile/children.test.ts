import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/** Live processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces, inside parentheses): state, ppid, …
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  // A zombie waiting for its new parent to reap it is dead.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('child processes die with dsr', () => {
  it.skipIf(process.platform !== 'linux')(
    '`kill -9` of `dsr erase --execute` during face-tag removal leaves none of its exiftool processes running',
    async () => {
      const dir = tempTree();
      for (let i = 0; i < 120; i++)
        for (const photo of ['mwg-regions.jpg', 'iptc-person.jpg'])
          copyFileSync(join(PROJECT, 'fixtures/media', photo), join(dir, `${i}-${photo}`));
      const out = tempTree();
      const scan = join(out, 'scan.json');
      const subject = writeSubject(tempTree());
      expect(runCli(['scan', dir, '--subject', subject, '--out', scan, '--no-progress']).code).toBe(0);
      const plan = join(out, 'plan.json');
      const planned = runCli([
        'plan',
        scan,
        '--out',
        plan,
        '--approve',
        '--approved-by',
        'DPO',
        '--include-possible',
      ]);
      expect(planned.code, planned.stderr).toBe(0);
      expect(readFileSync(plan, 'utf8')).toContain('remove-face-tags');

      const child = spawn(process.execPath, [CLI, 'erase', plan, '--execute'], { stdio: 'ignore' });
      const ended = new Promise((resolve) => child.on('exit', resolve));
      let exiftools: number[] = [];
      for (let i = 0; i < 1200 && !exiftools.length; i++) {
        await new Promise((r) => setTimeout(r, 25));
        exiftools = childrenOf(child.pid!);
      }
      expect(exiftools.length).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await ended;
      let left = exiftools;
      for (let i = 0; i < 40 && left.length; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = exiftools.filter(alive);
      }
      expect(left).toEqual([]);
    },
    120_000,
  );
});

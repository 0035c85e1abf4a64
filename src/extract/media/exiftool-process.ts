import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DefaultExiftoolArgs, ExifTool, type ExifToolOptions, exiftoolPath } from 'exiftool-vendored';

const SETPRIV = '/usr/bin/setpriv';
const PARENT_ENV = { DSR_PARENT_PID: String(process.pid), LANG: 'C' };

/**
 * An ExifTool whose perl processes die with dsr. Every exiftool dsr starts (the scan's, the erase's
 * face-tag action) is made here.
 *
 * `exiftool -stay_open` polls its argument file and never exits on its own when dsr dies without
 * ending it (SIGKILL, a test runner's hard kill). On Linux it is started through
 * `setpriv --pdeathsig KILL`, so the kernel ends it with the thread that spawned it; elsewhere (or
 * without setpriv) exiftool-vendored's exit hooks are the guard. The environment marks the process as
 * this dsr's (`DSR_PARENT_PID`), so tests and admins can find any that outlive it.
 */
export function guardedExifTool(options: Partial<ExifToolOptions>): ExifTool {
  return new ExifTool({ ...options, processFactory: guardedSpawn(exiftoolPath, DefaultExiftoolArgs) });
}

function guardedSpawn(path: () => Promise<string>, args: readonly string[]) {
  const perl = (process.env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, 'perl'))
    .find((p) => existsSync(p));
  const opts = { stdio: 'pipe', shell: false, detached: false, env: PARENT_ENV } as const;
  return async () => {
    const script = await path();
    if (process.platform === 'linux' && perl && existsSync(SETPRIV))
      return spawn(SETPRIV, ['--pdeathsig', 'KILL', perl, script, ...args], opts);
    return spawn(perl ?? 'perl', [script, ...args], opts);
  };
}

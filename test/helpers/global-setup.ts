import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test run gets a temporary folder of its own (TMPDIR, inherited by the test processes and the
 * CLI processes they start), removed when the run ends: the trees tests build and whatever a killed
 * scan leaves behind do not pile up in the machine's temporary folder.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-tests-'));
  // Open to traverse, as /tmp is: Dovecot, tmux and the permission tests run as other users.
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  // dsr erase keeps its audit signing key in the user's configuration folder: this run's own.
  process.env.XDG_CONFIG_HOME = join(dir, 'config');
  return () => rmSync(dir, { recursive: true, force: true });
}

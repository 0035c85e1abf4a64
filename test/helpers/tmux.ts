import { execFileSync, spawnSync } from 'node:child_process';

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A private tmux server (its own socket, so a test never touches anyone's sessions) holding one session
 * named `session`: its start, keys, the wait for its screen, and the server's end.
 */
export function privateTmux(name: string, session = 'review') {
  const socket = `dsr-${name}-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  // -J: a line the terminal wrapped (a long path) is read back whole.
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', session);
  /** Resolves with the screen once `ok` holds for it; throws with the screen after `timeoutMs`. */
  async function waitUntil(
    what: string,
    ok: (screen: string) => boolean,
    timeoutMs = 20_000,
  ): Promise<string> {
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      last = screen();
      if (ok(last)) return last;
      await pause(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
  }
  return {
    tmux,
    screen,
    waitUntil,
    waitForScreen: (text: string) => waitUntil(JSON.stringify(text), (s) => s.includes(text)),
    /** Runs a shell command in the session, on a terminal of `width` x `height`. */
    start(command: string, width = 100, height = 30): void {
      tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), command);
    },
    /** Keys one by one with a pause, as a person types (Ink needs the gap to tell keys apart). */
    async keys(...ks: string[]): Promise<void> {
      for (const k of ks) {
        tmux('send-keys', '-t', session, k);
        await pause(300);
      }
    },
    kill(): void {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    },
  };
}

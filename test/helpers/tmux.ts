import { execFileSync, spawnSync } from 'node:child_process';

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A private tmux server (its own socket, so a test never touches anyone's sessions) holding one session
 * named `session`: commands, the wait for a text on its screen, and the server's end.
 */
export function privateTmux(name: string, session = 'review') {
  const socket = `dsr-${name}-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return {
    tmux,
    /** Resolves with the screen once it shows `text`; throws with the screen after 20 s. */
    async waitForScreen(text: string): Promise<string> {
      const until = Date.now() + 20_000;
      let screen = '';
      while (Date.now() < until) {
        screen = tmux('capture-pane', '-p', '-J', '-t', session);
        if (screen.includes(text)) return screen;
        await pause(100);
      }
      throw new Error(`timed out waiting for ${JSON.stringify(text)}; the screen was:\n${screen}`);
    },
    kill(): void {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    },
  };
}

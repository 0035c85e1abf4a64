import { displayPath } from '../src/core/raw-path.js';

/**
 * Text for a terminal. A file name is anyone's to choose: ESC, BEL, CR or a C1 control in one would
 * reach the terminal as a command (recolour, retitle, rewrite the line shown, or worse), and a bidi
 * override would show the name reordered. Every line dsr prints goes through `escapeControls`, which
 * shows such characters as `\x1b`, `\x07`, `\x0d`, `\u202e`; only the line breaks dsr writes itself pass.
 * A name's bytes that are not UTF-8 (kept as lone surrogates, see raw-path.ts) are shown as `\xF8`.
 */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return displayPath(text).replace(CONTROLS, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** Writes `text` to a terminal stream (stdout, stderr) with every control character escaped. */
export function writeSafe(stream: NodeJS.WritableStream, text: string): void {
  stream.write(escapeControls(text));
}

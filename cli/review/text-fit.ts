import { escapeControls } from '../terminal.js';

/**
 * Cuts or pads a string to exactly `width` columns (the review screen has no double-width text to speak
 * of). Control characters (a file name may hold ESC) are shown escaped, never sent to the terminal.
 */
export function padCut(text: string, width: number): string {
  if (width <= 0) return '';
  const s = escapeControls(text);
  const chars = [...s];
  if (chars.length <= width) return s + ' '.repeat(width - chars.length);
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Keeps both ends of a long path: `home/anna/…/cv.pdf`. */
export function fitMiddle(text: string, width: number): string {
  const s = escapeControls(text);
  const chars = [...s];
  if (chars.length <= width) return s + ' '.repeat(Math.max(0, width - chars.length));
  if (width < 8) return padCut(s, width);
  const tail = Math.ceil((width - 1) * 0.6);
  const head = width - 1 - tail;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

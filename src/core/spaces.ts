/**
 * `text.slice(from, to).replace(/\s+/g, …)`, a run with a line break becoming `\n`, one with a tab `\t`,
 * any other a space; without the regex: a finding's context is made this way
 * ~100,000 times per worker in an inventory, and the replace was half of it (~0.4 µs of ~0.75). Runs of
 * white space are cut out by hand; a lone space is kept as it stands.
 */
export function collapseSpaces(text: string, from: number, to: number): string {
  return collapse(text, from, to);
}

/**
 * `JSON.stringify(head + collapseSpaces(text, from, to) + tail)` for a `head` and `tail` that need no
 * escaping: the collapsing loop also tells whether anything does (a quote, a backslash, a control
 * character, a surrogate), and most contexts are then quoted as they are (~0.3 µs less a finding).
 */
export function collapsedJson(text: string, from: number, to: number, head: string, tail: string): string {
  const s = collapse(text, from, to);
  return escapes ? JSON.stringify(`${head}${s}${tail}`) : `"${head}${s}${tail}"`;
}

/** Set by `collapse`: the text it returned holds a character that JSON escapes (or may: a surrogate). */
let escapes = false;

function collapse(text: string, from: number, to: number): string {
  let out = '';
  let kept = from;
  escapes = false;
  for (let i = from; i < to; ) {
    const c = text.charCodeAt(i);
    // Printable ASCII (most of any text) is never white space.
    if (c > 0x20 && c < 0x7f) {
      if (c === 0x22 || c === 0x5c) escapes = true;
      i++;
      continue;
    }
    if (!isSpace(c)) {
      if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) escapes = true;
      i++;
      continue;
    }
    // A run with a line break stands as one line break, one with a tab (a table's cells) as a tab, any
    // other as a space: lines and cells stay apart in a context.
    let brk = isBreak(c);
    let tab = c === 0x09;
    let j = i + 1;
    for (; j < to; j++) {
      const d = text.charCodeAt(j);
      if (!isSpace(d)) break;
      if (isBreak(d)) brk = true;
      else if (d === 0x09) tab = true;
    }
    const keep = brk ? 0x0a : tab ? 0x09 : 0x20;
    if (keep !== 0x20) escapes = true;
    if (c !== keep || j !== i + 1) {
      out += text.slice(kept, i) + String.fromCharCode(keep);
      kept = j;
    }
    i = j;
  }
  return kept === from ? text.slice(from, to) : out + text.slice(kept, to);
}

/** A line break (LF, VT, FF, CR, LS, PS). */
function isBreak(c: number): boolean {
  return (c >= 0x0a && c <= 0x0d) || c === 0x2028 || c === 0x2029;
}

/** What `\s` matches: ECMAScript's white space and line terminators. */
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

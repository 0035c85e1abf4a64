/**
 * `text.slice(from, to).replace(/\s+/g, ' ')`, without the regex: a finding's context is made this way
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
    let j = i + 1;
    while (j < to && isSpace(text.charCodeAt(j))) j++;
    if (c !== 0x20 || j !== i + 1) {
      out += `${text.slice(kept, i)} `;
      kept = j;
    }
    i = j;
  }
  return kept === from ? text.slice(from, to) : out + text.slice(kept, to);
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

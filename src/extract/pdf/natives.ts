/**
 * Built-ins that pdf.js's legacy build (through its core-js polyfills) replaces with JavaScript
 * versions in the thread that loads it, whatever the engine already provides. Its `Array.prototype.push`
 * alone took ~18 % of a PDF scan (and slowed every later file the same worker read); `JSON.parse` and
 * `Function.prototype.toString` are replaced the same way. Captured when this module loads, before
 * pdf.js ever does.
 */
const NATIVES: readonly [object, string, unknown][] = [
  [Array.prototype, 'push', Array.prototype.push],
  [JSON, 'parse', JSON.parse],
  [Function.prototype, 'toString', Function.prototype.toString],
];

/** Puts the engine's own built-ins back; pdf.js works with them as it does in a modern engine. */
export function restoreNatives(): void {
  for (const [owner, key, native] of NATIVES) {
    if ((owner as Record<string, unknown>)[key] !== native)
      Object.defineProperty(owner, key, {
        value: native,
        writable: true,
        enumerable: false,
        configurable: true,
      });
  }
}

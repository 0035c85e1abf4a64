// Captured before pdf.js is ever loaded in this file's thread: its legacy build replaces them.
const NATIVE_PUSH = Array.prototype.push;
const NATIVE_PARSE = JSON.parse;
const NATIVE_TO_STRING = Function.prototype.toString;

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS, findingLines, scanFile } from './documents-scan.js';

describe('reading a PDF', () => {
  it('leaves the engine’s own push, JSON.parse and Function toString in place', async () => {
    const r = await scanFile(join(DOCS, 'cv.pdf'));
    expect(findingLines(r).length).toBeGreaterThan(0);
    // pdf.js did load its polyfilled build here (it adds what Node 20 lacks) …
    expect(typeof (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64).toBe('function');
    // … and what it replaced is the engine's again.
    expect(Array.prototype.push).toBe(NATIVE_PUSH);
    expect(JSON.parse).toBe(NATIVE_PARSE);
    expect(Function.prototype.toString).toBe(NATIVE_TO_STRING);
  });
});

// Captured before pdf.js is ever loaded in this file's thread: its legacy build replaces them.
const NATIVE_PUSH = Array.prototype.push;
const NATIVE_PARSE = JSON.parse;
const NATIVE_TO_STRING = Function.prototype.toString;

import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import html from '../../src/extract/html/html.js';
import pdf from '../../src/extract/pdf/pdf.js';
import { tempTree } from '../helpers/cli.js';
import { DOCS, findingLines, scanFile } from '../helpers/documents-scan.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reading a PDF', () => {
  it('leaves the engine’s own push, JSON.parse and Function toString in place', async () => {
    // A PDF with XMP metadata: read by pdf.js, not the lean reader (cv.pdf no longer loads pdf.js).
    const r = await scanFile(join(DOCS, 'report-xmp.pdf'));
    expect(findingLines(r).length).toBeGreaterThan(0);
    // pdf.js did load its polyfilled build here (it adds what Node 20 lacks) …
    expect(typeof (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64).toBe('function');
    // … and what it replaced is the engine's again.
    expect(Array.prototype.push).toBe(NATIVE_PUSH);
    expect(JSON.parse).toBe(NATIVE_PARSE);
    expect(Function.prototype.toString).toBe(NATIVE_TO_STRING);
  });

  it('reads a PDF holding the subject once, with every detector (no anchor pass first)', async () => {
    const extract = vi.spyOn(pdf, 'extract');
    const r = await scanFile(join(DOCS, 'cv.pdf'));
    expect(r.findings.filter((f) => f.subject).length).toBeGreaterThan(0);
    expect(extract).toHaveBeenCalledTimes(1);
  });

  it('still reads cheap formats with the anchors first, and again in full on a hit', async () => {
    const extract = vi.spyOn(html, 'extract');
    const dir = tempTree({
      'profil.html': '<p>Kontakt Søren Østergård på <a href="mailto:x@y.dk">mail</a></p>',
    });
    const r = await scanFile(join(dir, 'profil.html'));
    expect(r.findings.filter((f) => f.subject).length).toBeGreaterThan(0);
    expect(extract).toHaveBeenCalledTimes(2);
  });
});

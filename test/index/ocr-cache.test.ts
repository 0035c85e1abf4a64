import { chmodSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * The index keeps OCR results: `dsr index` recognises a scanned page once, and a `scan --index` that
 * re-reads the file (a candidate) finds its pages in `INDEX.ocr/` instead of running tesseract again.
 * tesseract is counted through a wrapper named by DSR_TESSERACT. The kept results are sealed: the
 * folder holds no recognised text in clear.
 */
describe('OCR results kept by the index (built CLI)', { timeout: 240_000 }, () => {
  it('an unchanged scanned file is recognised once across dsr index and dsr scan --index', () => {
    const work = tempTree();
    const count = join(work, 'calls');
    writeFileSync(count, '');
    const wrapper = join(work, 'tesseract');
    writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${count}'\nexec tesseract "$@"\n`);
    chmodSync(wrapper, 0o755);
    const env = { ...process.env, DSR_TESSERACT: wrapper };
    const recognitions = () =>
      readFileSync(count, 'utf8')
        .split('\n')
        .filter((l) => l && l !== '--list-langs').length;

    const tree = tempTree();
    copyFileSync(join(PROJECT, 'fixtures/ocr/brev.png'), join(tree, 'brev.png'));
    const index = join(work, 'idx.db');
    expect(runCli(['index', tree, '--index', index, '--no-progress'], { env }).code).toBe(0);
    expect(recognitions()).toBe(1);

    const out = join(work, 'scan.json');
    const r = runCli(
      ['scan', tree, '--subject', writeSubject(work), '--index', index, '--out', out, '--no-progress'],
      { env },
    );
    expect(r.code).toBe(0);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanFile;
    expect(scan.findings.map((f) => `${f.detector} ${f.location.field} ${f.location.page}`).sort()).toEqual([
      'cpr ocr 1',
      'email ocr 1',
      'name ocr 1',
    ]);
    // Read again for its findings, not recognised again.
    expect(recognitions()).toBe(1);

    const kept = readdirSync(`${index}.ocr`);
    expect(kept).toHaveLength(1);
    const sealed = readFileSync(join(`${index}.ocr`, kept[0]));
    expect(sealed.toString('latin1')).not.toMatch(/ostergard|150387|Søren|S\\xc3\\xb8ren/);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { DOCS, scanFile } from '../helpers/documents-scan.js';

/** Deterministic damage: truncations and flipped bytes at spread-out positions. */
function mutants(data: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) out.push(data.subarray(0, Math.floor((data.length * (i + 1)) / (count + 1))));
    else {
      const m = Buffer.from(data);
      for (let k = 0; k < 1 + (i % 8); k++) m[next() % m.length] = next() & 0xff;
      out.push(m);
    }
  }
  return out;
}

describe('damaged documents and archives never crash the scan', () => {
  it.each([
    'notes.docx',
    'customers.xlsx',
    'slides.pptx',
    'minutes.odt',
    'bundle.zip',
    'backup.tar.gz',
    'cv.pdf',
  ])('%s: 24 damaged copies each end in findings and/or error entries', async (file) => {
    const dir = tempTree();
    const original = readFileSync(join(DOCS, file));
    let errors = 0;
    for (const [i, data] of mutants(original, 24).entries()) {
      const path = join(dir, `${i}-${file}`);
      writeFileSync(path, data);
      const r = await scanFile(path);
      for (const e of r.errors) expect(['corrupt', 'limit', 'unsupported', 'encrypted']).toContain(e.kind);
      errors += r.errors.length;
    }
    // Truncated copies at least are always reported.
    expect(errors).toBeGreaterThanOrEqual(8);
  });
});

describe('damaged legacy Office files and winmail.dat never crash the scan', () => {
  it.each(['notes.doc', 'kunder.xls', 'slides.ppt', 'winmail.dat'])(
    '%s: 24 damaged copies each end in findings and/or error entries',
    async (file) => {
      const dir = tempTree();
      const original = readFileSync(join(PROJECT, 'fixtures/formats', file));
      let errors = 0;
      for (const [i, data] of mutants(original, 24).entries()) {
        const path = join(dir, `${i}-${file}`);
        writeFileSync(path, data);
        const r = await scanFile(path);
        for (const e of r.errors) expect(['corrupt', 'limit', 'unsupported', 'encrypted']).toContain(e.kind);
        errors += r.errors.length;
      }
      expect(errors).toBeGreaterThanOrEqual(8);
    },
  );
});

/**
 * The README quick start: `dsr scan fixtures/demo --subject fixtures/demo/subject.json`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../fixtures/gen/demo.js';
import { PROJECT, runCli } from '../helpers/cli.js';

const DEMO = join(PROJECT, 'fixtures/demo');
const work = mkdtempSync(join(tmpdir(), 'dsr-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the quick start on fixtures/demo', () => {
  it('is what fixtures/gen/demo.ts generates (run `npm run fixtures demo` after editing it)', () => {
    expect(listFiles(DEMO)).toEqual(Object.keys(DEMO_FILES).sort());
    for (const [rel, content] of Object.entries(DEMO_FILES)) {
      expect(readFileSync(join(DEMO, rel), 'utf8'), rel).toBe(content);
    }
  });

  it('prints a readable, masked summary with each evidence level and writes the scan file', () => {
    const out = join(work, 'demo.scan.json');
    const r = runCli(['scan', 'fixtures/demo', '--subject', 'fixtures/demo/subject.json', '--out', out], {
      cwd: PROJECT,
    });
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    const evidence = Object.fromEntries(
      (s.items as { path: string; evidence: string }[]).map((i) => [relative(DEMO, i.path), i.evidence]),
    );
    expect(evidence).toEqual({
      'hr/ansaettelseskontrakt.txt': 'confirmed',
      'hr/personaleliste.csv': 'confirmed',
      'intranet/medarbejdere.html': 'confirmed',
      'kundeservice/crm-eksport.json': 'confirmed',
      'kundeservice/support.log': 'confirmed',
      'kundeservice/kundekartotek.txt': 'namesake',
      'projekter/referat.md': 'possible',
      'Søren_Østergård/billeder.txt': 'possible',
    });
    const detectors = new Set((s.findings as { detector: string }[]).map((f) => f.detector));
    expect([...detectors].sort()).toEqual(['cpr', 'email', 'name', 'phone']);
    expect(s.skippedFiles).toEqual([{ path: join(DEMO, 'subject.json'), reason: 'subject file' }]);
    expect(s.scanned).toHaveLength(Object.keys(DEMO_FILES).length - 1);

    expect(r.stdout).toContain("Items with the subject's data: 8");
    expect(r.stdout).toMatch(/confirmed +5/);
    expect(r.stdout).toMatch(/possible +2/);
    expect(r.stdout).toMatch(/namesake +1/);
    expect(r.stdout).toContain('S._Ø./billeder.txt');
    for (const raw of [
      '150387-1236',
      'soren.ostergard@',
      '21 43 65 87',
      'Søren',
      'Østergård',
      '010190-1234',
    ]) {
      expect(r.stdout).not.toContain(raw);
    }
  });
});

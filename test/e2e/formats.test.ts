import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * Legacy Office files, winmail.dat and vCard/iCalendar (fixtures/formats, written by
 * fixtures/gen/formats.ts) are searched by the built CLI: each one yields the subject's data, and a
 * damaged one is an error entry beside the others, never a crash.
 */
const FORMATS = join(PROJECT, 'fixtures/formats');

function scan(root: string): { code: number; scan: ScanFile } {
  const out = join(tempTree(), 'scan.json');
  const r = runCli(['scan', root, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress']);
  if (r.code !== 0 && r.code !== 3) throw new Error(`dsr scan exit ${r.code}: ${r.stderr}`);
  return { code: r.code, scan: JSON.parse(readFileSync(out, 'utf8')) };
}

describe('legacy Office, TNEF, vCard and iCalendar (built CLI)', () => {
  it('every file is searched and holds the subject; the scan exits 0', () => {
    const dir = tempTree();
    for (const f of readdirSync(FORMATS)) copyFileSync(join(FORMATS, f), join(dir, f));
    const { code, scan: s } = scan(dir);
    expect(s.errors).toEqual([]);
    expect(code).toBe(0);
    const files = new Map<string, Set<string>>();
    for (const f of s.findings) {
      const set = files.get(basename(f.path)) ?? new Set<string>();
      set.add(f.detector);
      files.set(basename(f.path), set);
    }
    const found = Object.fromEntries([...files].map(([file, d]) => [file, [...d].sort().join(' ')]));
    expect(found).toEqual({
      'calendar.ics': 'email name phone',
      'contacts.vcf': 'email name phone',
      'kunder.xls': 'cpr email name phone',
      'notes.doc': 'cpr email name phone',
      'slides.ppt': 'name phone',
      'winmail.dat': 'cpr email name phone',
      'winmail.eml': 'cpr email name phone',
    });
    const xlsCpr = s.findings.find((f) => basename(f.path) === 'kunder.xls' && f.detector === 'cpr');
    expect(xlsCpr?.location).toMatchObject({ field: 'sheet Kunder', line: 3 });
    const slide = s.findings.find((f) => basename(f.path) === 'slides.ppt' && f.detector === 'name');
    expect(slide?.location.field).toBe('slide 2');
  });

  it('a damaged .xls beside a good .doc: an error entry for it, the other read, exit 3', () => {
    const xls = readFileSync(join(FORMATS, 'kunder.xls'));
    const dir = tempTree({ 'kunder.xls': xls.subarray(0, 3000) });
    copyFileSync(join(FORMATS, 'notes.doc'), join(dir, 'notes.doc'));
    const { code, scan: s } = scan(dir);
    expect(code).toBe(3);
    expect(s.errors.map((e) => `${basename(e.path)} ${e.kind}`)).toEqual(['kunder.xls corrupt']);
    expect(new Set(s.findings.map((f) => basename(f.path)))).toEqual(new Set(['notes.doc']));
  });
});

/**
 * `dsr scan` end to end on CPR numbers as offices write them: with a non-breaking hyphen (U+2011) or an
 * en dash (U+2013, 0x96 in Windows-1252) the number is the same, in subject and `--all` mode alike, also
 * where the raw-byte prefilter and the digit-run reading of long texts decide; a birth date in the future
 * is no one's number. Runs the built CLI.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';

interface ScanJson {
  findings: { path: string; detector: string; value: string; subject: boolean }[];
  items: { path: string; evidence: string }[];
}

const filler = (bytes: number) => 'lorem ipsum dolor sit amet\n'.repeat(bytes / 27 + 1).slice(0, bytes);
const FILES: Record<string, string | Uint8Array> = {
  'non-breaking-hyphen.txt': 'Medarbejder, CPR 150387\u20111236\n',
  'en-dash.txt': 'CPR 150387\u20131236\n',
  'en-dash-1252.txt': iconv.encode('CPR 150387\u20131236 — løn 100 €\n', 'windows-1252'),
  // Past the size where texts are read by their digit runs, and past the first raw-byte block.
  'en-dash-late.log': `${filler(200_000)}\nCPR 150387\u20131236\n`,
  'others.txt': 'Karen 010190\u20131238; fremtid 230451-6782 og 230451\u20136782\n',
};
const DASHED = ['en-dash-1252.txt', 'en-dash-late.log', 'en-dash.txt', 'non-breaking-hyphen.txt'];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const temp = (files: Record<string, string | Uint8Array> = {}) => {
  const dir = tempTree(files);
  dirs.push(dir);
  return dir;
};

function scanOf(args: string[]): ScanJson {
  const tree = temp(FILES);
  const out = join(temp(), 'scan.json');
  const r = runCli(['scan', tree, ...args, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).not.toContain('150387');
  const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanJson;
  for (const f of scan.findings) f.path = f.path.slice(tree.length + 1);
  for (const i of scan.items) i.path = i.path.slice(tree.length + 1);
  return scan;
}

describe('dsr scan: CPR numbers with a non-breaking hyphen or an en dash, and future birth dates', () => {
  it("finds the subject's number written with U+2011 or an en dash (UTF-8 and Windows-1252) as confirmed", () => {
    const scan = scanOf(['--subject', writeSubject(temp(), { cpr: ['150387-1236'] })]);
    expect(scan.items.map((i) => [i.path, i.evidence]).sort()).toEqual(DASHED.map((p) => [p, 'confirmed']));
    const subjects = scan.findings.filter((f) => f.subject);
    expect(subjects.map((f) => [f.path, f.value]).sort()).toEqual(DASHED.map((p) => [p, '150387-1236']));
  });

  it('--all: each dashed number is one CPR finding with the usual value; a future birth date is none', () => {
    const scan = scanOf(['--all']);
    const cpr = scan.findings.filter((f) => f.detector === 'cpr').map((f) => [f.path, f.value]);
    expect(cpr.sort()).toEqual(
      [...DASHED.map((p) => [p, '150387-1236']), ['others.txt', '010190-1238']].sort(),
    );
    expect(scan.findings.filter((f) => f.value.startsWith('230451'))).toEqual([]);
  });
});

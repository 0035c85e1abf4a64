/**
 * The test tree mirrors the source tree (test/engine for src/engine, test/review for src/review and
 * cli/review, …), shared helpers live in test/helpers, and no test or fixture generator reads anything
 * outside the repository: `npm test` passes on a fresh clone with nothing beside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT } from '../helpers/cli.js';

const TEST = join(PROJECT, 'test');

/** Test folders named after a source folder, and where that source folder is. */
const MIRRORED: Record<string, string[]> = {
  cli: ['cli'],
  cluster: ['src/cluster'],
  core: ['src/core'],
  crawl: ['src/crawl'],
  detectors: ['detectors'],
  engine: ['src/engine'],
  erase: ['src/erase'],
  export: ['src/export'],
  extract: ['src/extract'],
  index: ['src/index'],
  io: ['src/io'],
  match: ['src/match'],
  report: ['src/report'],
  review: ['src/review', 'cli/review'],
  'scan-file': ['src/scan-file'],
  'byte-scan': ['src/byte-scan'],
};
/** Test folders that cut across the sources. */
const CROSSING: Record<string, string> = {
  e2e: 'whole flows through the built CLI (scan, review, report, plan, erase)',
  hostile: 'hostile input and hostile surroundings',
  docs: 'the documentation and its schemas agree with the code',
  meta: 'the project itself: this layout, CI',
};
const HELPERS = 'helpers';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
const isTest = (f: string) => /\.test\.tsx?$/.test(f);
const topFolder = (f: string) => relative(TEST, f).split(sep)[0];
const rel = (f: string) => relative(PROJECT, f);

describe('test layout', () => {
  it('every test file is in a folder that mirrors a source folder or in a cross-cutting one', () => {
    const allowed = new Set([...Object.keys(MIRRORED), ...Object.keys(CROSSING)]);
    const tests = files(TEST).filter(isTest);
    expect(tests.length).toBeGreaterThan(50);
    const misplaced = tests.filter((f) => !allowed.has(topFolder(f))).map(rel);
    expect(misplaced, `test files go under test/{${[...allowed].sort().join(',')}}/`).toEqual([]);
  });

  it('every module that is not a test is a helper in test/helpers', () => {
    const stray = files(TEST)
      .filter((f) => !isTest(f) && topFolder(f) !== HELPERS)
      .map(rel);
    expect(stray, 'move shared test code to test/helpers/').toEqual([]);
    expect(files(join(TEST, HELPERS)).filter(isTest).map(rel), 'no tests in test/helpers/').toEqual([]);
  });

  it('every mirrored folder names a source folder that exists, and every source folder has its tests', () => {
    for (const [folder, sources] of Object.entries(MIRRORED))
      for (const source of sources)
        expect(existsSync(join(PROJECT, source)), `${folder} -> ${source}`).toBe(true);
    const sourceFolders = readdirSync(join(PROJECT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `src/${d.name}`);
    const mirrored = new Set(Object.values(MIRRORED).flat());
    expect(sourceFolders.filter((s) => !mirrored.has(s))).toEqual([]);
    for (const folder of Object.keys(MIRRORED))
      expect(files(join(TEST, folder)).filter(isTest).length, `tests in test/${folder}`).toBeGreaterThan(0);
  });
});

/** Each relative path a file names: its imports, and paths joined to the project or to its own folder. */
function pathsNamed(file: string, text: string): { expr: string; target: string }[] {
  const here = dirname(file);
  const found: { expr: string; target: string }[] = [];
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/\bfrom '(\.[^']*)'/g, (m) => resolve(here, m[1])],
    [/\bimport\('(\.[^']*)'\)/g, (m) => resolve(here, m[1])],
    [/\b(?:join|resolve)\(PROJECT, '([^']*)'/g, (m) => resolve(PROJECT, m[1])],
    [/\b(?:join|resolve)\(import\.meta\.dirname, '([^']*)'/g, (m) => resolve(here, m[1])],
    [/\bnew URL\('([^']*)', import\.meta\.url\)/g, (m) => resolve(here, m[1])],
  ];
  for (const [re, target] of patterns)
    for (const m of text.matchAll(re)) found.push({ expr: m[0], target: target(m) });
  return found;
}

describe('nothing outside the repository', () => {
  // This file is left out: its own examples below name paths outside on purpose.
  const sources = [
    ...files(TEST),
    ...files(join(PROJECT, 'fixtures/gen')),
    join(PROJECT, 'fixtures/generate.ts'),
  ]
    .filter((f) => /\.(ts|tsx|mjs)$/.test(f))
    .filter((f) => f !== import.meta.filename);

  it('no test, helper or fixture generator names a path outside the repository', () => {
    const outside: string[] = [];
    let named = 0;
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const { expr, target } of pathsNamed(f, text)) {
        named++;
        if (!`${target}${sep}`.startsWith(`${PROJECT}${sep}`)) outside.push(`${rel(f)}: ${expr}`);
      }
      // The machine this project was first built on keeps shared files beside the checkout.
      if (/['"`]\/work\/|\.\.\/shared\//.test(text)) outside.push(`${rel(f)}: a path outside the checkout`);
    }
    expect(named).toBeGreaterThan(300);
    expect(outside).toEqual([]);
  });

  it('finds a path that climbs out of the repository (the check above can fail)', () => {
    const file = join(TEST, 'e2e/example.test.ts');
    const text = [
      "import { x } from '../../../sibling/x.js';",
      "const a = join(PROJECT, '../sibling/realdata');",
      "const b = join(import.meta.dirname, '../../../elsewhere');",
      "const c = join(PROJECT, 'fixtures/realdata');",
    ].join('\n');
    const outside = pathsNamed(file, text).filter((p) => !p.target.startsWith(`${PROJECT}${sep}`));
    expect(outside.map((p) => p.expr)).toEqual([
      "from '../../../sibling/x.js'",
      "join(PROJECT, '../sibling/realdata'",
      "join(import.meta.dirname, '../../../elsewhere'",
    ]);
  });

  it('the real-world files the tests read are in fixtures/realdata, with their source and licence', () => {
    const readme = readFileSync(join(PROJECT, 'fixtures/realdata/README.md'), 'utf8');
    expect(readme).toMatch(/https:\/\/github\.com\/exiftool\/exiftool/);
    expect(readme).toMatch(/commit `[0-9a-f]{40}`/);
    expect(readme).toMatch(/same terms as Perl itself/);
    expect(readdirSync(join(PROJECT, 'fixtures/realdata/exiftool-test-images'))).toHaveLength(194);
  });
});

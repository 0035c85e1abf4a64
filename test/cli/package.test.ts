/**
 * The package is publishable and runs from what it ships: `npm pack` takes the built dist/ (no build
 * step at install), the bin, docs and the changelog, and leaves out tests, fixtures and sources.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT } from '../helpers/cli.js';

interface Pack {
  files: { path: string }[];
}

describe('npm package', () => {
  it('ships dist/ with the bin and every module it imports, and no tests or fixtures', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ dsr: 'dist/cli/main.js' });
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: PROJECT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Pack[];
    const files = new Set(pack.files.map((f) => f.path));
    for (const f of ['package.json', 'README.md', 'dist/cli/main.js', 'docs/cli.md'])
      expect(files).toContain(f);
    for (const f of files)
      expect(f).not.toMatch(/^(test|fixtures|src|cli|dist\/test|dist\/fixtures|bench)\//);
    // Every relative import of a shipped module is shipped too.
    for (const f of files) {
      if (!f.endsWith('.js')) continue;
      const text = readFileSync(join(PROJECT, f), 'utf8');
      for (const m of text.matchAll(/(?:from |import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(f), m[1]));
        if (target === 'package.json') continue;
        expect(files, `${f} imports ${m[1]}`).toContain(target);
      }
    }
    expect(readFileSync(join(PROJECT, 'dist/cli/main.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(
      true,
    );
  });
});

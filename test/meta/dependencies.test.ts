import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** package.json follows the pinning policy written in docs/decisions/dependencies.md. */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const policy = readFileSync(new URL('../../docs/decisions/dependencies.md', import.meta.url), 'utf8');

/** The "Pins" table: package -> range. */
function pins(): Map<string, string> {
  const table = policy.slice(policy.indexOf('## Pins'));
  const rows = [...table.matchAll(/^\| ([@\w./-]+) \| `([^`]+)` \|/gm)];
  return new Map(rows.map((m) => [m[1], m[2]]));
}

describe('dependencies follow docs/decisions/dependencies.md', () => {
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  const table = pins();

  it('lists its pins in a table this test can read', () => {
    expect(table.get('mailparser')).toBe('3.9.31');
    expect(table.size).toBeGreaterThan(5);
  });

  it('every range is a caret range or a pin listed with its reason, and every listed pin is the one in package.json', () => {
    const unlisted = Object.entries(all).filter(
      ([name, range]) => !range.startsWith('^') && !table.has(name),
    );
    expect(unlisted).toEqual([]);
    const differing = [...table].filter(([name, range]) => all[name] !== range);
    expect(differing).toEqual([]);
  });

  it('keeps type packages out of the run-time dependencies', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => name.startsWith('@types/'))).toEqual([]);
  });
});

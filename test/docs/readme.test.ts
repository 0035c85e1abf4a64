/**
 * The README is a user's guide that stays short, and everything it and docs/ link to exists: files,
 * headings, the test files the Guarantees table names, and every flag the CLI's help prints.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, runCli } from '../helpers/cli.js';

const README = join(PROJECT, 'README.md');
const CLI_DOC = join(PROJECT, 'docs/cli.md');
const read = (file: string) => readFileSync(file, 'utf8');

/** The project's own Markdown: the README, the changelog and every page under docs/. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(PROJECT, 'docs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => join(e.parentPath, e.name));
  return [README, join(PROJECT, 'CHANGELOG.md'), ...docs].sort();
}

/** Markdown without fenced code blocks and inline code spans, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The link targets of a page, external ones left out. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** `file#anchor` from a page, resolved: what is missing, or undefined. */
function brokenLink(from: string, target: string): string | undefined {
  const [path, anchor] = target.split('#', 2);
  const file = path ? resolve(dirname(from), decodeURIComponent(path)) : from;
  if (!existsSync(file)) return `${target}: no file ${relative(PROJECT, file)}`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `${target}: an anchor into a non-Markdown file`;
  if (!anchors(read(file)).has(anchor))
    return `${target}: no heading #${anchor} in ${relative(PROJECT, file)}`;
  return undefined;
}

describe('README.md', () => {
  it('is at most 20 KB (20,000 bytes): details belong in docs/', () => {
    expect(statSync(README).size).toBeLessThanOrEqual(20_000);
  });

  it('links its Guarantees to docs/guarantees.md, whose table names only test files that exist', () => {
    const summary =
      read(README)
        .split(/^## Guarantees$/m)[1]
        ?.split(/^## /m)[0] ?? '';
    expect(summary).toContain('(docs/guarantees.md)');
    const section = read(join(PROJECT, 'docs/guarantees.md'));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| guarantee'));
    expect(rows.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const row of rows) {
      const proof = row.split(' | ').at(-1) ?? '';
      const files = [...proof.matchAll(/`(test\/[^`]+)`/g)].map((m) => m[1]);
      expect(files.length, `a row without a test file: ${row.slice(0, 80)}`).toBeGreaterThan(0);
      for (const file of files) if (!existsSync(join(PROJECT, file))) missing.push(file);
    }
    expect(missing).toEqual([]);
  });

  it('reaches every page under docs/ through its links', () => {
    const reached = new Set<string>([README]);
    const queue = [README];
    while (queue.length) {
      const page = queue.shift()!;
      for (const target of links(read(page))) {
        const [path] = target.split('#');
        if (!path) continue;
        let file = resolve(dirname(page), decodeURIComponent(path));
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'README.md');
        if (file.endsWith('.md') && existsSync(file) && !reached.has(file)) {
          reached.add(file);
          queue.push(file);
        }
      }
    }
    const unreached = markdownFiles().filter((f) => !reached.has(f));
    expect(unreached.map((f) => relative(PROJECT, f))).toEqual([]);
  });
});

describe('links in README.md, CHANGELOG.md and docs/', () => {
  it('every relative link resolves to an existing file and heading', () => {
    const broken: string[] = [];
    let count = 0;
    for (const file of markdownFiles()) {
      for (const target of links(read(file))) {
        count++;
        const problem = brokenLink(file, target);
        if (problem) broken.push(`${relative(PROJECT, file)}: ${problem}`);
      }
    }
    expect(count).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });

  it('the anchor check itself tells a heading from a missing one', () => {
    expect(
      anchors('## Scan file (`dsr.scan/1`)\n### The main thread scans too\n## Limits\n## Limits\n'),
    ).toEqual(new Set(['scan-file-dsrscan1', 'the-main-thread-scans-too', 'limits', 'limits-1']));
    expect(brokenLink(CLI_DOC, 'file-formats.md#scan-file-dsrscan1')).toBeUndefined();
    expect(brokenLink(CLI_DOC, 'file-formats.md#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink(CLI_DOC, 'no-such-page.md')).toMatch(/no file/);
  });
});

describe('docs/cli.md', () => {
  const doc = read(CLI_DOC);
  /** The part of cli.md under `## dsr <command>`, up to the next `## `. */
  const section = (command: string) =>
    doc.split(new RegExp(`^## dsr ${command}$`, 'm'))[1]?.split(/^## /m)[0] ?? '';

  for (const command of [
    'scan',
    'index',
    'review',
    'report',
    'export',
    'plan',
    'erase',
    'audit verify',
    'agent',
    'agent-role',
  ]) {
    it(`describes every flag that dsr ${command} --help prints, in its own section`, () => {
      const help = runCli([...command.split(' '), '--help']);
      expect(help.code, help.stderr).toBe(0);
      const options = help.stdout.split(/^Options:$/m)[1] ?? '';
      const flags = [...options.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)]
        .map((m) => ({ short: m[1], long: m[2] }))
        .filter((f) => f.long !== '--help');
      expect(flags.length).toBeGreaterThan(0);
      const text = section(command);
      expect(text, `no "## dsr ${command}" section in docs/cli.md`).not.toBe('');
      const missing = flags
        .filter(
          ({ short, long }) =>
            !new RegExp(`${long}(?![\\w-])`).test(text) ||
            (short !== undefined && !text.includes(`${short}, ${long}`)),
        )
        .map(({ short, long }) => (short ? `${short}, ${long}` : long));
      expect(missing).toEqual([]);
    });
  }
});

import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import type { Plan } from '../../src/erase/plan.js';
import { PROJECT, runCli, tempTree } from '../helpers/cli.js';
import { fileSha, readJson } from '../helpers/erase.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('a full erasure run over the fixture tree', () => {
  it('leaves the subject’s confirmed data only in manual/skipped items, and every other file byte-identical', () => {
    const dir = tempTree();
    const tree = join(dir, 'tree');
    for (const area of ['demo', 'documents', 'mail', 'media'])
      cpSync(join(PROJECT, 'fixtures', area), join(tree, area), { recursive: true });
    rmSync(join(tree, 'demo/subject.json'));
    const subject = join(PROJECT, 'fixtures/demo/subject.json');
    const before = new Map(allFiles(tree).map((f) => [f, fileSha(f)]));

    const scanPath = join(dir, 'scan.json');
    expect([0, 3]).toContain(runCli(['scan', tree, '--subject', subject, '--out', scanPath, '-j', '2']).code);
    const planPath = join(dir, 'plan.json');
    const planned = runCli([
      'plan',
      scanPath,
      '--out',
      planPath,
      '--include-possible',
      '--approve',
      '--approved-by',
      'DPO',
    ]);
    expect(planned.code).toBe(0);
    const plan = readJson<Plan>(planPath);
    const kinds = new Set(plan.actions.map((a) => a.kind));
    for (const k of [
      'delete-file',
      'delete-maildir-message',
      'remove-mbox-message',
      'redact-text',
      'remove-face-tags',
      'redact-office',
      'edit-archive',
      'manual',
    ])
      expect(kinds).toContain(k);

    const run = runCli(['erase', planPath, '--execute']);
    expect(run.code).toBe(5);
    const results = new Map<string, string[]>();
    for (const line of run.stdout.split('\n')) {
      const m = /^ {2}(\w+) +([\w-]+) +(\/\S.*?)(?: › .*)?$/.exec(line);
      if (m) results.set(m[3], [...(results.get(m[3]) ?? []), m[1]]);
    }
    const notDone = new Set([...results].filter(([, rs]) => rs.some((r) => r !== 'done')).map(([p]) => p));
    expect([...results.values()].flat().filter((r) => r === 'failed')).toEqual([]);

    const rescanPath = join(dir, 'rescan.json');
    expect([0, 3]).toContain(
      runCli(['scan', tree, '--subject', subject, '--out', rescanPath, '-j', '2']).code,
    );
    const rescan = readJson<ScanFile>(rescanPath);
    const leftConfirmed = rescan.items.filter((i) => i.evidence === 'confirmed' && !notDone.has(i.path));
    expect(leftConfirmed.map((i) => relative(tree, i.path))).toEqual([]);
    // The namesake's message in the mbox was not planned and is still there.
    expect(
      rescan.items.some(
        (i) => i.path.endsWith('archive.mbox') && i.itemPath[0] === 'message <mbox-4@example.com>',
      ),
    ).toBe(true);

    const touched = new Set(plan.actions.filter((a) => !notDone.has(a.path)).map((a) => a.path));
    for (const [file, sha] of before) {
      if (touched.has(file)) continue;
      expect({ file: relative(tree, file), sha: fileSha(file) }).toEqual({ file: relative(tree, file), sha });
    }
    expect(allFiles(tree).filter((f) => /\.dsr-|\.lock$|_exiftool_tmp/.test(f))).toEqual([]);
    expect(runCli(['audit', 'verify', join(dir, 'plan.audit.jsonl')]).code).toBe(0);
  }, 120_000);
});

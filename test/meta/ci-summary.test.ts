/**
 * CI (`.ci/run`) runs `npm test` (build, typecheck, lint, then vitest) and prints "N passed, N failed"
 * from vitest's JSON report with .ci/summary.mjs. A failed run must never read "0 failed", also when
 * vitest never ran because an earlier step failed and there is no report.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, tempTree } from '../helpers/cli.js';

const SUMMARY = join(PROJECT, '.ci/summary.mjs');

function summary(report: object | string | null, status: number) {
  const path = join(tempTree(), 'report.json');
  if (report !== null) writeFileSync(path, typeof report === 'string' ? report : JSON.stringify(report));
  const r = spawnSync(process.execPath, [SUMMARY, path, String(status)], { encoding: 'utf8' });
  return { line: r.stdout.trim(), code: r.status, stderr: r.stderr };
}

const file = (status: string, tests: string[]) => ({
  status,
  assertionResults: tests.map((s) => ({ status: s })),
});
const report = (passed: number, failed: number, files: object[] = [], extra: object = {}) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  testResults: files,
  ...extra,
});

describe('CI summary line', () => {
  it('counts passed and failed tests; a clean run exits 0', () => {
    expect(summary(report(12, 0, [file('passed', Array(12).fill('passed'))]), 0)).toMatchObject({
      line: '12 passed, 0 failed',
      code: 0,
    });
    expect(summary(report(10, 2, [file('failed', ['passed', 'failed', 'failed'])]), 1)).toMatchObject({
      line: '10 passed, 2 failed',
      code: 1,
    });
  });

  it('no report (build, typecheck or lint failed before vitest ran): 0 passed, 1 failed, and says why', () => {
    for (const r of [null, '', '{"not":"a report"}']) {
      const s = summary(r, 1);
      expect(s.line).toBe('0 passed, 1 failed');
      expect(s.code).toBe(1);
      expect(s.stderr).toMatch(/npm test stopped before the tests ran/);
    }
    // Even were npm test to exit 0 without a report, the run is not counted as passed.
    expect(summary(null, 0)).toMatchObject({ line: '0 passed, 1 failed', code: 1 });
  });

  it('a file whose hooks failed counts its skipped tests; a crash or a failed status counts at least 1', () => {
    expect(summary(report(3, 0, [file('failed', ['skipped', 'skipped'])]), 1).line).toBe(
      '3 passed, 2 failed',
    );
    expect(summary(report(3, 0, [file('failed', [])]), 1).line).toBe('3 passed, 1 failed');
    expect(summary(report(3, 0, [], { numRuntimeErrors: 1 }), 1).line).toBe('3 passed, 1 failed');
    expect(summary(report(3, 0), 2).line).toBe('3 passed, 1 failed');
  });
});

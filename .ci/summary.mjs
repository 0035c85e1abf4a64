// Prints CI's "N passed, N failed" line from vitest's JSON report and `npm test`'s exit status:
//   node .ci/summary.mjs REPORT STATUS
// Exits 1 when the run failed (a failed test, a crash, or no report at all), 0 otherwise.
import { readFileSync } from 'node:fs';

const [reportPath, statusArg] = process.argv.slice(2);
const status = Number(statusArg);

let r;
try {
  r = JSON.parse(readFileSync(reportPath, 'utf8'));
  if (!Array.isArray(r?.testResults)) throw new Error('not a vitest JSON report');
} catch {
  // `npm test` runs build, typecheck and lint before vitest: when one of them fails, vitest never
  // writes its report. That run has failed, with no test to count.
  console.error(
    `ci: no test report in ${reportPath}: npm test stopped before the tests ran (build, typecheck or lint failed: see above)`,
  );
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// A file whose hooks fail reports its tests as skipped, not failed: count those (or the file) as failed.
let lost = 0;
for (const f of r.testResults)
  if (f.status === 'failed')
    lost += Math.max(
      f.assertionResults.filter((t) => t.status !== 'passed' && t.status !== 'failed').length,
      f.assertionResults.some((t) => t.status === 'failed') ? 0 : 1,
    );
// A test process that crashed (a native abort) or an unhandled error fails the run without failing
// a test: counted as one failed, so that the line never reads 0 failed for a failed run.
const failed = r.numFailedTests + lost + (r.numRuntimeErrors ?? 0) || (status !== 0 ? 1 : 0);
console.log(`${r.numPassedTests} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

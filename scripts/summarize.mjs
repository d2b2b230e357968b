// Sum jest --json result files (one per suite run) into the single line CI reads: `N passed, N failed`.
// Exit status 1 when any file is missing, unreadable, reports a failure, or when no test ran at all.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let bad = false;
for (const f of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(f, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    // suites that failed to run (syntax errors, import failures) count as failures too
    failed += r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
    if (r.numPendingTests || r.numTodoTests) {
      console.error(`${f}: ${r.numPendingTests} skipped and ${r.numTodoTests} todo tests are not allowed`);
      bad = true;
    }
  } catch (e) {
    console.error(`${f}: no readable jest results (${e.message})`);
    bad = true;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || bad || passed === 0 ? 1 : 0;

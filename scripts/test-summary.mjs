// One closing line over every runner's results: "tests: N passed, N failed, N skipped".
// Exits non-zero when a result file is missing or anything failed.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = [];

const vitestFile = "test-results/vitest-results.json";
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, "utf8"));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
  // A file that failed to load has no tests to count; count it as a failure.
  failed += (v.testResults ?? []).filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
} else missing.push(vitestFile);

const e2eFile = "test-results/e2e-results.json";
if (existsSync(e2eFile)) {
  const s = JSON.parse(readFileSync(e2eFile, "utf8")).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
} else missing.push(e2eFile);

for (const m of missing) console.log(`missing results: ${m}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);

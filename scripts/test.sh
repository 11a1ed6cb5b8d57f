#!/usr/bin/env bash
# `npm test`: installs what is missing, then typecheck, unit, integration (real Kamailio) and
# e2e (Playwright + Debian Chromium against the headless host). Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
set -e
bash scripts/ensure-system-deps.sh
node scripts/ensure-deps.mjs
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== build"
node scripts/build.mjs
set +e
rm -rf test-results && mkdir -p test-results
echo "== unit + integration (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest-results.json
vitest_rc=$?
echo "== e2e (playwright)"
npx playwright test
e2e_rc=$?
node scripts/test-summary.mjs
summary_rc=$?
if [ $vitest_rc -ne 0 ] || [ $e2e_rc -ne 0 ] || [ $summary_rc -ne 0 ]; then exit 1; fi

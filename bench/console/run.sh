#!/usr/bin/env bash
# The console benchmark: 100,000 users in a real allot (build/allot), the
# console in Debian's Chromium. Writes bench/results/console.json; the
# table in bench/results/console.md is written from it by hand.
# Usage (from the repository root, after scripts/build.sh default):
#   bench/console/run.sh            # BENCH_USERS=100000 BENCH_RUNS=15
set -euo pipefail
cd "$(dirname "$0")/../../console"
[[ -d node_modules/@playwright/test ]] || npm ci --no-audit --no-fund --loglevel=error
# The benchmark's packages are the console's (one lockfile): Node's ES
# module resolution finds them through this link.
ln -sfn ../../console/node_modules ../bench/console/node_modules
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec npx playwright test -c ../bench/console/playwright.config.ts "$@"

#!/usr/bin/env bash
# The admin console's browser tests: Playwright (from console/'s npm
# lockfile) driving Debian's Chromium (/usr/bin/chromium; never a browser
# that Playwright would download) against the real allot binary of build/,
# which the suite starts and seeds itself (a district and a company).
# Screenshots of every screen land in console/test-results/screens/.
# Needs build/allot and the sample plugins: scripts/build.sh default.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x build/allot ]] || { echo "test-console: build/allot missing; run scripts/build.sh default" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "test-console: /usr/bin/chromium missing; ALLOT_WITH_TEST_TOOLS=1 scripts/install-deps.sh" >&2; exit 1; }
cd console
# CMake's build ran `npm ci` already; a checkout built elsewhere may not have.
[[ -d node_modules/@playwright/test ]] || npm ci --no-audit --no-fund --loglevel=error
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec npx playwright test "$@"

#!/usr/bin/env bash
# Installs what is missing, builds and runs every test: the normal build and
# the AddressSanitizer + UndefinedBehaviorSanitizer build (each with ctest),
# then a short bounded run of every fuzzer. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

ALLOT_WITH_TEST_TOOLS=1 scripts/install-deps.sh

echo "== build and test (RelWithDebInfo)"
scripts/build.sh default
ctest --preset default

echo "== build and test (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scripts/build.sh asan
ctest --preset asan

if [[ -x scripts/fuzz.sh ]]; then
  echo "== fuzzers (${ALLOT_FUZZ_SECONDS:-20} s each)"
  scripts/fuzz.sh "${ALLOT_FUZZ_SECONDS:-20}"
fi

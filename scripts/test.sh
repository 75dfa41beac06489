#!/usr/bin/env bash
# Installs what is missing, builds and runs every test: the normal build
# (ctest, then the suites that also run on PostgreSQL against a throwaway
# server), the admin console's browser tests (Playwright driving Debian's
# Chromium against the real binary), the AddressSanitizer +
# UndefinedBehaviorSanitizer build (ctest; without the console),
# then a short bounded run of every fuzzer. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

ALLOT_WITH_TEST_TOOLS=1 scripts/install-deps.sh

echo "== build and test (RelWithDebInfo)"
scripts/build.sh default
ctest --preset default

echo "== the same suites on PostgreSQL (a throwaway server)"
# What runs through the binary, the admin API and the licensing engine, on a
# real PostgreSQL server: every server and engine test gets a database of its
# own (tests/support/test_database.h). SQLite-only checks (query plans, the
# file's bytes) stay in the SQLite run. database_pg_test (the store's
# isolation, retries, notices) and multi_instance_test (40-way races over
# one to three instances, SIGKILL mid-burst) are what PostgreSQL is for.
pg_dir=$(mktemp -d /tmp/allot-pg-XXXXXX)
trap 'scripts/test-postgres.sh stop "$pg_dir"' EXIT
ALLOT_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir")
export ALLOT_TEST_PG_URL
for suite in server/database_pg_test server/bulk_test server/principal_cache_test \
             scim_api/scim_api_integration_test scim_api/scim_api_store_test hardening/hardening_test \
             admin/admin_api_test admin/admin_flows_test \
             admin/console_api_test \
             licensing/serve_admin_test licensing/serve_race_test licensing/seats_test \
             licensing/policy_reconcile_test licensing/concurrency_test licensing/expiry_test \
             licensing/family_swap_race_test licensing/multi_instance_test \
             licensing/serve_plugins_test licensing/evaluation_test \
             workflows/workflows_test operator/operator_api_test \
             webhooks/webhooks_test; do
  echo "-- $suite"
  build/tests/$suite --gtest_brief=1
done
unset ALLOT_TEST_PG_URL

echo "== the admin console in Chromium (Playwright: seed workflows, roles, axe)"
scripts/test-console.sh

echo "== build and test (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scripts/build.sh asan
ctest --preset asan

if [[ -x scripts/fuzz.sh ]]; then
  echo "== fuzzers (${ALLOT_FUZZ_SECONDS:-20} s each)"
  scripts/fuzz.sh "${ALLOT_FUZZ_SECONDS:-20}"
fi

#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset "fuzz", clang) — the SCIM parsers
# and the transport's request reader (http_request) — and runs each for
# SECONDS seconds (default 60). Exits non-zero on any finding; crashing
# inputs are left in build-fuzz/fuzz-artifacts/. New corpus entries go to
# build-fuzz/fuzz-corpus/<name>, never into the committed seed corpus.
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")/.."
fuzzers=(filter path patch json http_request)

cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target "${fuzzers[@]/#/fuzz_}"

mkdir -p build-fuzz/fuzz-artifacts
for name in "${fuzzers[@]}"; do
  work="build-fuzz/fuzz-corpus/${name}"
  mkdir -p "${work}"
  dict=()
  if [[ -f "tests/fuzz/${name}.dict" ]]; then dict=(-dict="tests/fuzz/${name}.dict"); fi
  echo "== fuzz_${name} for ${seconds}s"
  # A fixed seed (ALLOT_FUZZ_SEED, default 1) makes CI explore the same
  # inputs in the same order on every run, so a red CI means a change broke
  # something, not that a random walk got lucky; long local runs vary it.
  "build-fuzz/tests/fuzz/fuzz_${name}" "${dict[@]}" -seed="${ALLOT_FUZZ_SEED:-1}" \
    -max_total_time="${seconds}" -timeout=10 \
    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/fuzz-artifacts/${name}-" "${work}" "tests/fuzz/corpus/${name}" \
    2>&1 | tail -n 20
  status=${PIPESTATUS[0]}
  if [[ ${status} -ne 0 ]]; then
    echo "fuzz_${name} found a problem (exit ${status}); see build-fuzz/fuzz-artifacts/" >&2
    exit 1
  fi
done
echo "all fuzzers ran ${seconds}s without findings"

#!/usr/bin/env bash
# Installs what allot needs to build, test and serve on Debian 12, from
# Debian's packages only. Idempotent: installs nothing when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl openssl python3
  libcpp-httplib-dev nlohmann-json3-dev libssl-dev zlib1g-dev libbrotli-dev
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev
  prometheus-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# The admin console (console/) is built with Node.js and npm: Debian's when
# the machine has none (Debian 12: Node 18); a Node.js installed otherwise
# (e.g. NodeSource's, which bundles npm) is used as it is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
if [[ "${ALLOT_WITH_TEST_TOOLS:-0}" == 1 ]]; then
  # The fuzzers: clang and its libFuzzer runtime. PostgreSQL: a throwaway
  # server for the suites that run on both databases. Chromium (and fonts
  # for its screenshots): the console's Playwright suite drives it.
  packages+=(clang libclang-rt-14-dev postgresql chromium fonts-liberation)
fi
if [[ "${ALLOT_WITH_BENCH_TOOLS:-0}" == 1 ]]; then
  # bench/: wrk and the Python client of ../shared/bench/compare.py.
  packages+=(wrk python3-requests)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

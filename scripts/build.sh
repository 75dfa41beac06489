#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default" → build/).
# Further arguments name the targets to build (default: all).
# Usage: scripts/build.sh [PRESET] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
shift || true
# ccache, when the machine has it, makes rebuilds across checkouts cheap; CI
# works without it.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset "$preset" "${launcher[@]}" >/dev/null
targets=()
if (($# > 0)); then targets=(--target "$@"); fi
cmake --build --preset "$preset" --parallel "$(nproc)" "${targets[@]}"

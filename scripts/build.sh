#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default" → build/).
# Further arguments name the targets to build (default: all).
# Usage: scripts/build.sh [PRESET] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
shift || true
cmake --preset "$preset" >/dev/null
targets=()
if (($# > 0)); then targets=(--target "$@"); fi
cmake --build --preset "$preset" --parallel "$(nproc)" "${targets[@]}"

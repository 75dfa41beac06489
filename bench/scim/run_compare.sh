#!/bin/sh
# bench/scim/run_compare.sh — runs the shared SCIM side-by-side benchmark
# (../shared/bench/compare.py beside this checkout, see its README) against this build of
# allot and the SCIMMY peer, alternating workload by workload, and writes
# bench/results/scim-compare.json. Run from the repository root after
# `cmake --build build`.
#
#   PEER_DIR   a directory holding the SCIMMY peer with node_modules
#              (default: ../shared/bench/peers/scimmy; `npm ci` there first)
#   ALLOT      the allot binary (default ./build/allot)
#   BEFORE     another allot binary (e.g. a build of an older commit) that joins
#              the alternation as server "allot-before" on port 18444 (optional)
#   BEFORE_FIRST  1: allot-before runs before allot in each workload (default 0)
#   USERS      users to preload (default 100000)
#   W5_MAX     seconds allowed to each server's W5 (default 900; the peer
#              needs ~870 s for the remove phase at 10,000 members)
#   WORKLOADS  compare.py steps (default load,w2,w3,w4,w5,w1: all of them)
#   OUT        the JSON written (default bench/results/scim-compare.json)
#   EXTRA      further compare.py flags
set -eu
BENCH=${BENCH:-../shared/bench}
PEER_DIR=${PEER_DIR:-$BENCH/peers/scimmy}
ALLOT=${ALLOT:-./build/allot}
BEFORE=${BEFORE:-}
BEFORE_FIRST=${BEFORE_FIRST:-0}
USERS=${USERS:-100000}
W5_MAX=${W5_MAX:-900}
WORKLOADS=${WORKLOADS:-load,w2,w3,w4,w5,w1}
OUT=${OUT:-bench/results/scim-compare.json}
SCRATCH=${SCRATCH:-$(mktemp -d)}
export SCRATCH

# allot NAME BINARY PORT: the compare.py flags of one allot server.
allot() {
  set -- "$1" "$2" "$3" "$1-data"
  printf '%s\n' --server "$1=http://127.0.0.1:$3/scim/v2,@init" \
    --init "$1=rm -rf \"\$SCRATCH\"/$4 && $2 init --data-dir \"\$SCRATCH\"/$4" \
    --start "$1=$2 serve --data-dir $SCRATCH/$4 --listen 127.0.0.1:$3 --insecure-http"
}
AFTER_ARGS=$(allot allot "$ALLOT" 18443)
BEFORE_ARGS=""
if [ -n "$BEFORE" ]; then BEFORE_ARGS=$(allot allot-before "$BEFORE" 18444); fi
if [ "$BEFORE_FIRST" = 1 ]; then
  SERVERS=$(printf '%s\n%s' "$BEFORE_ARGS" "$AFTER_ARGS")
else
  SERVERS=$(printf '%s\n%s' "$AFTER_ARGS" "$BEFORE_ARGS")
fi
# One argument per line (the commands hold spaces, the paths none).
EXTRA_ARGS=$(printf '%s' "${EXTRA:-}" | tr ' ' '\n')
IFS='
'
# shellcheck disable=SC2086
exec python3 "$BENCH/compare.py" \
  --server scimmy=http://127.0.0.1:8081/scim/v2,bench-token \
  --start  scimmy="node $PEER_DIR/server.js --port 8081 --token bench-token" \
  $SERVERS \
  --baseline scimmy \
  --workloads "$WORKLOADS" --users "$USERS" --w5-max-seconds "$W5_MAX" \
  --out "$OUT" $EXTRA_ARGS

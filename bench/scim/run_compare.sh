#!/bin/sh
# bench/scim/run_compare.sh — runs the shared SCIM side-by-side benchmark
# (../shared/bench/compare.py beside this checkout, see its README) against this build of
# allot and the SCIMMY peer, alternating workload by workload, and writes
# bench/results/scim-compare.json. Run from the repository root after
# `cmake --build build`.
#
#   PEER_DIR   a directory holding the SCIMMY peer with node_modules
#              (default: ../shared/bench/peers/scimmy; `npm ci` there first)
#   USERS      users to preload (default 100000)
#   W5_MAX     seconds allowed to each server's W5 (default 900; the peer
#              needs ~870 s for the remove phase at 10,000 members)
#   WORKLOADS  compare.py steps (default load,w2,w3,w4,w5,w1: all of them)
#   EXTRA      further compare.py flags
set -eu
BENCH=${BENCH:-../shared/bench}
PEER_DIR=${PEER_DIR:-$BENCH/peers/scimmy}
USERS=${USERS:-100000}
W5_MAX=${W5_MAX:-900}
WORKLOADS=${WORKLOADS:-load,w2,w3,w4,w5,w1}
SCRATCH=${SCRATCH:-$(mktemp -d)}
export SCRATCH
exec python3 "$BENCH/compare.py" \
  --server scimmy=http://127.0.0.1:8081/scim/v2,bench-token \
  --start  scimmy="node $PEER_DIR/server.js --port 8081 --token bench-token" \
  --server allot=http://127.0.0.1:18443/scim/v2,@init \
  --init   allot='rm -rf "$SCRATCH"/allot-data && ./build/allot init --data-dir "$SCRATCH"/allot-data' \
  --start  allot="./build/allot serve --data-dir $SCRATCH/allot-data --listen 127.0.0.1:18443 --insecure-http" \
  --baseline scimmy \
  --workloads "$WORKLOADS" --users "$USERS" --w5-max-seconds "$W5_MAX" \
  --out bench/results/scim-compare.json ${EXTRA:-}

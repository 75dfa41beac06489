#!/bin/sh
# bench/http/run_transport_bench.sh — the transport benchmark. From the
# repository root after `scripts/build.sh default`:
#
#  1. GET /scim/v2/Users/{id} (wrk, keep-alive) against allot and against a
#     trivial cpp-httplib handler that answers a body of the same size from a
#     pool of the same size, alternating A, B, A, B… ROUNDS times in one run;
#     with BEFORE set (another allot binary, e.g. main's), that one joins the
#     alternation. Prints every round, the medians of requests/s and of each
#     server's CPU time per request (from /proc/PID/stat: on a shared box
#     the steadier measure of what a request costs).
#  2. Peak resident memory of allot under each flood (bench/http/flood_bench).
#
#   ALLOT      the allot binary (default ./build/allot)
#   BEFORE     an allot binary to compare with (optional)
#   ROUNDS     rounds of the alternation (default 5; 0 skips part 1)
#   DURATION   seconds per wrk run (default 10)
#   CONNS      wrk connections (default 16), THREADS wrk threads (default 2)
#   FLOODS     1 to run part 2 (default 1)
#   KEEPALIVE_CONNS  clients of the keep-alive flood (default 1000)
set -eu
ALLOT=${ALLOT:-./build/allot}
BEFORE=${BEFORE:-}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
FLOODS=${FLOODS:-1}
BUILD=$(dirname "$ALLOT")
WORK=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

wait_port() { # PORT
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start_allot() { # BINARY DIR PORT [ARGS…] -> sets LAST_PID
  bin=$1; dir=$2; port=$3; shift 3
  "$bin" serve --data-dir "$dir" --listen "127.0.0.1:$port" "$@" 2>"$dir/serve.log" &
  LAST_PID=$!
  PIDS="$PIDS $LAST_PID"
}

token_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

echo "== setup"
"$ALLOT" init --data-dir "$WORK/new" > "$WORK/new.json"
start_allot "$ALLOT" "$WORK/new" 18601 --insecure-http
NEW_PID=$LAST_PID
wait_port 18601
SCIM=$(token_of "$WORK/new.json" scim_token)
USER='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench.user@example.com","name":{"givenName":"Bench","familyName":"User"},"emails":[{"value":"bench.user@example.com","type":"work","primary":true}],"active":true}'
ID=$(curl -s -H "Authorization: Bearer $SCIM" -H 'Content-Type: application/scim+json' \
  -d "$USER" http://127.0.0.1:18601/scim/v2/Users | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SIZE=$(curl -s -H "Authorization: Bearer $SCIM" "http://127.0.0.1:18601/scim/v2/Users/$ID" | wc -c)
echo "user $ID, body $SIZE bytes"

"$BUILD/bench/http/trivial_httplib_server" 18602 "$SIZE" 32 > /dev/null &
TRIVIAL_PID=$!
PIDS="$PIDS $TRIVIAL_PID"
wait_port 18602 || true

if [ -n "$BEFORE" ]; then
  "$BEFORE" init --data-dir "$WORK/old" > "$WORK/old.json"
  start_allot "$BEFORE" "$WORK/old" 18603 --insecure-http
  OLD_PID=$LAST_PID
  wait_port 18603
  OLD_SCIM=$(token_of "$WORK/old.json" scim_token)
  OLD_ID=$(curl -s -H "Authorization: Bearer $OLD_SCIM" -H 'Content-Type: application/scim+json' \
    -d "$USER" http://127.0.0.1:18603/scim/v2/Users | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_wrk() { # NAME URL TOKEN PID — requests/s, and the server's CPU time per request
  t0=$(cpu_ticks "$4")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $3" "$2" 2>&1)
  t1=$(cpu_ticks "$4")
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  count=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(python3 -c "print(round(($t1 - $t0) * 1e6 / $(getconf CLK_TCK) / $count, 1))")
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "$1 $rate $cpu $errors" | tee -a "$WORK/rates"
}

if [ "$ROUNDS" -gt 0 ]; then
echo "== GET /scim/v2/Users/{id}: $ROUNDS rounds, wrk -t$THREADS -c$CONNS -d${DURATION}s"
for r in $(seq 1 "$ROUNDS"); do
  run_wrk allot "http://127.0.0.1:18601/scim/v2/Users/$ID" "$SCIM" "$NEW_PID"
  run_wrk trivial-httplib "http://127.0.0.1:18602/scim/v2/Users/$ID" none "$TRIVIAL_PID"
  if [ -n "$BEFORE" ]; then
    run_wrk allot-before "http://127.0.0.1:18603/scim/v2/Users/$OLD_ID" "$OLD_SCIM" "$OLD_PID"
  fi
done
python3 - "$WORK/rates" <<'PY'
import statistics, sys
rates, cpus = {}, {}
for line in open(sys.argv[1]):
    name, rate, cpu = line.split()[:3]
    rates.setdefault(name, []).append(float(rate))
    cpus.setdefault(name, []).append(float(cpu))
med = {k: statistics.median(v) for k, v in rates.items()}
for k, v in rates.items():
    print(f"{k:16} median {med[k]:>8.0f} req/s, {statistics.median(cpus[k]):>6.1f} us CPU/request"
          f"   rounds: {', '.join(f'{x:.0f}' for x in v)}")
print(f"allot / trivial-httplib = {med['allot'] / med['trivial-httplib']:.2f}")
if 'allot-before' in med:
    print(f"allot / allot-before    = {med['allot'] / med['allot-before']:.2f}")
PY
fi

if [ "$FLOODS" = 1 ]; then
  echo "== peak resident memory under floods (growth over the resident size before)"
  "$BUILD/bench/http/flood_bench" 18601 "$NEW_PID" header 50
  "$BUILD/bench/http/flood_bench" 18601 "$NEW_PID" chunked-noauth 50
  "$BUILD/bench/http/flood_bench" 18601 "$NEW_PID" chunked 8 "$SCIM"
  "$BUILD/bench/http/flood_bench" 18601 "$NEW_PID" slowloris 2000 "" 5
  "$BUILD/bench/http/flood_bench" 18601 "$NEW_PID" keepalive "${KEEPALIVE_CONNS:-1000}" "$SCIM" 10
  "$ALLOT" init --data-dir "$WORK/tls" > /dev/null
  start_allot "$ALLOT" "$WORK/tls" 18604
  TLS_PID=$LAST_PID
  sleep 1
  "$BUILD/bench/http/flood_bench" 18604 "$TLS_PID" idle-tls 2000 "" 5
fi

#!/bin/sh
# bench/http/run_post_bench.sh — POST /scim/v2/Users (the SCIM comparison's
# W1: ../shared/bench/wrk/create_users.lua, a unique userName per request,
# wrk -t2 -c16) against several allot builds in one run. Each build gets a
# fresh data directory and server; the builds take turns, and the order
# rotates every round, so drift on a shared machine hits all alike. Prints
# every run, then per build the median requests/s and the median of the
# server's own CPU time per POST (from /proc/PID/stat: the steadier measure
# on a shared box), and both as ratios to the first build.
#
#   sh bench/http/run_post_bench.sh NAME=BINARY [NAME=BINARY…]
#
#   ROUNDS    rounds (default 4); DURATION  seconds per wrk run (default 10)
#   CONNS     wrk connections (default 16)
#   BENCH     the shared benchmark folder with wrk/ (default ../shared/bench)
set -eu
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
BENCH=${BENCH:-../shared/bench}
SCRIPT=$(cd "$BENCH/wrk" && pwd)/create_users.lua
WORK=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

port=18650
for spec in "$@"; do
  name=${spec%%=*}
  bin=${spec#*=}
  port=$((port + 1))
  "$bin" init --data-dir "$WORK/$name" > "$WORK/$name.json" 2>/dev/null
  "$bin" serve --data-dir "$WORK/$name" --listen "127.0.0.1:$port" --insecure-http \
    2> "$WORK/$name.log" &
  PIDS="$PIDS $!"
  token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scim_token"])' \
    "$WORK/$name.json")
  echo "$name $port $! $token" >> "$WORK/servers"
done
sleep 2

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "load before: $(uptime)"
n=$(wc -l < "$WORK/servers")
r=0
while [ "$r" -lt "$ROUNDS" ]; do
  r=$((r + 1))
  k=$(((r - 1) % n))
  { tail -n +$((k + 1)) "$WORK/servers"; head -n "$k" "$WORK/servers"; } > "$WORK/order"
  while read -r name port pid token; do
    t0=$(cpu_ticks "$pid")
    out=$(BENCH_TOKEN=$token BENCH_PREFIX="r$r-" BENCH_CREATE_MODE=w1 BENCH_THREADS=2 \
      BENCH_OUT_DIR="$WORK" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$SCRIPT" \
      "http://127.0.0.1:$port" 2>&1)
    t1=$(cpu_ticks "$pid")
    rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    count=$(echo "$out" | awk '/requests in/ {print $1}')
    ms=$(python3 -c "print(round(($t1 - $t0) * 1e3 / $(getconf CLK_TCK) / $count, 3))")
    statuses=$(echo "$out" | grep -o '"statuses":{[^}]*}' | head -1)
    echo "$name $rate $ms $statuses" | tee -a "$WORK/rates"
  done < "$WORK/order"
done
echo "load after: $(uptime)"

python3 - "$WORK/rates" "${1%%=*}" <<'PY'
import statistics, sys
rates, cpus = {}, {}
for line in open(sys.argv[1]):
    name, rate, cpu = line.split()[:3]
    rates.setdefault(name, []).append(float(rate))
    cpus.setdefault(name, []).append(float(cpu))
first = sys.argv[2]
r0, c0 = statistics.median(rates[first]), statistics.median(cpus[first])
for name in rates:
    r, c = statistics.median(rates[name]), statistics.median(cpus[name])
    print(f"{name:14} median {r:7.0f} POST/s ({r / r0:.2f}x {first}), "
          f"{c:.3f} ms CPU/POST ({c / c0:.2f}x)   rounds: "
          + ", ".join(f"{x:.0f}" for x in rates[name]))
PY

#!/usr/bin/env bash
# bench/postgres/run.sh — several allot instances on one PostgreSQL database
# under load: POST /Users, GET by id, SCIM group joins with licensing, and a
# contention of CONNECTIONS clients on one 10-seat pool, each over 1, 2 and 3
# instances (a fresh database per run, on a throwaway server started by
# scripts/test-postgres.sh). Prints one JSON line per run (load_bench.cc),
# with the load average of the machine when it started.
#
#   scripts/build.sh default allot group_map load_bench
#   bench/postgres/run.sh [SECONDS=10] [CONNECTIONS=40] [INSTANCES="1 2 3"] [WORKLOADS="create get join contend"]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-40}
instance_counts=${3:-1 2 3}
workloads=${4:-create get join contend}
allot=${ALLOT_BIN:-$PWD/build/allot}  # ALLOT_BIN: another build to compare
load=$PWD/build/bench/postgres/load_bench
plugins=$PWD/build/plugins

work=$(mktemp -d /tmp/allot-pgbench-XXXXXX)
chmod 755 "$work"  # the server runs as the postgres user when we are root
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_servers
  scripts/test-postgres.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
url=$(scripts/test-postgres.sh start "$work/pg")
base=${url%/postgres}

mkdir -p "$work/policies"
rules=$(for g in $(seq 1 20); do printf '{"group":"Class %d","subscription":"lit"},' "$g"; done)
printf '{"name":"classes","plugin":"group_map","priority":10,"config":{"rules":[%s]}}' \
  "${rules%,}" >"$work/policies/classes.json"
# 64 workers (and so 68 database connections per instance): 40 clients on
# one instance never wait for a worker, so what is measured is the database.
echo '{"threads": 64}' >"$work/serve.json"

run=0
for n in $instance_counts; do
  for workload in $workloads; do
    run=$((run + 1))
    db="bench_${run}"
    psql -q "$url" -c "CREATE DATABASE $db" >/dev/null
    dir="$work/data-$run"
    tokens=$("$allot" init --data-dir "$dir" --db "$base/$db" 2>>"$work/init.log")
    admin=$(jq -r .admin_token <<<"$tokens")
    scim=$(jq -r .scim_token <<<"$tokens")
    targets=""
    for i in $(seq 1 "$n"); do
      port=$((18400 + i))
      "$allot" serve --data-dir "$dir" --db "$base/$db" --listen "127.0.0.1:$port" --insecure-http \
        --config "$work/serve.json" --policies "$work/policies" --plugins "$plugins" \
        2>>"$work/serve-$run-$i.log" &
      pids+=($!)
      targets+="127.0.0.1:$port,"
      for _ in $(seq 1 200); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] && break
        sleep 0.1
      done
    done
    first="http://127.0.0.1:18401"
    auth=(-H "Authorization: Bearer $admin" -H "Content-Type: application/json")
    curl -sf "${auth[@]}" -d '{"id":"p-lit","name":"Literacy"}' "$first/admin/v1/products" >/dev/null
    curl -sf "${auth[@]}" -d '{"id":"lit","product_id":"p-lit","seats":1000000}' \
      "$first/admin/v1/subscriptions" >/dev/null
    curl -sf "${auth[@]}" -d '{"id":"p-pool","name":"Pool"}' "$first/admin/v1/products" >/dev/null
    curl -sf "${auth[@]}" -d '{"id":"pool","product_id":"p-pool","seats":10}' \
      "$first/admin/v1/subscriptions" >/dev/null
    loadavg=$(cut -d' ' -f1 /proc/loadavg)
    "$load" --targets "${targets%,}" --admin "$admin" --scim "$scim" --workload "$workload" \
      --connections "$connections" --seconds "$seconds" |
      jq -c --arg load "$loadavg" '. + {loadavg_at_start: ($load | tonumber)}'
    # Every stderr line of every instance must be JSON.
    if ! cat "$work"/serve-"$run"-*.log | jq -e . >/dev/null 2>&1; then
      echo "{\"warning\":\"run $run: a server wrote a line that is not JSON\"}"
    fi
    stop_servers
  done
done

#!/usr/bin/env bash
# bench/postgres/reconcile.sh — the licensing engine's full reconcile
# (bench/licensing/reconcile_bench.cc) on PostgreSQL (a throwaway server,
# scripts/test-postgres.sh) and on SQLite, same users, groups and policies.
# Prints reconcile_bench's JSON lines for each; on PostgreSQL it adds the
# CPU the server's processes spent (the bench's own cpu_seconds count only
# the client process).
#
#   scripts/build.sh default reconcile_bench group_map attribute_rules
#   bench/postgres/reconcile.sh [USERS=1000000] [GROUPS=1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-1000000}
groups=${2:-1000}
bench=${RECONCILE_BENCH:-$PWD/build/bench/licensing/reconcile_bench}  # RECONCILE_BENCH: a copy, or another build

work=$(mktemp -d /tmp/allot-pgreconcile-XXXXXX)
chmod 755 "$work"  # the server runs as the postgres user when we are root
trap 'scripts/test-postgres.sh stop "$work/pg" || true; rm -rf "$work"' EXIT
url=$(scripts/test-postgres.sh start "$work/pg")
psql -q "$url" -c "CREATE DATABASE reconcile" >/dev/null

# CPU seconds of the cluster: the postmaster's reaped children plus the live ones.
tick=$(getconf CLK_TCK)
pg_cpu() {
  local master total=0
  master=$(head -n 1 "$work/pg/data/postmaster.pid")
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$master/stat")
  for child in $(pgrep -P "$master"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

echo "{\"run\":\"postgresql\",\"users\":$users,\"groups\":$groups,\"loadavg_at_start\":$(cut -d' ' -f1 /proc/loadavg)}"
before=$(pg_cpu)
"$bench" "$users" "$groups" "${url%/postgres}/reconcile"
after=$(pg_cpu)
echo "{\"postgresql_server_cpu_seconds_whole_run\":$(echo "($after - $before) / $tick" | bc -l)}"

echo "{\"run\":\"sqlite\",\"users\":$users,\"groups\":$groups,\"loadavg_at_start\":$(cut -d' ' -f1 /proc/loadavg)}"
"$bench" "$users" "$groups"

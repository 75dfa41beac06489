#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, in its own directory, on a
# loopback port, owned by the `postgres` system user when run as root
# (initdb refuses root).
#
#   scripts/test-postgres.sh start DIR   prints the URL for ALLOT_TEST_PG_URL
#   scripts/test-postgres.sh stop DIR
# The port is the first free one from 55432 on.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U allot --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    for port in $(seq 55432 55531); do
      # Something answers there already: try the next port.
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
      # Two allot processes (36 connections each) plus the tests' own.
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
        "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" \
        start >/dev/null; then
        echo "postgresql://allot@127.0.0.1:$port/postgres"
        exit 0
      fi
      grep -q "Address already in use" "$dir/server.log" || break
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 &&
      [[ -f "$dir/data/postmaster.pid" ]]; then
      # Never leave a server behind holding the port: stop it by its pid.
      kill -QUIT "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# One step to a working server: installs what is missing, builds, creates
# ./data on first run (database, tenant, tokens, sample catalog) and serves
# HTTPS on 127.0.0.1:8443 with the sample policies and plugins.
# Ctrl-C stops it gracefully. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="${ALLOT_DATA_DIR:-$root/data}"
listen="${ALLOT_LISTEN:-127.0.0.1:8443}"

scripts/install-deps.sh
# Only what serving needs: the binary and the sample plugins.
scripts/build.sh default allot group_map attribute_rules

first_run=0
if [[ ! -f "$data/allot.db" ]]; then
  # Before mkdir: the directory and credentials.json are private (0700/0600).
  umask 077
  mkdir -p "$data"
  build/allot init --data-dir "$data" > "$data/credentials.json"
  first_run=1
fi
admin_token=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["admin_token"])' "$data/credentials.json")
scim_token=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["scim_token"])' "$data/credentials.json")

build/allot serve --data-dir "$data" --listen "$listen" \
  --policies "$root/policies" --plugins "$root/build/plugins" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM

base="https://$listen"
for _ in $(seq 1 100); do
  curl -sfk "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit 1; }
  sleep 0.1
done

if [[ $first_run == 1 && -x scripts/seed-sample-catalog.sh ]]; then
  ADMIN_TOKEN="$admin_token" BASE="$base" scripts/seed-sample-catalog.sh >/dev/null
fi

cat >&2 <<MSG

allot is serving on $base (self-signed certificate in $data/certs/cert.pem)
  admin token: $admin_token
  SCIM token:  $scim_token
  (both are also in $data/credentials.json, readable only by you)

Try:
  curl -k -H "Authorization: Bearer $scim_token" $base/scim/v2/ServiceProviderConfig
  curl -k -H "Authorization: Bearer $admin_token" $base/admin/v1/whoami

Ctrl-C stops the server.

Admin console: $base/console/  (sign in with the admin token above)
MSG
wait $pid

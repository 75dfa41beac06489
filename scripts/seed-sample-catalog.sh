#!/usr/bin/env bash
# Creates the products and subscriptions that the sample policies in
# policies/ name, through the admin API, so a fresh server licenses users as
# soon as an IdP pushes them. Idempotent: an existing id answers 409, which
# is fine here. Needs ADMIN_TOKEN and BASE (e.g. https://127.0.0.1:8443).
set -euo pipefail
: "${ADMIN_TOKEN:?set ADMIN_TOKEN to a Global administrator token}"
: "${BASE:?set BASE to the server, e.g. https://127.0.0.1:8443}"

post() {
  local status
  status=$(curl -sk -o /dev/null -w '%{http_code}' -X POST "$BASE/admin/v1/$1" \
    -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$2")
  case "$status" in
    201|409) ;;
    *) echo "seed: POST /admin/v1/$1 answered $status" >&2; return 1 ;;
  esac
}

post products '{"id":"literacy","name":"Pre-K Literacy"}'
post products '{"id":"crm","name":"CRM Suite"}'
post products '{"id":"learning-premium","name":"Learning Premium","family":"learning"}'
post subscriptions '{"id":"lit-2026","product_id":"literacy","seats":100}'
post subscriptions '{"id":"crm-2026","product_id":"crm","seats":50}'
post subscriptions '{"id":"learning-premium","product_id":"learning-premium","seats":25}'
echo "seed: sample catalog ready (lit-2026, crm-2026, learning-premium)"

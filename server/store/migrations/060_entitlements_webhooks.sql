-- Entitlements and webhooks for the vendor's product apps (issue 13).

-- App tokens: a product app's bearer token, for /entitlements/v1 only, bound
-- to one tenant. Stored as SHA-256 only, like every token. `products` is the
-- canonical comma-separated list of product ids the token may ask about
-- (NULL: every product of the tenant).
CREATE TABLE app_tokens (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  products TEXT,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX app_tokens_by_hash ON app_tokens(token_hash);

-- Webhook endpoints. `events`: comma-separated event types. `secret`: the
-- signing secret ("whsec_" + base64). It must stay readable for the server
-- to sign (HMAC), so it is protected like the rest of the database: the
-- file modes of the data directory, or PostgreSQL's access control (see
-- docs/integration.md); no API shows it after POST.
CREATE TABLE webhooks (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- The outbox: one row per event, written in the transaction of the change
-- that caused it (only when the tenant has a webhook that wants it). `body`
-- is the JSON body sent.
CREATE TABLE webhook_events (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT,
  occurred_at TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_events_by_time ON webhook_events(occurred_at);

-- One row per event and webhook that wants it, written with the event; ids
-- grow in the order events were written. order_key: the user the event is
-- about ("" when none): a delivery is not sent while an earlier one of the
-- same webhook and order_key is pending. status: pending | delivered |
-- failed. A worker claims a pending delivery by setting lease_owner and
-- lease_until; a lease that ran out (a process that died) makes it
-- claimable again. No foreign key to webhooks: deleting a webhook must never
-- make a concurrent licensing change fail; deliveries left without their
-- webhook are dropped by the worker.
CREATE TABLE webhook_deliveries (
  id {{serial_primary_key}},
  tenant_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  order_key TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  last_status BIGINT,
  last_error TEXT,
  next_attempt_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
-- Due pending deliveries, oldest first (the worker's claim).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id)
  WHERE status = 'pending';
-- The pending deliveries of one webhook and user, in order.
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(tenant_id, webhook_id, order_key, id)
  WHERE status = 'pending';
-- GET /webhooks/{id}/deliveries.
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(tenant_id, webhook_id, id);
-- Pruning: finished deliveries past the retention, then events without one.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries(finished_at)
  WHERE finished_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries(tenant_id, event_id);

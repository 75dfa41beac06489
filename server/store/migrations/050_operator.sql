-- The operator API (issue 12): the vendor's tokens, tenants it can suspend
-- and whose catalog it runs, and the terms of subscriptions.
--
-- Operator tokens belong to no tenant: they work only under /operator/v1
-- and on /metrics. Like every token they are stored as their SHA-256 only.
CREATE TABLE operator_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE UNIQUE INDEX operator_tokens_by_hash ON operator_tokens(token_hash);

-- name: the customer's name (NULL for tenants made by `allot init`: shown as
-- the id). status: active | suspended. self_managed_catalog: 1 when the
-- tenant's Global admin manages products, subscriptions, seats and terms
-- (tenants of `allot init`), 0 when the operator does (POST /tenants).
ALTER TABLE tenants ADD COLUMN name TEXT;
ALTER TABLE tenants ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE tenants ADD COLUMN self_managed_catalog INTEGER NOT NULL DEFAULT 1;

-- Terms (RFC 3339 UTC, NULL: unbounded). expired_at is set, once, by the
-- expiry sweep that ended every assignment at ends_at; moving ends_at later
-- clears it. The conditional UPDATE on it makes the sweep happen exactly
-- once with several instances.
ALTER TABLE subscriptions ADD COLUMN starts_at TEXT;
ALTER TABLE subscriptions ADD COLUMN ends_at TEXT;
ALTER TABLE subscriptions ADD COLUMN expired_at TEXT;
CREATE INDEX subscriptions_ending ON subscriptions(ends_at) WHERE ends_at IS NOT NULL;

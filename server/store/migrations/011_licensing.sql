-- Licensing: products, subscriptions (seat pools), assignments (user x
-- subscription, active or pending), administrator overrides, the last good
-- grants of each policy, and the history of every seat a user held.
CREATE TABLE products (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  family TEXT,                     -- exclusive family: at most one license of it per user
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- `assigned` is the number of active assignments, kept in step by the
-- conditional UPDATE that takes a seat (assigned < seats) and the one that
-- gives it back; the CHECK is the last line of defence of the invariant.
CREATE TABLE subscriptions (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  seats BIGINT NOT NULL,
  assigned BIGINT NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES products(tenant_id, id),
  CHECK (seats >= 0 AND assigned >= 0 AND assigned <= seats)
);
CREATE INDEX subscriptions_by_product ON subscriptions(tenant_id, product_id);

-- sources: the canonical, sorted, comma-separated list of what wants the
-- license ("admin", "policy:<name>"). wanted_since orders the pending queue
-- (FIFO, then user_id).
CREATE TABLE assignments (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  state TEXT NOT NULL,             -- active | pending
  sources TEXT NOT NULL,
  wanted_since TEXT NOT NULL,
  pending_reason TEXT,
  activated_at TEXT,
  PRIMARY KEY (tenant_id, user_id, subscription_id),
  FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions(tenant_id, id)
);
CREATE INDEX assignments_queue ON assignments(tenant_id, subscription_id, state, wanted_since, user_id);

CREATE TABLE overrides (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  kind TEXT NOT NULL,              -- grant | deny
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, subscription_id),
  FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions(tenant_id, id)
);

-- The last good grants of each policy per user: a policy that fails keeps
-- these, so a failure never takes a seat away.
CREATE TABLE policy_grants (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  priority BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, policy_name, subscription_id)
);

-- One row per period a user held a seat (active); kept after the user is deleted.
CREATE TABLE assignment_history (
  id {{serial_primary_key}},
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  sources TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  end_reason TEXT                  -- unassigned | deprovisioned | moved | reassigned | policy
);
CREATE INDEX assignment_history_by_user ON assignment_history(tenant_id, user_id, id);
CREATE INDEX assignment_history_open ON assignment_history(tenant_id, user_id, subscription_id, ended_at);

-- Tenants, principals (administrators and SCIM clients) and their tokens.
-- Every table carries tenant_id; every query filters on it.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE principals (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  kind TEXT NOT NULL,          -- 'admin' or 'scim'
  name TEXT NOT NULL,
  role TEXT,                   -- admins: global_admin | subscription_admin | user_admin
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  PRIMARY KEY (tenant_id, id)
);

-- The subscriptions a subscription_admin may act on.
CREATE TABLE principal_subscriptions (
  tenant_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, principal_id, subscription_id),
  FOREIGN KEY (tenant_id, principal_id) REFERENCES principals(tenant_id, id)
);

CREATE TABLE tokens (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  kind TEXT NOT NULL,          -- 'admin' (only under /admin/v1) or 'scim' (only under /scim/v2)
  token_hash TEXT NOT NULL,    -- hex SHA-256 of the bearer token; the token itself is never stored
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, principal_id) REFERENCES principals(tenant_id, id)
);
CREATE UNIQUE INDEX tokens_by_hash ON tokens(token_hash);

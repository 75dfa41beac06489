-- The audit log: who changed what, when, with the state before and after.
-- Written in the same transaction as the change it records (licensing's
-- WriteAudit, server/licensing/audit.h); read newest first by the admin API.
CREATE TABLE audit_events (
  id {{serial_primary_key}},
  tenant_id TEXT NOT NULL,
  at TEXT NOT NULL,              -- RFC 3339 UTC
  actor_kind TEXT NOT NULL,      -- admin | scim | policy | system
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,          -- e.g. assignment.activated, override.set, subscription.updated
  target_kind TEXT NOT NULL,     -- e.g. assignment, override, subscription, product, principal, token, policy
  target_id TEXT NOT NULL,
  user_id TEXT,                  -- the user concerned, when there is one (audit filter user_id)
  subscription_id TEXT,          -- the subscription concerned, when there is one (scope, filter)
  before_json TEXT,              -- JSON text or NULL
  after_json TEXT                -- JSON text or NULL
);
CREATE INDEX audit_events_by_tenant ON audit_events(tenant_id, id);
CREATE INDEX audit_events_by_user ON audit_events(tenant_id, user_id, id);
CREATE INDEX audit_events_by_subscription ON audit_events(tenant_id, subscription_id, id);

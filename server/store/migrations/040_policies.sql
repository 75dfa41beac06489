-- Policies as tenant data, the version every allot instance polls to learn
-- of their changes, their shared status, and the users whose licensing waits
-- to be evaluated again (plugins run outside any transaction: the SCIM change
-- commits with its users marked, and the evaluation is applied later).

-- The tenant's own policies (PUT /admin/v1/policies/{name}). `version` is 1
-- when created and grows with every change.
CREATE TABLE policies (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  plugin TEXT NOT NULL,
  priority BIGINT NOT NULL,
  config TEXT NOT NULL,            -- a JSON object
  enabled INTEGER NOT NULL,        -- 1 | 0
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

-- One row per tenant: `version` grows with every change of its policies
-- (instances poll it); `reconciled_version` is the version the last complete
-- re-evaluation of all its users used. The re-evaluation after a change is
-- leased (pass_owner until pass_until) so that one instance runs it.
CREATE TABLE tenant_policy_state (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
  version BIGINT NOT NULL,
  reconciled_version BIGINT NOT NULL,
  pass_owner TEXT,
  pass_until TEXT
);
INSERT INTO tenant_policy_state (tenant_id, version, reconciled_version)
  SELECT id, 0, 0 FROM tenants;

-- The outcome of the last evaluation of each policy, shared by the
-- instances: `failed` stays until an evaluation of the policy succeeds.
CREATE TABLE policy_status (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,            -- ok | failed
  error TEXT,
  failed_at TEXT,
  PRIMARY KEY (tenant_id, name)
);

-- Per user: facts_seq grows with every change of what policies read of the
-- user (bumped in the transaction of the SCIM change); dirty_since is set
-- while the user waits for evaluation, and cleared by the transaction that
-- applies an evaluation made from the current facts. marked_by is who made
-- the last change (the actor of the licensing changes that follow).
CREATE TABLE licensing_user_state (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  facts_seq BIGINT NOT NULL,
  dirty_since TEXT,
  marked_by_kind TEXT,
  marked_by_id TEXT,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX licensing_user_state_dirty ON licensing_user_state(tenant_id, dirty_since)
  WHERE dirty_since IS NOT NULL;
INSERT INTO licensing_user_state (tenant_id, user_id, facts_seq)
  SELECT tenant_id, id, 0 FROM scim_users;

-- SCIM resources. The normalised resource (without id and meta) is stored as
-- JSON text in `resource`; the attributes that filters, uniqueness and
-- licensing need are columns beside it, kept in step by the SCIM store.
CREATE TABLE scim_users (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  user_name_lower TEXT NOT NULL,   -- userName is caseExact=false: uniqueness and eq use this
  external_id TEXT,
  display_name TEXT,
  active INTEGER NOT NULL,         -- 1 or 0
  resource TEXT NOT NULL,
  version BIGINT NOT NULL,         -- bumped on every change; ETag W/"<version>"
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,                 -- deprovisioned: gone from SCIM, history kept
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users(tenant_id, user_name_lower)
  WHERE deleted_at IS NULL;
CREATE INDEX scim_users_external_id ON scim_users(tenant_id, external_id);

-- One row per email of a user, for `emails.value` filters (caseExact=false).
CREATE TABLE scim_user_emails (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  value_lower TEXT NOT NULL,
  type TEXT,
  FOREIGN KEY (tenant_id, user_id) REFERENCES scim_users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_user_emails_value ON scim_user_emails(tenant_id, value_lower);
CREATE INDEX scim_user_emails_user ON scim_user_emails(tenant_id, user_id);

CREATE TABLE scim_groups (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lower TEXT NOT NULL,
  external_id TEXT,
  resource TEXT NOT NULL,          -- without members: those are rows below
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX scim_groups_display_name ON scim_groups(tenant_id, display_name_lower);
CREATE INDEX scim_groups_external_id ON scim_groups(tenant_id, external_id);

-- Direct membership; member_type 'User' or 'Group'.
CREATE TABLE scim_group_members (
  tenant_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  member_type TEXT NOT NULL,
  PRIMARY KEY (tenant_id, group_id, member_id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES scim_groups(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_group_members_by_member ON scim_group_members(tenant_id, member_id);

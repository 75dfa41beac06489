-- Indexes and counters for SCIM lists (server/scim_api).
-- Live users ordered by id: the default list order; a partial index lets the
-- paging skip deprovisioned rows without visiting the table.
CREATE INDEX scim_users_live ON scim_users(tenant_id, id) WHERE deleted_at IS NULL;
CREATE INDEX scim_groups_live ON scim_groups(tenant_id, id) WHERE deleted_at IS NULL;
-- Members of a group in id order (the primary key already is); a member's
-- groups come from scim_group_members_by_member (002).

-- Per tenant and resource type: how many live resources there are (the
-- totalResults of an unfiltered list without a COUNT(*) scan) and a
-- generation bumped whenever that set changes (create, delete), which tells
-- the list code that a remembered page boundary is still valid.
CREATE TABLE scim_list_state (
  tenant_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,     -- 'User' or 'Group'
  live_count BIGINT NOT NULL,
  generation BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, resource_type)
);
INSERT INTO scim_list_state (tenant_id, resource_type, live_count, generation)
  SELECT id, 'User', (SELECT COUNT(*) FROM scim_users u WHERE u.tenant_id = tenants.id AND u.deleted_at IS NULL), 0 FROM tenants;
INSERT INTO scim_list_state (tenant_id, resource_type, live_count, generation)
  SELECT id, 'Group', (SELECT COUNT(*) FROM scim_groups g WHERE g.tenant_id = tenants.id AND g.deleted_at IS NULL), 0 FROM tenants;

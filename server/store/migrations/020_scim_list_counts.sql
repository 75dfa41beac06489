-- The per-tenant SCIM list counters of 003 (live count and generation per
-- resource type), split into shards: every create and delete of a tenant
-- added to ONE row, so on PostgreSQL, where a row stays locked until its
-- transaction commits, all of a tenant's creates and deletes queued behind
-- each other. Each pooled connection now adds to its own shard (0..15,
-- store/statement_cache.h); readers sum the shards. The sum of the
-- generations still grows with every create and delete, which is all the
-- page hints need. SQLite uses shard 0 only.
CREATE TABLE scim_list_counts (
  tenant_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,     -- 'User' or 'Group'
  shard INTEGER NOT NULL,
  live_count BIGINT NOT NULL,
  generation BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, resource_type, shard)
);
-- Counted afresh from the tables (exact whatever the old rows said), for
-- every tenant, so that a tenant's counter rows exist before its next write.
INSERT INTO scim_list_counts (tenant_id, resource_type, shard, live_count, generation)
  SELECT t.id, 'User', 0,
         (SELECT COUNT(*) FROM scim_users u WHERE u.tenant_id = t.id AND u.deleted_at IS NULL),
         COALESCE((SELECT s.generation FROM scim_list_state s
                   WHERE s.tenant_id = t.id AND s.resource_type = 'User'), 0) + 1
  FROM tenants t;
INSERT INTO scim_list_counts (tenant_id, resource_type, shard, live_count, generation)
  SELECT t.id, 'Group', 0,
         (SELECT COUNT(*) FROM scim_groups g WHERE g.tenant_id = t.id AND g.deleted_at IS NULL),
         COALESCE((SELECT s.generation FROM scim_list_state s
                   WHERE s.tenant_id = t.id AND s.resource_type = 'Group'), 0) + 1
  FROM tenants t;
DROP TABLE scim_list_state;

-- The licensing engine reads the groups of a batch of users (evaluate.cc,
-- driven by a list of user ids). With only (tenant_id, member_id) SQLite's
-- planner, having no statistics, prefers the covering primary key
-- (tenant_id, group_id, member_id) and scans every membership of the tenant
-- once per batch; a covering index by member makes the lookup the obvious plan.
CREATE INDEX scim_group_members_by_member_group ON scim_group_members(tenant_id, member_id, group_id);

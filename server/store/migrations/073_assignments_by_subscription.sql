-- A subscription's assignments table (GET /admin/v1/subscriptions/{id}/
-- assignments, and its CSV export) pages by user id. Without this index
-- SQLite walks the primary key (tenant_id, user_id, subscription_id): every
-- assignment of the tenant, of every subscription, to fill one page of one
-- pool. With it, one range of the pool's own rows, in page order, with the
-- state filter read from the index.
CREATE INDEX assignments_by_subscription ON assignments(tenant_id, subscription_id, user_id, state);

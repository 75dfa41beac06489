-- Entitlement checks name a user by externalId too (server/entitlements):
-- the smallest live id with a given externalId in one index probe. With
-- only (tenant_id, external_id), MIN(id) made SQLite walk the tenant's live
-- users in id order instead.
CREATE INDEX scim_users_external_id_live ON scim_users(tenant_id, external_id, id)
  WHERE deleted_at IS NULL;

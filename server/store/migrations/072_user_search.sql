-- The console's user search (GET /admin/v1/users?q=, server/admin/directory.cc)
-- at 100,000 users. `q` is a case-insensitive substring of userName,
-- displayName, name.formatted/givenName/familyName or an email; matching it
-- against the JSON of every user (LOWER(resource) LIKE, then a parse of each
-- candidate) took 250-600 ms. search_text holds just those values,
-- ASCII-lowered and joined by line feeds (scim_api/user_search.h), written
-- by the SCIM store with every create and replace. NULL on rows written
-- before this migration until `allot serve` fills them at start; the search
-- checks such rows in memory, so it is exact either way.
ALTER TABLE scim_users ADD COLUMN search_text TEXT;
-- Live users in the list's order with their search text: the search scans
-- this index (small rows) in userName order and stops once a page is full,
-- instead of reading every user's JSON.
CREATE INDEX scim_users_search ON scim_users(tenant_id, user_name_lower, search_text)
  WHERE deleted_at IS NULL;

// server/scim_api/list_store.h — list queries over scim_users / scim_groups:
// filter (SQL where it can, in memory for the rest), sort, index and cursor
// paging, exact totalResults.
//
// The SQL-able part of a filter runs in the database; when the translation is
// inexact the candidate rows are streamed one at a time and checked with
// scim::Matches, so memory holds one page, never the table (except when
// sorting by an attribute without a column, which needs every match).
// Thread-safety: stateless functions over the caller's session.
#pragma once

#include <optional>

#include "scim/schema.h"
#include "server/scim_api/filter_sql.h"
#include "server/scim_api/records.h"

namespace soci {
class session;
}

namespace allot::scim_api {

// Runs `query` for `kind` in `tenant`. Fails with invalidFilter (unknown
// attribute), invalidValue (a bad cursor, cursor with sortBy) or a storage
// error.
scim::Result<ListPage> ListResources(soci::session& sql, const std::string& tenant,
                                     ResourceKind kind, const ListQuery& query);

// Adds `delta` to the live count of `kind` and bumps its generation (call in
// the transaction of every create and delete), in the shard of this
// connection (migration 020), so concurrent creates do not queue on one row.
// Lock order (store/row_locks.h): after the users, before any subscription.
void BumpListState(soci::session& sql, const std::string& tenant, ResourceKind kind, int delta);

// The columns every resource query selects, in ResourceRow order, for the
// table alias `a`.
std::string ResourceColumns(const char* alias);

// The live (not deleted) user or group `id` of the tenant, or nullopt.
std::optional<ResourceRow> FindLiveRow(soci::session& sql, ResourceKind kind,
                                       const std::string& tenant, const std::string& id);

// The live row a PUT, PATCH or DELETE changes, locked until the transaction
// ends (PostgreSQL; store/row_locks.h): 404 naming the type when there is
// none, 412 when `if_match` (empty: unconditional) does not match its
// version.
scim::Result<ResourceRow> LoadForWrite(soci::session& sql, ResourceKind kind,
                                       const std::string& tenant, const std::string& id,
                                       const std::string& if_match);

// True when the If-Match / If-None-Match header value `header` matches
// `version` ("*", or a list of strong or weak ETags).
bool ETagMatches(const std::string& header, long long version);

// The stored resource JSON (without id and meta), or {} when unreadable.
nlohmann::json ParseStored(const std::string& resource);

}  // namespace allot::scim_api

// server/scim_api/user_store.h — SCIM Users in the database: one transaction
// per operation, the identity listener told inside it.
//
// Columns beside the stored JSON (user_name_lower, external_id, display_name,
// active, scim_user_emails rows) are written from the resource in the same
// statement batch, so filters and licensing always see the current values.
// `If-Match` is checked inside the write transaction (no lost update between
// check and write). A failure leaves nothing written.
// Thread-safety: stateless functions; Database is thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/patch.h"
#include "server/scim_api/records.h"
#include "server/store/database.h"

namespace soci {
class session;
}

namespace allot::scim_api {

// Creates a user from a POST body (validated and normalised here). Fails
// with the library's validation errors, or uniqueness (409) when the
// userName is taken in the tenant, case-insensitively.
scim::Result<ResourceRow> CreateUser(store::Database& db, const Caller& caller,
                                     const nlohmann::json& body);

// The live user, or 404; its groups too (same snapshot) when `groups` is
// not null.
scim::Result<ResourceRow> GetUser(store::Database& db, const std::string& tenant,
                                  const std::string& id, std::vector<Ref>* groups = nullptr);

// PUT: replaces the user's readWrite attributes with `body`'s. `if_match`
// empty: unconditional; else a list of ETags or "*" (412 on mismatch).
scim::Result<ResourceRow> ReplaceUser(store::Database& db, const Caller& caller,
                                      const std::string& id, const nlohmann::json& body,
                                      const std::string& if_match);

// PATCH: applies `patch`; when it changes nothing the version stays.
scim::Result<ResourceRow> PatchUser(store::Database& db, const Caller& caller,
                                    const std::string& id, const scim::PatchRequest& patch,
                                    const std::string& if_match);

// DELETE: deprovisions (deleted_at set, memberships removed); 404 afterwards.
scim::Status DeleteUser(store::Database& db, const Caller& caller, const std::string& id,
                        const std::string& if_match);

// The groups of each user in `ids` (live groups only), in one query.
std::map<std::string, std::vector<Ref>> LoadUserGroups(soci::session& sql,
                                                       const std::string& tenant,
                                                       const std::vector<std::string>& ids);

// Tells the listener (when there is one) inside the caller's transaction.
scim::Status NotifyUsersChanged(soci::session& sql, const Caller& caller,
                                const std::vector<std::string>& user_ids);

}  // namespace allot::scim_api

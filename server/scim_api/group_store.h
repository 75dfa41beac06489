// server/scim_api/group_store.h — SCIM Groups in the database. Members are
// rows of scim_group_members, never part of the stored JSON, so a group of
// any size is patched with row statements (one prepared statement reused per
// member, one transaction per request) and read without its members when
// they are not returned.
//
// Decisions: displayName is not unique (RFC 7643 gives it no uniqueness, and
// Entra looks groups up by it and copes with several); a member must be a
// live User or Group of the tenant (400 invalidValue naming it otherwise);
// adding a present member or removing an absent one changes nothing.
// The listener hears about the users whose memberships changed, and about
// every member when the group is renamed (displayName/externalId — policies
// match on them) or deleted.
// Thread-safety: stateless functions; Database is thread-safe.
#pragma once

#include <map>
#include <optional>
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

struct GroupRecord {
  ResourceRow row;
  std::optional<std::vector<Ref>> members;  // loaded only when asked for
};

scim::Result<GroupRecord> CreateGroup(store::Database& db, const Caller& caller,
                                      const nlohmann::json& body);

// The live group; members loaded when `with_members`.
scim::Result<GroupRecord> GetGroup(store::Database& db, const std::string& tenant,
                                   const std::string& id, bool with_members);

scim::Result<GroupRecord> ReplaceGroup(store::Database& db, const Caller& caller,
                                       const std::string& id, const nlohmann::json& body,
                                       const std::string& if_match);

// Applies a PATCH; membership changes as row operations.
scim::Result<ResourceRow> PatchGroup(store::Database& db, const Caller& caller,
                                     const std::string& id, const scim::PatchRequest& patch,
                                     const std::string& if_match);

scim::Status DeleteGroup(store::Database& db, const Caller& caller, const std::string& id,
                         const std::string& if_match);

// Members of each group in `ids`, in member id order, with display names.
std::map<std::string, std::vector<Ref>> LoadMembers(soci::session& sql, const std::string& tenant,
                                                    const std::vector<std::string>& ids);

}  // namespace allot::scim_api

// server/admin/directory.h — users and groups as an administrator sees them:
// read-only views of what the IdP provisioned over SCIM, with each user's
// groups and licenses. Deleted (deprovisioned) users and groups are not here.
// A Subscription admin sees only users holding or waiting for a seat of its
// subscriptions, groups with at least one such member (and only those
// members); anything else is kNotFound, so its scope does not leak what
// exists. Knows nothing of HTTP.
// Thread-safety: stateless functions over the Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/filter.h"
#include "server/admin/authz.h"
#include "server/admin/routes.h"
#include "server/base/error.h"
#include "server/licensing/admin_change.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct GroupRef {
  std::string id;
  std::string display_name;
};

struct UserView {
  std::string id;
  std::string user_name;
  std::string display_name;  // "" when the IdP sent none
  std::string external_id;   // "" when the IdP sent none
  bool active = true;
  std::string created_at;
  std::string updated_at;
  std::vector<GroupRef> groups;  // direct memberships
  nlohmann::json licenses = nlohmann::json::array();
  std::optional<licensing::Hold> hold;  // set by "revoke all"
};

struct MemberRef {
  std::string id;
  std::string type;  // "User" or "Group"
  std::string display;
};

struct GroupView {
  std::string id;
  std::string display_name;
  std::string external_id;
  long long member_count = 0;    // members visible to the caller
  std::vector<MemberRef> members;  // filled by GetGroup only
};

// What GET /users narrows by; every part given must hold.
struct UserQuery {
  scim::FilterPtr filter;       // the full SCIM filter grammar over the User resource
  std::string q;                // case-insensitive substring of userName, displayName, name, emails
  std::string subscription_id;  // holds or waits for it
  std::string state;            // "active" | "pending": has a license in that state
  std::string group_id;         // a direct member of it
};

// Users matching `query`, ordered by userName (case-insensitively), after
// `page.after`. The filter runs as SQL where the SCIM store's translation
// is exact, else the candidate rows are checked in memory with
// scim::Matches. kInvalidRequest for a filter naming an unknown attribute.
Result<Listing<UserView>> ListUsers(store::Database& db, const Access& access,
                                    const UserQuery& query, const Page& page);

// One user; kNotFound when deleted, unknown or outside the caller's scope.
Result<UserView> GetUser(store::Database& db, const Access& access, const std::string& id);

// Groups matching the SCIM `filter` (null: all), ordered by id, after
// `page.after`.
Result<Listing<GroupView>> ListGroups(store::Database& db, const Access& access,
                                      const scim::FilterPtr& filter, const Page& page);

// Parses a SCIM filter given as a query parameter; an empty text is no
// filter. kInvalidRequest with the parser's words.
Result<scim::FilterPtr> ParseFilterParameter(const std::string& text);

// One group with its (visible) members; kNotFound as for GetUser.
Result<GroupView> GetGroup(store::Database& db, const Access& access, const std::string& id);

nlohmann::json UserJson(const UserView& user);
nlohmann::json GroupJson(const GroupView& group, bool with_members);

}  // namespace allot::admin

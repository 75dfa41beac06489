// server/admin/directory.h — users and groups as an administrator sees them:
// read-only views of what the IdP provisioned over SCIM, with each user's
// groups and licenses. Deleted (deprovisioned) users and groups are not here.
// A Subscription admin sees only users holding or waiting for a seat of its
// subscriptions, groups with at least one such member (and only those
// members); anything else is kNotFound, so its scope does not leak what
// exists. Knows nothing of HTTP.
// Thread-safety: stateless functions over the Database.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/admin/authz.h"
#include "server/admin/directory_filter.h"
#include "server/admin/routes.h"
#include "server/base/error.h"

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

// Users matching all `terms`, ordered by userName (case-insensitively),
// after `page.after`.
Result<Listing<UserView>> ListUsers(store::Database& db, const Access& access,
                                    const std::vector<FilterTerm>& terms, const Page& page);

// One user; kNotFound when deleted, unknown or outside the caller's scope.
Result<UserView> GetUser(store::Database& db, const Access& access, const std::string& id);

// Groups matching all `terms`, ordered by id, after `page.after`.
Result<Listing<GroupView>> ListGroups(store::Database& db, const Access& access,
                                      const std::vector<FilterTerm>& terms, const Page& page);

// One group with its (visible) members; kNotFound as for GetUser.
Result<GroupView> GetGroup(store::Database& db, const Access& access, const std::string& id);

nlohmann::json UserJson(const UserView& user);
nlohmann::json GroupJson(const GroupView& group, bool with_members);

}  // namespace allot::admin

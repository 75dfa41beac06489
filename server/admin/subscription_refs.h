// server/admin/subscription_refs.h — what the admin platform needs to know
// about subscriptions and assignments, which the licensing engine owns: does a
// subscription exist, and which users a Subscription admin may see. The one
// place that knows the licensing tables, so a change there is mended here.
// Thread-safety: stateless; the session belongs to the caller.
#pragma once

#include <span>
#include <string>
#include <unordered_map>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "server/admin/authz.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::admin {

// kInvalidRequest naming `field` when the tenant has no subscription `id`.
Status CheckSubscriptionExists(soci::session& sql, const std::string& tenant,
                               const std::string& id, std::string_view field);

// An SQL condition on a user id column that holds when the user holds or
// waits for a seat of one of the Subscription admin's subscriptions. It has
// two '?' for SqlQuery::Bind: the tenant, then the admin's principal id.
// `user_id_column` is a column name chosen by the caller, never user input.
std::string UserInScopeCondition(std::string_view user_id_column);

// True when `user_id` holds or waits for a seat of one of the subscriptions
// of the Subscription admin `principal_id`.
Result<bool> UserInScope(soci::session& sql, const std::string& tenant,
                         const std::string& principal_id, const std::string& user_id);

// The user's licenses as GET /users/{id}/licenses lists them, limited to the
// subscriptions `access` covers.
Result<nlohmann::json> UserLicenses(soci::session& sql, const Access& access,
                                    const std::string& user_id);

// The same for many users at once (one query per 500 users, not one per
// user): by user id; users without a visible license are absent.
Result<std::unordered_map<std::string, nlohmann::json>> UsersLicenses(
    soci::session& sql, const Access& access, std::span<const std::string> user_ids);

}  // namespace allot::admin

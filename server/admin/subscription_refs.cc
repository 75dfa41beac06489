#include "server/admin/subscription_refs.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

namespace allot::admin {

// Until the licensing tables are merged there are no subscriptions and no
// assignments: nothing exists, and a Subscription admin sees no user.
Status CheckSubscriptionExists(soci::session&, const std::string&, const std::string& id,
                               std::string_view field) {
  return Fail(ErrorCode::kInvalidRequest,
              "field \"" + std::string(field) + "\": no subscription with id '" + id + "'");
}

std::string UserInScopeCondition(std::string_view user_id_column) {
  return "(" + std::string(user_id_column) + " IS NULL AND ? = ?)";
}

Result<nlohmann::json> UserLicenses(soci::session&, const Access&, const std::string&) {
  return nlohmann::json::array();
}

}  // namespace allot::admin

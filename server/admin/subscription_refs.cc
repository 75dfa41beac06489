#include "server/admin/subscription_refs.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/licensing/queries.h"

namespace allot::admin {
// Tables of the licensing engine (011_licensing.sql): subscriptions,
// assignments (state active|pending, sources comma-separated).

Status CheckSubscriptionExists(soci::session& sql, const std::string& tenant,
                               const std::string& id, std::string_view field) {
  int count = 0;
  sql << "SELECT COUNT(*) FROM subscriptions WHERE tenant_id = :t AND id = :id", soci::use(tenant),
      soci::use(id), soci::into(count);
  if (count == 0) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"" + std::string(field) + "\": no subscription with id '" + id + "'");
  }
  return Ok();
}

std::string UserInScopeCondition(std::string_view user_id_column) {
  // Holding (active) or waiting for (pending) a seat: every assignment row.
  return std::string(user_id_column) +
         " IN (SELECT sa.user_id FROM assignments sa JOIN principal_subscriptions sp "
         "ON sp.tenant_id = sa.tenant_id AND sp.subscription_id = sa.subscription_id "
         "WHERE sp.tenant_id = ? AND sp.principal_id = ?)";
}

Result<bool> UserInScope(soci::session& sql, const std::string& tenant,
                         const std::string& principal_id, const std::string& user_id) {
  int count = 0;
  sql << "SELECT COUNT(*) FROM assignments sa JOIN principal_subscriptions sp "
         "ON sp.tenant_id = sa.tenant_id AND sp.subscription_id = sa.subscription_id "
         "WHERE sp.tenant_id = :t AND sp.principal_id = :p AND sa.user_id = :u",
      soci::use(tenant), soci::use(principal_id), soci::use(user_id), soci::into(count);
  return count > 0;
}

Result<std::unordered_map<std::string, nlohmann::json>> UsersLicenses(
    soci::session& sql, const Access& access, std::span<const std::string> user_ids) {
  auto by_user = licensing::ReadLicenses(sql, access.tenant(), user_ids);
  if (!by_user) return std::unexpected(by_user.error());
  std::unordered_map<std::string, nlohmann::json> out;
  for (const auto& [user, licenses] : *by_user) {
    nlohmann::json list = nlohmann::json::array();
    for (const licensing::License& l : licenses) {
      if (!access.Covers(l.subscription_id)) continue;
      nlohmann::json license = {{"subscription_id", l.subscription_id},
                                {"product_id", l.product_id},
                                {"state", l.state},
                                {"source", l.source()},
                                {"sources", l.sources},
                                {"since", l.since}};
      if (!l.pending_reason.empty()) license["pending_reason"] = l.pending_reason;
      list.push_back(std::move(license));
    }
    if (!list.empty()) out.emplace(user, std::move(list));
  }
  return out;
}

Result<nlohmann::json> UserLicenses(soci::session& sql, const Access& access,
                                    const std::string& user_id) {
  const std::string ids[] = {user_id};
  auto by_user = UsersLicenses(sql, access, ids);
  if (!by_user) return std::unexpected(by_user.error());
  auto it = by_user->find(user_id);
  return it == by_user->end() ? nlohmann::json::array() : std::move(it->second);
}

}  // namespace allot::admin

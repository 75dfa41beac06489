#include "server/admin/authz.h"

#include <algorithm>

namespace allot::admin {
namespace {

enum class Grant { kNo, kOwnSubscriptions, kAll };

struct Row {
  Action action;
  Grant global_admin;
  Grant subscription_admin;
  Grant user_admin;
};

// PRODUCT.md, "Roles". One row per action; nothing else decides.
constexpr Row kRoles[] = {
    {Action::kWhoAmI, Grant::kAll, Grant::kAll, Grant::kAll},
    {Action::kReadDirectory, Grant::kAll, Grant::kOwnSubscriptions, Grant::kAll},
    {Action::kChangeLicenses, Grant::kAll, Grant::kOwnSubscriptions, Grant::kAll},
    {Action::kChangeSeats, Grant::kAll, Grant::kOwnSubscriptions, Grant::kNo},
    {Action::kManageCatalog, Grant::kAll, Grant::kNo, Grant::kNo},
    {Action::kManagePrincipals, Grant::kAll, Grant::kNo, Grant::kNo},
    {Action::kReadPolicies, Grant::kAll, Grant::kNo, Grant::kAll},
    {Action::kManagePolicies, Grant::kAll, Grant::kNo, Grant::kNo},
    {Action::kReadAudit, Grant::kAll, Grant::kOwnSubscriptions, Grant::kAll},
};

}  // namespace

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kWhoAmI: return "read their own identity";
    case Action::kReadDirectory: return "read users and licenses";
    case Action::kChangeLicenses: return "change licenses";
    case Action::kChangeSeats: return "change a subscription's seats";
    case Action::kManageCatalog: return "create or change products and subscriptions";
    case Action::kManagePrincipals: return "manage administrators and tokens";
    case Action::kReadPolicies: return "read policies";
    case Action::kManagePolicies: return "reload policies or run a reconcile";
    case Action::kReadAudit: return "read the audit log";
  }
  return "do this";
}

bool Access::Covers(std::string_view subscription_id) const {
  if (all_subscriptions) return true;
  const auto& own = principal->subscriptions;
  return std::find(own.begin(), own.end(), subscription_id) != own.end();
}

bool IsValidRole(std::string_view role) {
  return role == "global_admin" || role == "subscription_admin" || role == "user_admin";
}

Result<Access> Authorize(const auth::Principal& principal, Action action) {
  for (const Row& row : kRoles) {
    if (row.action != action) continue;
    Grant grant = Grant::kNo;
    if (principal.role == "global_admin") grant = row.global_admin;
    if (principal.role == "subscription_admin") grant = row.subscription_admin;
    if (principal.role == "user_admin") grant = row.user_admin;
    if (grant == Grant::kNo) {
      return Fail(ErrorCode::kForbidden,
                  "the role " + (principal.role.empty() ? std::string("(none)") : principal.role) +
                      " may not " + std::string(ActionName(action)));
    }
    return Access{.principal = &principal, .all_subscriptions = grant == Grant::kAll};
  }
  return Fail(ErrorCode::kForbidden, "unknown action");
}

}  // namespace allot::admin

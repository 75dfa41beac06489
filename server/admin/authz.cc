#include "server/admin/authz.h"

#include <algorithm>
#include <iterator>

namespace allot::admin {
namespace {

struct Row {
  Action action;
  RoleScope global_admin;
  RoleScope subscription_admin;
  RoleScope user_admin;
};

constexpr RoleScope kNo = RoleScope::kNone;
constexpr RoleScope kOwn = RoleScope::kOwnSubscriptions;
constexpr RoleScope kAll = RoleScope::kAll;

// PRODUCT.md, "Roles". One row per action; nothing else decides.
// Policies are the Global admin's (PRODUCT: "manage the tenant's policies";
// CONTRACT: Global admin only, reading included). Which plugins are
// installed is for every role.
// Seats are what a tenant bought: only a Global admin changes them (the
// operator's API and a self-managed catalog add their condition to this row).
// Revoke all and its hold reach every subscription of a user, so a role
// scoped to some subscriptions may not use them.
constexpr Row kRoles[] = {
    {Action::kWhoAmI, kAll, kAll, kAll},
    {Action::kReadDirectory, kAll, kOwn, kAll},
    {Action::kChangeLicenses, kAll, kOwn, kAll},
    {Action::kChangeSeats, kAll, kNo, kNo},
    {Action::kChangeFill, kAll, kOwn, kNo},
    {Action::kHoldUsers, kAll, kNo, kAll},
    {Action::kManageCatalog, kAll, kNo, kNo},
    {Action::kManagePrincipals, kAll, kNo, kNo},
    {Action::kReadPolicies, kAll, kNo, kNo},
    {Action::kManagePolicies, kAll, kNo, kNo},
    {Action::kReadAudit, kAll, kOwn, kAll},
    {Action::kReadPlugins, kAll, kAll, kAll},
    // PRODUCT.md: "webhooks, app tokens for product apps" — Global admin.
    {Action::kManageAppTokens, kAll, kNo, kNo},
    {Action::kManageWebhooks, kAll, kNo, kNo},
};
static_assert(std::size(kRoles) == std::size(kAllActions), "one row per Action");

}  // namespace

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kWhoAmI: return "read their own identity";
    case Action::kReadDirectory: return "read users and licenses";
    case Action::kChangeLicenses: return "change licenses";
    case Action::kChangeSeats: return "change a subscription's seats";
    case Action::kChangeFill: return "change how a subscription fills freed seats";
    case Action::kHoldUsers: return "revoke all of a user's licenses or clear a hold";
    case Action::kManageCatalog: return "create or change products and subscriptions";
    case Action::kManagePrincipals: return "manage administrators and tokens";
    case Action::kReadPolicies: return "read policies";
    case Action::kManagePolicies: return "change or reload policies or run a reconcile";
    case Action::kReadAudit: return "read the audit log";
    case Action::kReadPlugins: return "list the installed plugins";
    case Action::kManageAppTokens: return "manage app tokens";
    case Action::kManageWebhooks: return "manage webhooks";
  }
  return "do this";
}

std::string_view ActionId(Action action) {
  switch (action) {
    case Action::kWhoAmI: return "whoami";
    case Action::kReadDirectory: return "read_directory";
    case Action::kChangeLicenses: return "change_licenses";
    case Action::kChangeSeats: return "change_seats";
    case Action::kChangeFill: return "change_fill";
    case Action::kHoldUsers: return "hold_users";
    case Action::kManageCatalog: return "manage_catalog";
    case Action::kManagePrincipals: return "manage_principals";
    case Action::kReadPolicies: return "read_policies";
    case Action::kManagePolicies: return "manage_policies";
    case Action::kReadAudit: return "read_audit";
    case Action::kReadPlugins: return "read_plugins";
    case Action::kManageAppTokens: return "manage_app_tokens";
    case Action::kManageWebhooks: return "manage_webhooks";
  }
  return "unknown";
}

RoleScope ScopeOf(std::string_view role, Action action) {
  for (const Row& row : kRoles) {
    if (row.action != action) continue;
    if (role == "global_admin") return row.global_admin;
    if (role == "subscription_admin") return row.subscription_admin;
    if (role == "user_admin") return row.user_admin;
    return kNo;
  }
  return kNo;
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
  const RoleScope scope = ScopeOf(principal.role, action);
  if (scope == kNo) {
    return Fail(ErrorCode::kForbidden,
                "the role " + (principal.role.empty() ? std::string("(none)") : principal.role) +
                    " may not " + std::string(ActionName(action)));
  }
  // What the tenant bought is the operator's to set unless the tenant runs
  // its own catalog (PRODUCT.md, "Roles"; tenants of `allot init`).
  if ((action == Action::kManageCatalog || action == Action::kChangeSeats) &&
      !principal.self_managed_catalog) {
    return Fail(ErrorCode::kForbidden,
                "this tenant's products, subscriptions, seats and terms are set by its vendor "
                "(the operator); ask them to " + std::string(ActionName(action)));
  }
  return Access{.principal = &principal, .all_subscriptions = scope == kAll};
}

Status AuthorizeSeatChange(const auth::Principal& principal) {
  auto access = Authorize(principal, Action::kChangeSeats);
  if (!access) return std::unexpected(access.error());
  return Ok();
}

}  // namespace allot::admin

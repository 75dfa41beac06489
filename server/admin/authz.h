// server/admin/authz.h — who may do what on which scope: the roles table of
// PRODUCT.md, in one place, checked before any admin handler runs.
//
// Every admin route declares its Action; Authorize() looks the principal's
// role up in the table and answers with the Access the handler works within
// (all subscriptions, or a Subscription admin's own), or kForbidden naming
// the role and the action. Handlers then only ask Access::Covers() for the
// subscriptions they touch and answer 404 for one outside the scope, so a
// scope never leaks what exists.
// Thread-safety: stateless; Access borrows the Principal of one request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/auth/principal.h"
#include "server/base/error.h"

namespace allot::admin {

enum class Action {
  kWhoAmI,             // GET /whoami
  kReadDirectory,      // users, groups, their licenses, products, subscriptions, usage
  kChangeLicenses,     // assign, unassign, reassign, move, bulk, overrides
  kChangeSeats,        // PATCH /subscriptions/{id} {seats}: the one place for who sets seats
  kChangeFill,         // PATCH /subscriptions/{id} {fill}: who gets freed seats
  kHoldUsers,          // DELETE /users/{id}/licenses (revoke all), DELETE /users/{id}/hold
  kManageCatalog,      // create/change/delete products and subscriptions
  kManagePrincipals,   // admins, roles, admin and SCIM tokens
  kReadPolicies,       // GET /policies, GET /policies/{name}, GET /reconcile
  kManagePolicies,     // PUT/DELETE /policies/{name}, reload, full reconcile
  kReadAudit,          // GET /audit, GET /users/{id}/history
  kReadPlugins,        // GET /plugins
  kManageAppTokens,    // GET,POST /app-tokens, DELETE /app-tokens/{id}
  kManageWebhooks,     // /webhooks, their deliveries and retries
};

// Every Action, in declaration order (for whoami and the table tests).
inline constexpr Action kAllActions[] = {
    Action::kWhoAmI,         Action::kReadDirectory,    Action::kChangeLicenses,
    Action::kChangeSeats,    Action::kChangeFill,       Action::kHoldUsers,
    Action::kManageCatalog,  Action::kManagePrincipals, Action::kReadPolicies,
    Action::kManagePolicies, Action::kReadAudit,        Action::kReadPlugins,
    Action::kManageAppTokens, Action::kManageWebhooks,
};

// A sentence fragment for messages: "the role user_admin may not <name>".
std::string_view ActionName(Action action);
// A stable machine name, e.g. "read_directory" (GET /whoami lists them).
std::string_view ActionId(Action action);

// How far a role reaches for one action.
enum class RoleScope { kNone, kOwnSubscriptions, kAll };

// The roles table itself: kNone for an unknown role or action.
RoleScope ScopeOf(std::string_view role, Action action);

// What a request may touch once authorised.
struct Access {
  const auth::Principal* principal = nullptr;
  bool all_subscriptions = false;  // false: only principal->subscriptions

  // True when the subscription is within this access's scope.
  bool Covers(std::string_view subscription_id) const;
  const std::string& tenant() const { return principal->tenant_id; }
  // The subscriptions a scoped access is limited to (empty when unscoped).
  const std::vector<std::string>& subscriptions() const { return principal->subscriptions; }
};

// Decides from the roles table. kForbidden with a message naming the role and
// the action when the role lacks it (also for a principal without a role).
// The returned Access points at `principal`, which must outlive it.
Result<Access> Authorize(const auth::Principal& principal, Action action);

// May `principal` change a subscription's seats? The one place that decides
// it, for every route that changes seats: today the roles table's
// kChangeSeats row (a Global admin); a tenant's catalog terms add their
// condition here. kForbidden naming the role otherwise.
Status AuthorizeSeatChange(const auth::Principal& principal);

// The roles an admin may have.
bool IsValidRole(std::string_view role);

}  // namespace allot::admin

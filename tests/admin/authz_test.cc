// The roles table (PRODUCT.md "Roles"), every Action × every role, written
// out here independently of server/admin/authz.cc so that a changed cell fails.
#include "server/admin/authz.h"

#include <gtest/gtest.h>

namespace allot::admin {
namespace {

constexpr RoleScope N = RoleScope::kNone;
constexpr RoleScope O = RoleScope::kOwnSubscriptions;
constexpr RoleScope A = RoleScope::kAll;

struct Expected {
  Action action;
  RoleScope global_admin, subscription_admin, user_admin;
};

constexpr Expected kTable[] = {
    {Action::kWhoAmI, A, A, A},
    {Action::kReadDirectory, A, O, A},
    {Action::kChangeLicenses, A, O, A},
    // Seats are the operator's, or a self-managed catalog's Global admin's
    // (issue 10, finding 5): a Subscription admin no longer changes them.
    {Action::kChangeSeats, A, N, N},
    {Action::kChangeFill, A, O, N},
    {Action::kHoldUsers, A, N, A},
    {Action::kManageCatalog, A, N, N},
    {Action::kManagePrincipals, A, N, N},
    {Action::kReadPolicies, A, N, N},
    {Action::kManagePolicies, A, N, N},
    {Action::kReadAudit, A, O, A},
    {Action::kReadPlugins, A, A, A},
    // Webhooks and app tokens for product apps: Global admin only (issue 13).
    {Action::kManageAppTokens, A, N, N},
    {Action::kManageWebhooks, A, N, N},
};

auth::Principal Admin(std::string role, std::vector<std::string> subscriptions = {}) {
  return {.tenant_id = "t", .id = "p", .name = "n", .kind = auth::TokenKind::kAdmin,
          .role = std::move(role), .subscriptions = std::move(subscriptions)};
}

void ExpectScope(const std::string& role, Action action, RoleScope expected) {
  SCOPED_TRACE(role + " / " + std::string(ActionId(action)));
  EXPECT_EQ(ScopeOf(role, action), expected);
  const auth::Principal p = Admin(role, {"sub-a"});
  auto access = Authorize(p, action);
  if (expected == N) {
    ASSERT_FALSE(access);
    EXPECT_EQ(access.error().code, ErrorCode::kForbidden);
    return;
  }
  ASSERT_TRUE(access) << access.error().message;
  EXPECT_EQ(access->all_subscriptions, expected == A);
  EXPECT_TRUE(access->Covers("sub-a"));
  EXPECT_EQ(access->Covers("sub-b"), expected == A);
}

TEST(RolesTable, EveryActionForEveryRole) {
  static_assert(std::size(kTable) == std::size(kAllActions));
  for (const Expected& row : kTable) {
    ExpectScope("global_admin", row.action, row.global_admin);
    ExpectScope("subscription_admin", row.action, row.subscription_admin);
    ExpectScope("user_admin", row.action, row.user_admin);
  }
}

TEST(RolesTable, CoversEveryDeclaredAction) {
  for (Action action : kAllActions) {
    bool listed = false;
    for (const Expected& row : kTable) listed = listed || row.action == action;
    EXPECT_TRUE(listed) << ActionId(action);
  }
}

TEST(RolesTable, UnknownOrMissingRoleMayDoNothing) {
  for (Action action : kAllActions) {
    EXPECT_FALSE(Authorize(Admin(""), action)) << ActionId(action);
    EXPECT_FALSE(Authorize(Admin("GLOBAL_ADMIN"), action)) << ActionId(action);
    EXPECT_FALSE(Authorize(Admin("root"), action)) << ActionId(action);
  }
}

TEST(RolesTable, ForbiddenMessageNamesRoleAndAction) {
  auto access = Authorize(Admin("user_admin"), Action::kManagePrincipals);
  ASSERT_FALSE(access);
  EXPECT_NE(access.error().message.find("user_admin"), std::string::npos);
  EXPECT_NE(access.error().message.find(ActionName(Action::kManagePrincipals)), std::string::npos);
}

TEST(RolesTable, SubscriptionAdminWithoutSubscriptionsCoversNone) {
  const auth::Principal p = Admin("subscription_admin");
  auto access = Authorize(p, Action::kReadDirectory);
  ASSERT_TRUE(access);
  EXPECT_FALSE(access->Covers("sub-a"));
  EXPECT_FALSE(access->Covers(""));
}

TEST(RolesTable, ActionIdsAreDistinct) {
  for (Action a : kAllActions) {
    for (Action b : kAllActions) {
      if (a != b) {
        EXPECT_NE(ActionId(a), ActionId(b));
      }
    }
  }
}

TEST(Roles, IsValidRoleAcceptsExactlyTheThreeRoles) {
  EXPECT_TRUE(IsValidRole("global_admin"));
  EXPECT_TRUE(IsValidRole("subscription_admin"));
  EXPECT_TRUE(IsValidRole("user_admin"));
  EXPECT_FALSE(IsValidRole("Global_Admin"));
  EXPECT_FALSE(IsValidRole(""));
  EXPECT_FALSE(IsValidRole("admin"));
}

}  // namespace
}  // namespace allot::admin

// AddAdminRoute: the roles table and the user scope run before the handler.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/admin/routes.h"

namespace allot::admin {
namespace {

class AdminRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetUserScopeCheck([this](const Access&, const std::string& user) -> Status {
      checked_.push_back(user);
      if (user == "outside") return Fail(ErrorCode::kNotFound, "no user");
      return Ok();
    });
  }
  void TearDown() override { SetUserScopeCheck(nullptr); }

  // Registers a route whose handler records that it ran, and calls it.
  http::Response Run(const std::string& method, const std::string& pattern, Action action,
                     const std::string& path, const auth::Principal& who) {
    http::Router router;
    AddAdminRoute(router, method, pattern, action,
                  [this](const http::Request&, const Access&, http::Response& res) {
                    ran_ = true;
                    res.status = 200;
                  });
    auto match = router.Find(method, path);
    EXPECT_EQ(match.kind, http::Router::Match::Kind::kFound);
    http::Request req;
    req.method = method;
    req.path = path;
    req.path_params = match.params;
    req.principal = &who;
    http::Response res;
    (*match.handler)(req, res);
    return res;
  }

  auth::Principal sub_admin_{.tenant_id = "t", .id = "p", .role = "subscription_admin",
                             .subscriptions = {"sub-a"}};
  auth::Principal user_admin_{.tenant_id = "t", .id = "q", .role = "user_admin"};
  std::vector<std::string> checked_;
  bool ran_ = false;
};

TEST_F(AdminRouteTest, ForbiddenRoleNeverReachesTheHandler) {
  http::Response res = Run("GET", "/admins", Action::kManagePrincipals, "/admin/v1/admins", user_admin_);
  EXPECT_EQ(res.status, 403);
  EXPECT_FALSE(ran_);
  EXPECT_EQ(nlohmann::json::parse(res.body)["error"]["code"], "forbidden");
}

TEST_F(AdminRouteTest, ScopedReadOfAUserOutsideTheScopeIs404BeforeTheHandler) {
  http::Response res = Run("GET", "/users/{id}/history", Action::kReadAudit,
                           "/admin/v1/users/outside/history", sub_admin_);
  EXPECT_EQ(res.status, 404);
  EXPECT_FALSE(ran_);
  EXPECT_EQ(checked_, std::vector<std::string>{"outside"});
}

TEST_F(AdminRouteTest, ScopedReadOfAUserInsideTheScopeRuns) {
  http::Response res = Run("GET", "/users/{id}", Action::kReadDirectory, "/admin/v1/users/inside",
                           sub_admin_);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(ran_);
}

TEST_F(AdminRouteTest, UnscopedRolesAndChangesAreNotUserChecked) {
  Run("GET", "/users/{id}", Action::kReadDirectory, "/admin/v1/users/outside", user_admin_);
  EXPECT_TRUE(ran_);
  ran_ = false;
  // A Subscription admin may give its subscription's seat to anyone.
  Run("PUT", "/users/{id}/licenses/{sub}", Action::kChangeLicenses,
      "/admin/v1/users/outside/licenses/sub-a", sub_admin_);
  EXPECT_TRUE(ran_);
  EXPECT_TRUE(checked_.empty());
}

}  // namespace
}  // namespace allot::admin

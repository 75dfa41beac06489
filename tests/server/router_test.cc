#include "server/http/router.h"
#include "server/http/surfaces.h"

#include <gtest/gtest.h>

namespace allot::http {
namespace {

Handler Named(std::string name, std::string* called) {
  return [name, called](const Request&, Response&) { *called = name; };
}

TEST(Router, MatchesParametersInOrder) {
  std::string called;
  Router router;
  router.Add("GET", "/admin/v1/users/{id}/licenses/{sub}", Named("licenses", &called));
  auto m = router.Find("GET", "/admin/v1/users/u1/licenses/s2");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.params, (std::vector<std::string>{"u1", "s2"}));
  EXPECT_EQ(m.pattern, "/admin/v1/users/{id}/licenses/{sub}");
}

TEST(Router, PrefersLiteralSegmentsOverParameters) {
  std::string called;
  Router router;
  router.Add("POST", "/scim/v2/Users/{id}", Named("by-id", &called));
  router.Add("POST", "/scim/v2/Users/.search", Named("search", &called));
  auto m = router.Find("POST", "/scim/v2/Users/.search");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  (*m.handler)(Request{}, *std::make_unique<Response>());
  EXPECT_EQ(called, "search");
}

TEST(Router, LiteralSegmentsIgnoreCase) {
  std::string called;
  Router router;
  router.Add("GET", "/scim/v2/Users", Named("users", &called));
  EXPECT_EQ(router.Find("GET", "/scim/v2/users").kind, Router::Match::Kind::kFound);
  EXPECT_EQ(router.Find("GET", "/SCIM/V2/USERS/").kind, Router::Match::Kind::kFound);
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  std::string called;
  Router router;
  router.Add("GET", "/things/{id}", Named("get", &called));
  router.Add("DELETE", "/things/{id}", Named("delete", &called));
  auto m = router.Find("POST", "/things/1");
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed_methods, "GET, DELETE");
}

TEST(Router, EmptyParameterDoesNotMatch) {
  std::string called;
  Router router;
  router.Add("GET", "/things/{id}/x", Named("x", &called));
  EXPECT_EQ(router.Find("GET", "/things//x").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "relative").kind, Router::Match::Kind::kNotFound);
}

TEST(Surface, FollowsThePathPrefix) {
  EXPECT_EQ(SurfaceOf("/scim/v2/Users"), Surface::kScim);
  EXPECT_EQ(SurfaceOf("/scim/v2"), Surface::kScim);
  EXPECT_EQ(SurfaceOf("/scim/v20"), Surface::kOps);
  EXPECT_EQ(SurfaceOf("/admin/v1/whoami"), Surface::kAdmin);
  EXPECT_EQ(SurfaceOf("/metrics"), Surface::kMetrics);
  EXPECT_EQ(SurfaceOf("/healthz"), Surface::kOps);
  // The console's sign-in sits under /admin/v1 but takes no credential, and
  // only a small body; everything else under /admin/v1 takes an admin one.
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/sessions").credential, Credential::kNone);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/sessions/current").credential, Credential::kNone);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/sessions").surface, Surface::kAdmin);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/sessions").max_body_bytes, kSignInBodyLimit);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/sessionsx").credential, Credential::kAdminToken);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/users").credential, Credential::kAdminToken);
  EXPECT_EQ(SurfaceRuleOf("/admin/v1/users").max_body_bytes, 0u);
  EXPECT_EQ(SurfaceRuleOf("/console/assets/x.js").credential, Credential::kNone);
}

}  // namespace
}  // namespace allot::http

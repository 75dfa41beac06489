// The console through the real binary over HTTPS: the redirect, the pages'
// security and cache headers, sign-in sessions (cookie flags, CSRF, sign
// out), CSV exports and the usage series.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::testing {
namespace {

using nlohmann::json;

class ConsoleApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ = TestServer::Start({.tls = true}, &error).release();
    ASSERT_NE(server_, nullptr) << error;
    HttpClient c = server_->Client();
    const std::string& t = server_->admin_token();
    ASSERT_EQ(c.Post("/admin/v1/products", t, R"({"id":"p","name":"P"})").status, 201);
    ASSERT_EQ(c.Post("/admin/v1/subscriptions", t, R"({"id":"s","product_id":"p","seats":1})").status, 201);
    for (const char* name : {"ann", "bob", "=cmd"}) {
      auto r = c.Post("/scim/v2/Users", server_->scim_token(),
                      json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                           {"userName", name},
                           {"displayName", std::string("User, ") + name}}
                          .dump(),
                      "application/scim+json");
      ASSERT_EQ(r.status, 201) << r.body;
      ids_.push_back(json::parse(r.body)["id"]);
    }
    ASSERT_EQ(c.Put("/admin/v1/users/" + ids_[0] + "/licenses/s", t, "").status, 200);
    ASSERT_EQ(c.Put("/admin/v1/users/" + ids_[1] + "/licenses/s?queue=true", t, "").status, 200);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  // Signs in; returns {cookie header value, csrf}.
  static std::pair<std::string, std::string> SignIn(HttpClient& c) {
    // The token travels in the body only: the sign-in takes no credential.
    auto r = c.Post("/admin/v1/sessions", "", json{{"token", server_->admin_token()}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string set_cookie = r.Header("set-cookie");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(set_cookie, m, std::regex("allot_session=([^;]+)")));
    return {"allot_session=" + m[1].str(), json::parse(r.body)["csrf"]};
  }

  static TestServer* server_;
  static std::vector<std::string> ids_;
};
TestServer* ConsoleApiTest::server_ = nullptr;
std::vector<std::string> ConsoleApiTest::ids_;

TEST_F(ConsoleApiTest, RootRedirectsToTheConsole) {
  auto r = server_->Client().Send("GET", "/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location"), "/console/");
}

TEST_F(ConsoleApiTest, PagesCarryAStrictCspAndNoCaching) {
  HttpClient c = server_->Client();
  for (const char* path : {"/console/", "/console", "/console/users/some-id"}) {
    auto r = c.Send("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_NE(r.Header("content-type").find("text/html"), std::string::npos) << path;
    const std::string csp = r.Header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << path;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(r.Header("cache-control"), "no-store") << path;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << "no inline script";
  }
}

TEST_F(ConsoleApiTest, HashedAssetsAreCachedForAYearAndMissingOnesAre404) {
  HttpClient c = server_->Client();
  auto index = c.Send("GET", "/console/");
  std::smatch m;
  if (std::regex_search(index.body, m, std::regex("/console/assets/[A-Za-z0-9_.-]+\\.js"))) {
    auto asset = c.Send("GET", m[0].str());
    EXPECT_EQ(asset.status, 200);
    EXPECT_EQ(asset.Header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_NE(asset.Header("content-type").find("javascript"), std::string::npos);
  } else {
    GTEST_LOG_(INFO) << "this build has no console (ALLOT_CONSOLE=OFF)";
  }
  auto missing = c.Send("GET", "/console/assets/nope-123.js");
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ConsoleApiTest, SignInSetsAStrictHttpOnlySecureCookieAndNeverEchoesTheToken) {
  HttpClient c = server_->Client();
  auto r = c.Post("/admin/v1/sessions", "", json{{"token", server_->admin_token()}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string cookie = r.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_EQ(r.body.find(server_->admin_token()), std::string::npos);
  EXPECT_EQ(json::parse(r.body)["csrf"].get<std::string>().size(), 64u);
}

TEST_F(ConsoleApiTest, SignInRefusesABadToken) {
  HttpClient c = server_->Client();
  auto r = c.Post("/admin/v1/sessions", "", R"({"token":"allot_admin_wrong"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "unauthorized");
  EXPECT_EQ(c.Post("/admin/v1/sessions", "", json{{"token", server_->scim_token()}}.dump()).status,
            401);
  EXPECT_EQ(c.Post("/admin/v1/sessions", "", R"({"token":"x","extra":1})").status, 400);
  EXPECT_EQ(c.Post("/admin/v1/sessions?x=1", "", json{{"token", server_->admin_token()}}.dump())
                .status,
            400)
      << "unknown query parameters are refused here too";
  // A body over the sign-in's 8 KiB is refused before it is read.
  EXPECT_EQ(c.Post("/admin/v1/sessions", "", json{{"token", std::string(9000, 'a')}}.dump()).status,
            413);
}

TEST_F(ConsoleApiTest, TheAdminApiTakesTheSessionCookieAndWritesNeedTheCsrfValue) {
  HttpClient c = server_->Client();
  auto [cookie, csrf] = SignIn(c);
  // Reads with the cookie alone.
  auto who = c.Send("GET", "/admin/v1/whoami", "", {{"Cookie", cookie}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(json::parse(who.body)["role"], "global_admin");
  EXPECT_EQ(c.Send("GET", "/admin/v1/users", "", {{"Cookie", "allot_session=forged"}}).status, 401);
  EXPECT_EQ(c.Send("GET", "/admin/v1/users", "", {}).status, 401);
  // A write with the cookie but without the CSRF header is refused, and
  // changes nothing; with it, it goes through.
  const std::string path = "/admin/v1/users/" + ids_[2] + "/licenses/s?queue=true";
  auto refused = c.Send("PUT", path, "", {{"Cookie", cookie}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(c.Send("PUT", path, "", {{"Cookie", cookie}, {"X-Allot-CSRF", csrf.substr(0, 63) + (csrf.back() == 'a' ? "b" : "a")}})
                .status,
            403);
  auto licenses = c.Get("/admin/v1/users/" + ids_[2] + "/licenses", server_->admin_token());
  EXPECT_EQ(json::parse(licenses.body)["items"].size(), 0u) << licenses.body;
  auto done = c.Send("PUT", path, "", {{"Cookie", cookie}, {"X-Allot-CSRF", csrf}});
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(c.Send("DELETE", "/admin/v1/users/" + ids_[2] + "/licenses/s", "",
                   {{"Cookie", cookie}, {"X-Allot-CSRF", csrf}})
                .status,
            200);
  // The cookie counts only on the admin API.
  EXPECT_EQ(c.Send("GET", "/scim/v2/Users", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(ConsoleApiTest, ConsoleFilesAreServedWithoutACredential) {
  HttpClient c = server_->Client();
  EXPECT_EQ(c.Send("GET", "/console/", "", {}).status, 200);
  EXPECT_EQ(c.Send("HEAD", "/console/users", "", {}).status, 200);
}

TEST_F(ConsoleApiTest, ListsDeclareTheConsolesQueryParameters) {
  HttpClient c = server_->Client();
  const std::string& t = server_->admin_token();
  EXPECT_EQ(c.Get("/admin/v1/audit?until=2999-01-01T00:00:00Z&limit=5", t).status, 200);
  EXPECT_EQ(c.Get("/admin/v1/audit?format=json", t).status, 200);
  EXPECT_EQ(c.Get("/admin/v1/users?format=csv&q=ann&state=active", t).status, 200);
  EXPECT_EQ(c.Get("/admin/v1/reports/usage/series?subscription_id=s&days=7&points=10", t).status,
            200);
  // Lists without a CSV form refuse format=, like any unknown parameter.
  auto groups = c.Get("/admin/v1/groups?format=csv", t);
  EXPECT_EQ(groups.status, 400);
  EXPECT_NE(json::parse(groups.body)["error"]["message"].get<std::string>().find("format"),
            std::string::npos);
  EXPECT_EQ(c.Get("/admin/v1/reports/usage/series?subscription_id=s&day=7", t).status, 400);
}

TEST_F(ConsoleApiTest, SignOutNeedsTheCsrfValueAndEndsTheSession) {
  HttpClient c = server_->Client();
  auto [cookie, csrf] = SignIn(c);
  auto current = c.Send("GET", "/admin/v1/sessions/current", "", {{"Cookie", cookie}});
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(json::parse(current.body)["csrf"], csrf);

  auto headers = std::map<std::string, std::string>{{"Cookie", cookie}};
  EXPECT_EQ(c.Send("DELETE", "/admin/v1/sessions/current", "", headers).status, 403);
  headers["X-Allot-CSRF"] = csrf;
  auto out = c.Send("DELETE", "/admin/v1/sessions/current", "", headers);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  headers.erase("X-Allot-CSRF");
  EXPECT_EQ(c.Send("GET", "/admin/v1/sessions/current", "", headers).status, 401);
  EXPECT_EQ(c.Send("GET", "/admin/v1/whoami", "", headers).status, 401)
      << "a signed-out session opens nothing";
}

TEST_F(ConsoleApiTest, UsersExportAsCsvWithEveryPageAndSafeCells) {
  HttpClient c = server_->Client();
  auto r = c.Get("/admin/v1/users?format=csv&limit=1", server_->admin_token());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(r.Header("content-disposition").find("users.csv"), std::string::npos);
  // Header plus all three users, though the JSON page size asked was 1.
  size_t lines = 0;
  for (char ch : r.body) lines += ch == '\n';
  EXPECT_EQ(lines, 4u) << r.body;
  EXPECT_NE(r.body.find("\"User, ann\""), std::string::npos) << "a comma is quoted";
  EXPECT_NE(r.body.find(",'=cmd,"), std::string::npos) << "a formula is defused";
  EXPECT_NE(r.body.find("s:active"), std::string::npos);
}

// The export streams page after page (kCsvPageRows, 500, a page): 1,200
// more users than one page holds arrive complete, each once, in order.
TEST_F(ConsoleApiTest, CsvExportOfManyPagesArrivesCompleteAndInOrder) {
  HttpClient c = server_->Client();
  std::vector<std::string> names;
  for (int batch = 0; batch < 2; ++batch) {
    json ops = json::array();
    for (int i = 0; i < 600; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "csv%04d@example.com", batch * 600 + i);
      names.push_back(name);
      ops.push_back({{"method", "POST"},
                     {"path", "/Users"},
                     {"bulkId", name},
                     {"data",
                      {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                       {"userName", name},
                       {"displayName", std::string("CSV, ") + name}}}});
    }
    auto r = c.Post("/scim/v2/Bulk", server_->scim_token(),
                    json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}},
                         {"Operations", ops}}
                        .dump(),
                    "application/scim+json");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  }
  auto r = c.Get("/admin/v1/users?format=csv&q=csv", server_->admin_token());
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_TRUE(r.body.starts_with("\xEF\xBB\xBFid,user_name,")) << r.body.substr(0, 80);
  std::vector<std::string> got;
  size_t at = r.body.find("\r\n") + 2;
  for (size_t end; (end = r.body.find("\r\n", at)) != std::string::npos; at = end + 2) {
    const std::string line = r.body.substr(at, end - at);
    const size_t a = line.find(',');
    got.push_back(line.substr(a + 1, line.find(',', a + 1) - a - 1));
    EXPECT_NE(line.find("\"CSV, " + got.back() + "\""), std::string::npos) << line;
  }
  EXPECT_EQ(at, r.body.size()) << "the body ends with a whole row";
  EXPECT_EQ(got, names) << "every user once, in user name order";
}

TEST_F(ConsoleApiTest, AssignmentsAndAuditExportAsCsv) {
  HttpClient c = server_->Client();
  auto a = c.Get("/admin/v1/subscriptions/s/assignments?format=csv", server_->admin_token());
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("user_id,user_name,display_name,state,source,since"), std::string::npos);
  EXPECT_NE(a.body.find(",pending,"), std::string::npos);
  auto audit = c.Get("/admin/v1/audit?format=csv", server_->admin_token());
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("subscription.created"), std::string::npos);
  EXPECT_EQ(c.Get("/admin/v1/audit?format=xml", server_->admin_token()).status, 400);
}

TEST_F(ConsoleApiTest, UsageSeriesEndsWithThePoolAsItIsNow) {
  HttpClient c = server_->Client();
  auto r = c.Get("/admin/v1/reports/usage/series?subscription_id=s&days=1&points=5",
                 server_->admin_token());
  ASSERT_EQ(r.status, 200) << r.body;
  json points = json::parse(r.body)["points"];
  ASSERT_EQ(points.size(), 5u);
  EXPECT_EQ(points.back()["assigned"], 1);
  EXPECT_EQ(points.back()["pending"], 1);
  EXPECT_EQ(points.front()["assigned"], 0) << "nothing was held a day ago";
  EXPECT_EQ(points.front()["pending"], 0);
  EXPECT_EQ(c.Get("/admin/v1/reports/usage/series?subscription_id=nope", server_->admin_token()).status,
            404);
  EXPECT_EQ(c.Get("/admin/v1/reports/usage/series", server_->admin_token()).status, 400);
}

}  // namespace
}  // namespace allot::testing

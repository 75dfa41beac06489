// The operator API through the real binary: operator/tenant token
// separation, onboarding, suspension, the catalog lock and isolation.
#include <gtest/gtest.h>

#include "tests/operator/operator_fixture.h"

namespace allot::operator_testing {
namespace {

using allot::testing::CommandResult;
using allot::testing::RunAllot;

TEST_F(OperatorTest, OperatorAndTenantTokensWorkOnlyOnTheirOwnSurface) {
  EXPECT_EQ(Op("GET", "/tenants").status, 200);
  // The operator token is no tenant credential…
  EXPECT_EQ(As(op(), "GET", "/admin/v1/whoami").status, 401);
  EXPECT_EQ(As(op(), "GET", "/scim/v2/Users").status, 401);
  // …and tenant tokens are no operator credential.
  for (const std::string& token : {server_->admin_token(), server_->scim_token()}) {
    HttpResponse r = As(token, "GET", "/operator/v1/tenants");
    EXPECT_EQ(r.status, 401) << r.body;
  }
  EXPECT_EQ(As("", "GET", "/operator/v1/tenants").status, 401);
  EXPECT_EQ(As("allot_operator_bogus", "GET", "/operator/v1/tenants").status, 401);
}

TEST_F(OperatorTest, OperatorTokenCommandIssuesAnotherWorkingToken) {
  std::vector<std::string> args = {"operator-token", "--data-dir", server_->data_dir()};
  if (server_->db_url().rfind("postgresql://", 0) == 0) {
    args.insert(args.end(), {"--db", server_->db_url()});
  }
  CommandResult r = RunAllot(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("operator_token")) << r.out;
  const std::string second = j["operator_token"];
  EXPECT_NE(second, op());
  EXPECT_EQ(As(second, "GET", "/operator/v1/tenants").status, 200);
  EXPECT_EQ(As(second, "GET", "/admin/v1/whoami").status, 401);
  // A second `allot init` (another tenant) prints no further operator token.
  std::vector<std::string> init = {"init", "--data-dir", server_->data_dir(), "--tenant", "two"};
  if (server_->db_url().rfind("postgresql://", 0) == 0) {
    init.insert(init.end(), {"--db", server_->db_url()});
  }
  CommandResult again = RunAllot(init);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(json::parse(again.out).contains("operator_token")) << again.out;
}

TEST_F(OperatorTest, OperatorTokenCommandWithoutDatabaseFailsClearly) {
  allot::testing::TempDir empty;
  CommandResult r = RunAllot({"operator-token", "--data-dir", empty.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("allot init"), std::string::npos) << r.err;
  EXPECT_EQ(RunAllot({"operator-token"}).exit_code, 2);
}

TEST_F(OperatorTest, OnboardedTenantsTokensWorkAtOnce) {
  HttpResponse r = Op("POST", "/tenants", json{{"id", "acme"}, {"name", "Acme Corp"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const json made = Json(r);
  EXPECT_EQ(made["tenant"]["id"], "acme");
  EXPECT_EQ(made["tenant"]["name"], "Acme Corp");
  EXPECT_EQ(made["tenant"]["status"], "active");
  EXPECT_EQ(made["tenant"]["self_managed_catalog"], false);
  EXPECT_TRUE(made["tenant"]["created_at"].is_string());
  const std::string admin = made["admin_token"], scim = made["scim_token"];

  r = As(admin, "GET", "/admin/v1/whoami");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["tenant"], "acme") << r.body;
  EXPECT_FALSE(ScimUser(scim, "ada@acme.example").empty());
  // The tokens are shown once: a read does not carry them.
  r = Op("GET", "/tenants/acme");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(Json(r).contains("admin_token"));

  // The init tenant manages its own catalog; the list has both, by id.
  r = Op("GET", "/tenants");
  const json list = Json(r);
  ASSERT_EQ(list["items"].size(), 2u) << r.body;
  EXPECT_EQ(list["items"][0]["id"], "acme");
  EXPECT_EQ(list["items"][1]["id"], "default");
  EXPECT_EQ(list["items"][1]["self_managed_catalog"], true);
  EXPECT_TRUE(list["next_cursor"].is_null());

  // Onboarding is audited in the new tenant's log, by the operator.
  const std::vector<json> created = Events(admin, "tenant.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0]["actor"]["kind"], "operator");
  EXPECT_EQ(Events(server_->admin_token(), "tenant.created").size(), 0u);

  EXPECT_EQ(Op("POST", "/tenants", json{{"id", "acme"}, {"name", "Again"}}.dump()).status, 409);
  EXPECT_EQ(Op("POST", "/tenants", json{{"id", "Bad Id"}, {"name", "x"}}.dump()).status, 400);
  EXPECT_EQ(Op("POST", "/tenants", json{{"id", "x"}}.dump()).status, 400);
  EXPECT_EQ(Op("GET", "/tenants/nobody").status, 404);
  // Without an id, one is generated.
  r = Op("POST", "/tenants", json{{"name", "Globex"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(Json(r)["tenant"]["id"].get<std::string>().empty());
}

TEST_F(OperatorTest, SuspensionRefusesEveryTokenOfTheTenantAndChangesNothing) {
  const TenantTokens acme = Onboard("acme", "Acme");
  const std::string ada = ScimUser(acme.scim, "ada@acme.example");
  OpProduct("acme", "office");
  OpSubscription("acme", {{"id", "office-2026"}, {"product_id", "office"}, {"seats", 5}});
  ASSERT_EQ(As(acme.admin, "PUT", "/admin/v1/users/" + ada + "/licenses/office-2026").status, 200);

  HttpResponse r = Op("PATCH", "/tenants/acme", json{{"status", "suspended"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "suspended");

  r = As(acme.admin, "GET", "/admin/v1/users");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Json(r)["error"]["code"], "tenant_suspended");
  r = As(acme.admin, "DELETE", "/admin/v1/users/" + ada + "/licenses/office-2026");
  EXPECT_EQ(r.status, 403) << r.body;
  r = As(acme.scim, "GET", "/scim/v2/Users");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Json(r)["status"], "403") << "a SCIM error body";
  EXPECT_EQ(Json(r)["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
  r = As(acme.scim, "DELETE", "/scim/v2/Users/" + ada);
  EXPECT_EQ(r.status, 403);
  // A bad token still gets 401: suspension is told only to real tokens.
  EXPECT_EQ(As("allot_admin_nonsense", "GET", "/admin/v1/users").status, 401);
  // Other tenants are untouched.
  EXPECT_EQ(As(server_->admin_token(), "GET", "/admin/v1/users").status, 200);
  // The operator still reads the tenant's catalog.
  r = Op("GET", "/tenants/acme/subscriptions/office-2026");
  EXPECT_EQ(Json(r)["assigned"], 1);

  r = Op("PATCH", "/tenants/acme", json{{"status", "active"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  r = As(acme.scim, "GET", "/scim/v2/Users/" + ada);
  EXPECT_EQ(r.status, 200) << "the user was not deleted while suspended: " << r.body;
  EXPECT_EQ(State(acme.admin, ada, "office-2026"), "active");
  EXPECT_EQ(Events(acme.admin, "tenant.suspended").size(), 1u);
  EXPECT_EQ(Events(acme.admin, "tenant.activated").size(), 1u);
  EXPECT_EQ(Op("PATCH", "/tenants/acme", json{{"status", "paused"}}.dump()).status, 400);
  EXPECT_EQ(Op("PATCH", "/tenants/acme", "{}").status, 400);
}

// A console session stands for its admin token: it stops with the tenant's
// suspension and carries the operator's catalog lock.
TEST_F(OperatorTest, ConsoleSessionsFollowSuspensionAndTheCatalogLock) {
  const TenantTokens acme = Onboard("acme", "Acme");
  HttpResponse r = c().Send("POST", "/admin/v1/sessions", json{{"token", acme.admin}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  std::string cookie;
  for (const auto& [key, value] : r.headers) {
    if (key == "set-cookie") cookie = value.substr(0, value.find(';'));
  }
  ASSERT_EQ(cookie.rfind("allot_session=", 0), 0u) << cookie;
  const std::string csrf = Json(r)["csrf"];
  const std::map<std::string, std::string> session = {{"Cookie", cookie}, {"X-Allot-CSRF", csrf}};

  r = c().Send("POST", "/admin/v1/products", json{{"id", "free"}, {"name", "Free"}}.dump(),
               session);
  EXPECT_EQ(r.status, 403) << "the catalog is the operator's: " << r.body;
  EXPECT_EQ(Op("GET", "/tenants/acme/products/free").status, 404);

  ASSERT_EQ(Op("PATCH", "/tenants/acme", json{{"status", "suspended"}}.dump()).status, 200);
  r = c().Send("GET", "/admin/v1/users", "", session);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Json(r)["error"]["code"], "tenant_suspended");
  ASSERT_EQ(Op("PATCH", "/tenants/acme", json{{"status", "active"}}.dump()).status, 200);
  EXPECT_EQ(c().Send("GET", "/admin/v1/users", "", session).status, 200);
}

TEST_F(OperatorTest, OperatorMadeTenantsAdminsCannotChangeWhatWasBought) {
  const TenantTokens acme = Onboard("acme", "Acme");
  HttpResponse r = As(acme.admin, "POST", "/admin/v1/products",
                      json{{"id", "free"}, {"name", "Free stuff"}}.dump());
  EXPECT_EQ(r.status, 403) << r.body;
  OpProduct("acme", "office");
  r = As(acme.admin, "POST", "/admin/v1/subscriptions",
         json{{"id", "s"}, {"product_id", "office"}, {"seats", 1000}}.dump());
  EXPECT_EQ(r.status, 403) << r.body;
  json sub = OpSubscription("acme", {{"id", "office-2026"},
                                     {"product_id", "office"},
                                     {"seats", 5},
                                     {"starts_at", TimeFromNow(-3600)},
                                     {"ends_at", TimeFromNow(86400)}});
  EXPECT_EQ(sub["status"], "active");
  EXPECT_EQ(sub["available"], 5);
  for (const json& change : {json{{"seats", 1000}}, json{{"ends_at", TimeFromNow(9999999)}},
                             json{{"starts_at", nullptr}}}) {
    r = As(acme.admin, "PATCH", "/admin/v1/subscriptions/office-2026", change.dump());
    EXPECT_EQ(r.status, 403) << change.dump() << " " << r.body;
  }
  EXPECT_EQ(As(acme.admin, "PATCH", "/admin/v1/products/office", json{{"name", "x"}}.dump()).status,
            403);
  EXPECT_EQ(As(acme.admin, "DELETE", "/admin/v1/products/office").status, 403);
  // whoami offers only what the token may do (the console shows its actions
  // from it): not the operator's catalog, but still the fill.
  json permissions = Json(As(acme.admin, "GET", "/admin/v1/whoami"))["permissions"];
  EXPECT_FALSE(permissions.contains("manage_catalog")) << permissions.dump();
  EXPECT_FALSE(permissions.contains("change_seats")) << permissions.dump();
  EXPECT_EQ(permissions.value("change_fill", ""), "all") << permissions.dump();
  // Who gets freed seats stays the tenant's call; reading is as before.
  r = As(acme.admin, "PATCH", "/admin/v1/subscriptions/office-2026", json{{"fill", "manual"}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  r = As(acme.admin, "GET", "/admin/v1/subscriptions/office-2026");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)["seats"], 5);
  EXPECT_EQ(Json(r)["ends_at"], sub["ends_at"]);
  EXPECT_EQ(Json(r)["status"], "active");

  // The operator sets seats; its change is audited in the tenant's log.
  r = Op("PATCH", "/tenants/acme/subscriptions/office-2026", json{{"seats", 7}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["seats"], 7);
  const std::vector<json> updated = Events(acme.admin, "subscription.updated");
  ASSERT_FALSE(updated.empty());
  EXPECT_EQ(updated[0]["actor"]["kind"], "operator");

  // Handing the catalog over to the tenant lifts the lock.
  r = Op("PATCH", "/tenants/acme", json{{"self_managed_catalog", true}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  r = As(acme.admin, "PATCH", "/admin/v1/subscriptions/office-2026", json{{"seats", 9}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  permissions = Json(As(acme.admin, "GET", "/admin/v1/whoami"))["permissions"];
  EXPECT_EQ(permissions.value("manage_catalog", ""), "all") << permissions.dump();
  EXPECT_EQ(permissions.value("change_seats", ""), "all") << permissions.dump();
}

TEST_F(OperatorTest, TheInitTenantManagesItsOwnCatalogButSubscriptionAdminsNeverSetSeats) {
  const std::string& admin = server_->admin_token();
  HttpResponse r = As(admin, "POST", "/admin/v1/products", json{{"id", "lit"}, {"name", "Lit"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  r = As(admin, "POST", "/admin/v1/subscriptions",
         json{{"id", "lit-2026"}, {"product_id", "lit"}, {"seats", 3},
              {"ends_at", TimeFromNow(86400)}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["status"], "active");
  EXPECT_TRUE(Json(r)["starts_at"].is_null());
  r = As(admin, "PATCH", "/admin/v1/subscriptions/lit-2026",
         json{{"seats", 10}, {"ends_at", nullptr}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["seats"], 10);
  EXPECT_TRUE(Json(r)["ends_at"].is_null());

  r = As(admin, "POST", "/admin/v1/admins",
         json{{"name", "lit lead"}, {"role", "subscription_admin"}, {"subscriptions", {"lit-2026"}}}
             .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string lead = Json(r)["token"];
  for (const json& change : {json{{"seats", 11}}, json{{"ends_at", TimeFromNow(60)}}}) {
    r = As(lead, "PATCH", "/admin/v1/subscriptions/lit-2026", change.dump());
    EXPECT_EQ(r.status, 403) << r.body;
  }
  EXPECT_EQ(Json(As(admin, "GET", "/admin/v1/subscriptions/lit-2026"))["seats"], 10);
}

TEST_F(OperatorTest, EveryOperatorActionStaysWithinTheTenantOfItsPath) {
  const TenantTokens acme = Onboard("acme", "Acme");
  Onboard("globex", "Globex");
  OpProduct("acme", "office");
  OpSubscription("acme", {{"id", "office-2026"}, {"product_id", "office"}, {"seats", 5}});
  // globex sees none of acme's catalog, through either API.
  for (const std::string& path :
       {std::string("/tenants/globex/subscriptions/office-2026"),
        std::string("/tenants/globex/products/office")}) {
    EXPECT_EQ(Op("GET", path).status, 404) << path;
  }
  EXPECT_EQ(Json(Op("GET", "/tenants/globex/subscriptions"))["items"].size(), 0u);
  EXPECT_EQ(Json(Op("GET", "/tenants/globex/products"))["items"].size(), 0u);
  EXPECT_EQ(Op("PATCH", "/tenants/globex/subscriptions/office-2026", json{{"seats", 1}}.dump()).status,
            404);
  // A subscription of a product of another tenant is refused.
  HttpResponse r = Op("POST", "/tenants/globex/subscriptions",
                      json{{"id", "x"}, {"product_id", "office"}, {"seats", 1}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  // An unknown tenant is 404 for every catalog path, and nothing is made.
  EXPECT_EQ(Op("POST", "/tenants/nobody/products", json{{"id", "p"}, {"name", "P"}}.dump()).status,
            404);
  EXPECT_EQ(Op("GET", "/tenants/nobody/subscriptions").status, 404);
  EXPECT_EQ(Json(As(server_->admin_token(), "GET", "/admin/v1/products"))["items"].size(), 0u);
  // Same id in two tenants: two different subscriptions.
  OpProduct("globex", "office");
  OpSubscription("globex", {{"id", "office-2026"}, {"product_id", "office"}, {"seats", 2}});
  EXPECT_EQ(Json(Op("GET", "/tenants/acme/subscriptions/office-2026"))["seats"], 5);
  EXPECT_EQ(Json(As(acme.admin, "GET", "/admin/v1/subscriptions/office-2026"))["seats"], 5);
  // Query parameters are strict, as in the admin API.
  EXPECT_EQ(Op("GET", "/tenants?bogus=1").status, 400);
}

TEST_F(OperatorTest, MetricsAreTheOperatorsAndCarrySeatsPerTenantAndSubscription) {
  const TenantTokens acme = Onboard("acme", "Acme");
  OpProduct("acme", "office");
  OpSubscription("acme", {{"id", "office-2026"}, {"product_id", "office"}, {"seats", 1}});
  const std::string ada = ScimUser(acme.scim, "ada@acme.example");
  const std::string bob = ScimUser(acme.scim, "bob@acme.example");
  ASSERT_EQ(As(acme.admin, "PUT", "/admin/v1/users/" + ada + "/licenses/office-2026").status, 200);
  ASSERT_EQ(
      As(acme.admin, "PUT", "/admin/v1/users/" + bob + "/licenses/office-2026?queue=true").status,
      200);
  for (const std::string& token : {acme.admin, server_->admin_token()}) {
    HttpResponse r = As(token, "GET", "/metrics");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Json(r)["error"]["code"], "forbidden");
  }
  EXPECT_EQ(As(acme.scim, "GET", "/metrics").status, 401);
  HttpResponse r = As(op(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string labels = R"({tenant="acme",subscription="office-2026"} )";
  EXPECT_NE(r.body.find("allot_subscription_seats" + labels + "1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("allot_subscription_assigned" + labels + "1\n"), std::string::npos);
  EXPECT_NE(r.body.find("allot_subscription_pending" + labels + "1\n"), std::string::npos);
  EXPECT_NE(r.body.find("allot_subscription_gauges_truncated 0"), std::string::npos);
}

TEST_F(OperatorTest, UsageSpansTenantsAndPages) {
  Onboard("acme", "Acme");
  Onboard("globex", "Globex");
  OpProduct("acme", "office");
  OpProduct("globex", "office");
  OpSubscription("acme", {{"id", "a1"}, {"product_id", "office"}, {"seats", 5},
                          {"ends_at", TimeFromNow(86400)}});
  OpSubscription("acme", {{"id", "a2"}, {"product_id", "office"}, {"seats", 3},
                          {"starts_at", TimeFromNow(86400)}});
  OpSubscription("globex", {{"id", "g1"}, {"product_id", "office"}, {"seats", 7}});
  HttpResponse r = Op("GET", "/usage");
  ASSERT_EQ(r.status, 200) << r.body;
  const json all = Json(r)["items"];
  ASSERT_EQ(all.size(), 3u) << r.body;
  EXPECT_EQ(all[0]["tenant_id"], "acme");
  EXPECT_EQ(all[0]["subscription_id"], "a1");
  EXPECT_EQ(all[0]["available"], 5);
  EXPECT_EQ(all[0]["status"], "active");
  EXPECT_TRUE(all[0]["ends_at"].is_string());
  EXPECT_EQ(all[1]["status"], "scheduled");
  EXPECT_EQ(all[2]["tenant_id"], "globex");
  EXPECT_EQ(all[2]["seats"], 7);
  r = Op("GET", "/usage?tenant_id=globex");
  ASSERT_EQ(Json(r)["items"].size(), 1u) << r.body;
  // Pages of one, in the same order.
  std::vector<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 5; ++i) {
    r = Op("GET", "/usage?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = Json(r);
    ASSERT_EQ(page["items"].size(), 1u) << r.body;
    seen.push_back(page["items"][0]["subscription_id"]);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "a2", "g1"}));
  EXPECT_EQ(As(server_->admin_token(), "GET", "/operator/v1/usage").status, 401);
}

TEST_F(OperatorTest, PolicyReloadIsTheOperatorsForEveryTenant) {
  HttpResponse r = Op("POST", "/policies/reload", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["reloaded"], true);
  EXPECT_EQ(As(server_->admin_token(), "POST", "/operator/v1/policies/reload", "{}").status, 401);
}

}  // namespace
}  // namespace allot::operator_testing

// The entitlements API and app tokens (issue 13) through the real binary:
// who may call it, which tokens work where, and "entitled" being true only
// for an active license in its term of a live user not on hold.
#include <gtest/gtest.h>

#include "tests/webhooks/webhooks_fixture.h"

namespace allot::webhooks_testing {
namespace {

class Entitlements : public ServeTest {};

TEST_F(Entitlements, AppTokenWorksOnlyUnderEntitlements) {
  const std::string app = AppToken();
  ASSERT_FALSE(app.empty());
  EXPECT_TRUE(app.starts_with("allot_app_"));
  EXPECT_EQ(As(app, "GET", "/entitlements/v1/check?user=x&product=y").status, 200);
  for (const char* path : {"/admin/v1/whoami", "/admin/v1/users", "/scim/v2/Users",
                           "/operator/v1/tenants", "/metrics"}) {
    HttpResponse r = As(app, "GET", path);
    EXPECT_EQ(r.status, 401) << path << " " << r.body;
  }
  EXPECT_EQ(As(app, "POST", "/admin/v1/app-tokens", R"({"name":"x"})").status, 401);
}

TEST_F(Entitlements, AdminScimAndOperatorTokensDoNotWorkUnderEntitlements) {
  for (const std::string& token : {admin_, scim_, server_->operator_token()}) {
    HttpResponse r = As(token, "GET", "/entitlements/v1/check?user=x&product=y");
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(r.body.find("app token"), std::string::npos) << r.body;
    EXPECT_EQ(As(token, "GET", "/entitlements/v1/users/x").status, 401);
  }
  EXPECT_EQ(c().Get("/entitlements/v1/check?user=x&product=y", "").status, 401);
  EXPECT_EQ(c().Get("/entitlements/v1/check?user=x&product=y", "allot_app_nope").status, 401);
}

TEST_F(Entitlements, OnlyAGlobalAdminManagesAppTokensAndTheyAreAudited) {
  Subscription("lit", "lit-2026", 5);
  HttpResponse made = Admin("POST", "/admins",
                            json{{"name", "ua"}, {"role", "user_admin"}}.dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string user_admin = Json(made)["token"];
  made = Admin("POST", "/admins",
               json{{"name", "sa"}, {"role", "subscription_admin"}, {"subscriptions", {"lit-2026"}}}
                   .dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string sub_admin = Json(made)["token"];
  for (const std::string& t : {user_admin, sub_admin}) {
    EXPECT_EQ(As(t, "POST", "/admin/v1/app-tokens", R"({"name":"x"})").status, 403);
    EXPECT_EQ(As(t, "GET", "/admin/v1/app-tokens").status, 403);
    EXPECT_EQ(As(t, "GET", "/admin/v1/webhooks").status, 403);
  }

  HttpResponse r = Admin("POST", "/app-tokens", R"({"name":"reader","products":["lit"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const json created = Json(r);
  EXPECT_EQ(created["products"], json({"lit"}));
  const json list = Json(Admin("GET", "/app-tokens"));
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  EXPECT_EQ(list["items"][0]["id"], created["id"]);
  EXPECT_FALSE(list["items"][0].contains("token")) << "shown once only";
  EXPECT_EQ(Admin("POST", "/app-tokens", R"({"name":"x","products":["nope"]})").status, 400);
  EXPECT_EQ(Admin("POST", "/app-tokens", R"({"name":"x","products":[]})").status, 400);
  EXPECT_EQ(Admin("POST", "/app-tokens", R"({"products":["lit"]})").status, 400);

  const std::string token = created["token"];
  EXPECT_EQ(As(token, "GET", "/entitlements/v1/check?user=x&product=lit").status, 200);
  EXPECT_EQ(Admin("DELETE", "/app-tokens/" + created["id"].get<std::string>()).status, 204);
  EXPECT_EQ(As(token, "GET", "/entitlements/v1/check?user=x&product=lit").status, 401)
      << "a revoked app token stops working at once";
  EXPECT_EQ(Admin("DELETE", "/app-tokens/" + created["id"].get<std::string>()).status, 404);

  int issued = 0, revoked = 0;
  const json audit = Json(Admin("GET", "/audit?limit=1000"));
  for (const json& e : audit["items"]) {
    if (e["target"]["id"] != created["id"]) continue;
    if (e["action"] == "token.issued") ++issued;
    if (e["action"] == "token.revoked") ++revoked;
    EXPECT_EQ(e.dump().find("allot_app_"), std::string::npos) << "no token in the audit log";
  }
  EXPECT_EQ(issued, 1);
  EXPECT_EQ(revoked, 1);
}

TEST_F(Entitlements, NamesAUserByIdUserNameInAnyCaseOrExternalId) {
  Subscription("lit", "lit-2026", 5, {{"ends_at", TimeFromNow(86400)}});
  const std::string ann = User("Ann.Smith@example.com", "emp-1001");
  Assign(ann, "lit-2026");
  const std::string app = AppToken();
  for (const std::string& name : {ann, std::string("Ann.Smith@example.com"),
                                  std::string("ann.smith@EXAMPLE.COM"), std::string("emp-1001")}) {
    const json j = Check(app, name, "lit");
    EXPECT_EQ(j["entitled"], true) << name << " " << j.dump();
    EXPECT_EQ(j["user_id"], ann);
    EXPECT_EQ(j["product_id"], "lit");
    EXPECT_EQ(j["subscription_id"], "lit-2026");
    EXPECT_EQ(j["state"], "active");
    EXPECT_TRUE(j["ends_at"].is_string()) << j.dump();
  }
  const json unknown = Check(app, "nobody@example.com", "lit");
  EXPECT_EQ(unknown, json({{"entitled", false},
                           {"user_id", nullptr},
                           {"product_id", "lit"},
                           {"subscription_id", nullptr},
                           {"state", nullptr},
                           {"ends_at", nullptr}}));
  const json other = Check(app, ann, "another-product");
  EXPECT_EQ(other["entitled"], false);
  EXPECT_EQ(other["user_id"], ann);
  EXPECT_TRUE(other["subscription_id"].is_null());

  HttpResponse u = As(app, "GET", "/entitlements/v1/users/ann.smith@example.com");
  ASSERT_EQ(u.status, 200) << u.body;
  const json user = Json(u);
  EXPECT_EQ(user["user_id"], ann);
  EXPECT_EQ(user["user_name"], "Ann.Smith@example.com");
  EXPECT_EQ(user["external_id"], "emp-1001");
  EXPECT_EQ(user["active"], true);
  ASSERT_EQ(user["licenses"].size(), 1u) << u.body;
  const json& l = user["licenses"][0];
  EXPECT_EQ(l["product_id"], "lit");
  EXPECT_EQ(l["subscription_id"], "lit-2026");
  EXPECT_EQ(l["state"], "active");
  EXPECT_TRUE(l["since"].is_string());
  EXPECT_TRUE(l["ends_at"].is_string());
  EXPECT_EQ(As(app, "GET", "/entitlements/v1/users/nobody").status, 404);
  EXPECT_EQ(As(app, "GET", "/entitlements/v1/check?user=" + ann).status, 400)
      << "product is required";
  EXPECT_EQ(As(app, "GET", "/entitlements/v1/check?user=a&product=b&extra=1").status, 400);
}

// No term sweep during the test: an expired license is still there, active,
// and must not entitle. (That the sweep then ends it is checked by the
// webhooks' tests: license.released with reason "expired".)
class EntitlementsWithoutSweep : public Entitlements {
  const char* SweepSeconds() override { return "3600"; }
};

TEST_F(EntitlementsWithoutSweep, EntitledOnlyForActive) {
  Subscription("lit", "lit-2026", 4);
  Subscription("lab", "lab-2026", 4);
  const std::string app = AppToken();
  const std::string active = User("active@example.com");
  const std::string pending = User("pending@example.com");
  const std::string inactive = User("inactive@example.com");
  const std::string deleted = User("deleted@example.com");
  const std::string held = User("held@example.com");
  const std::string expired = User("expired@example.com");
  for (const std::string& u : {active, inactive, deleted, held}) Assign(u, "lit-2026");
  Assign(expired, "lab-2026");
  // The pool is full: the next one waits.
  HttpResponse fill = Admin("PATCH", "/subscriptions/lit-2026", R"({"seats":4})");
  ASSERT_EQ(fill.status, 200) << fill.body;
  Assign(pending, "lit-2026", /*queue=*/true);
  for (const std::string& u : {active, inactive, deleted, held}) {
    EXPECT_EQ(Check(app, u, "lit")["entitled"], true) << u;
  }
  EXPECT_EQ(Check(app, expired, "lab")["entitled"], true);

  const json p = Check(app, pending, "lit");
  EXPECT_EQ(p["entitled"], false) << p.dump();
  EXPECT_EQ(p["state"], "pending");
  EXPECT_EQ(p["subscription_id"], "lit-2026");

  Deactivate(inactive);
  const json i = Check(app, inactive, "lit");
  EXPECT_EQ(i["entitled"], false) << i.dump();
  EXPECT_EQ(i["user_id"], inactive);
  HttpResponse iu = As(app, "GET", "/entitlements/v1/users/" + inactive);
  ASSERT_EQ(iu.status, 200);
  EXPECT_EQ(Json(iu)["active"], false);

  ASSERT_EQ(c().Delete("/scim/v2/Users/" + deleted, scim_).status, 204);
  const json d = Check(app, deleted, "lit");
  EXPECT_EQ(d["entitled"], false) << d.dump();
  EXPECT_TRUE(d["user_id"].is_null()) << "a deleted user is unknown";
  EXPECT_EQ(As(app, "GET", "/entitlements/v1/users/" + deleted).status, 404);

  ASSERT_EQ(Admin("DELETE", "/users/" + held + "/licenses").status, 200);
  const json h = Check(app, held, "lit");
  EXPECT_EQ(h["entitled"], false) << h.dump();

  // The end of the term passes: not entitled from that moment, before any
  // sweep has ended the assignment.
  HttpResponse end = Admin("PATCH", "/subscriptions/lab-2026",
                           json{{"ends_at", TimeFromNow(-1)}}.dump());
  ASSERT_EQ(end.status, 200) << end.body;
  const json e = Check(app, expired, "lab");
  EXPECT_EQ(e["entitled"], false) << e.dump();
  EXPECT_EQ(e["state"], "active") << "the assignment is still there";
  EXPECT_TRUE(e["ends_at"].is_string());
  const json eu = Json(As(app, "GET", "/entitlements/v1/users/" + expired));
  ASSERT_EQ(eu["licenses"].size(), 1u) << eu.dump();
  EXPECT_EQ(eu["licenses"][0]["entitled"], false);

  // The one still active (the pending one got a seat freed meanwhile).
  EXPECT_EQ(Check(app, active, "lit")["entitled"], true);
  EXPECT_EQ(Check(app, pending, "lit")["entitled"], true)
      << "a seat freed by the deprovisioned users went to the queue";
}

TEST_F(Entitlements, ATokenLimitedToProductsAnswersOthersAsNotEntitled) {
  Subscription("lit", "lit-2026", 2);
  Subscription("lab", "lab-2026", 2);
  const std::string u = User("both@example.com");
  Assign(u, "lit-2026");
  Assign(u, "lab-2026");
  const std::string lit_only = AppToken(json{"lit"});
  EXPECT_EQ(Check(lit_only, u, "lit")["entitled"], true);
  const json lab = Check(lit_only, u, "lab");
  EXPECT_EQ(lab["entitled"], false) << lab.dump();
  EXPECT_TRUE(lab["subscription_id"].is_null());
  EXPECT_TRUE(lab["state"].is_null());
  const json user = Json(As(lit_only, "GET", "/entitlements/v1/users/" + u));
  ASSERT_EQ(user["licenses"].size(), 1u) << user.dump();
  EXPECT_EQ(user["licenses"][0]["product_id"], "lit");
  const std::string all = AppToken();
  EXPECT_EQ(Check(all, u, "lab")["entitled"], true);
  EXPECT_EQ(Json(As(all, "GET", "/entitlements/v1/users/" + u))["licenses"].size(), 2u);
}

TEST_F(Entitlements, AnAppTokenSeesOnlyItsTenant) {
  Subscription("lit", "lit-2026", 2);
  const std::string u = User("mine@example.com");
  Assign(u, "lit-2026");
  const std::string mine = AppToken();
  // A second tenant, onboarded by the operator, with its own app token.
  HttpResponse t = c().Send("POST", "/operator/v1/tenants", R"({"id":"other","name":"Other"})",
                            {{"Authorization", "Bearer " + server_->operator_token()}});
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string other_admin = Json(t)["admin_token"];
  HttpResponse o = As(other_admin, "POST", "/admin/v1/app-tokens", R"({"name":"theirs"})");
  ASSERT_EQ(o.status, 201) << o.body;
  const std::string theirs = Json(o)["token"];
  EXPECT_EQ(Check(mine, u, "lit")["entitled"], true);
  const json j = Check(theirs, u, "lit");
  EXPECT_EQ(j["entitled"], false);
  EXPECT_TRUE(j["user_id"].is_null()) << "another tenant's user is unknown here";
  EXPECT_EQ(As(theirs, "GET", "/entitlements/v1/users/" + u).status, 404);
  EXPECT_EQ(Check(theirs, "mine@example.com", "lit")["user_id"], nullptr);
}

}  // namespace
}  // namespace allot::webhooks_testing

// /admins, /admins/{id}/tokens and /scim-tokens through the real binary.
#include <set>
#include <thread>

#include "tests/admin/admin_fixture.h"

namespace allot::testing {
namespace {

using nlohmann::json;

class PrincipalsApiTest : public AdminApiTest {};

TEST_F(PrincipalsApiTest, PostAdminReturnsTheAdminAndItsTokenOnce) {
  HttpResponse r = Call("POST", "/admin/v1/admins", roles_.global,
                        R"({"name":"Sam","role":"subscription_admin","subscriptions":["sub-b","sub-a","sub-a"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  json body = Json(r);
  EXPECT_EQ(body["admin"]["name"], "Sam");
  EXPECT_EQ(body["admin"]["role"], "subscription_admin");
  EXPECT_EQ(body["admin"]["subscriptions"], json({"sub-a", "sub-b"}));
  EXPECT_TRUE(body["admin"]["id"].is_string());
  const std::string token = body["token"];
  EXPECT_EQ(token.rfind("allot_admin_", 0), 0u);

  json me = Json(Call("GET", "/admin/v1/whoami", token));
  EXPECT_EQ(me["principal"]["id"], body["admin"]["id"]);
  EXPECT_EQ(me["role"], "subscription_admin");
  EXPECT_EQ(me["subscriptions"], json({"sub-a", "sub-b"}));

  HttpResponse again = Call("GET", "/admin/v1/admins/" + body["admin"]["id"].get<std::string>(),
                            roles_.global);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body.find(token), std::string::npos);
  EXPECT_FALSE(Json(again).contains("token"));
  EXPECT_EQ(Call("GET", "/admin/v1/admins?limit=1000", roles_.global).body.find(token),
            std::string::npos);
}

TEST_F(PrincipalsApiTest, IssuedTokensNeverReachTheServerLog) {
  const std::string admin_token = CreateAdmin("user_admin")["token"];
  const std::string scim_token =
      Json(Call("POST", "/admin/v1/scim-tokens", roles_.global, "{}"))["token"];
  Call("GET", "/admin/v1/whoami", admin_token);
  const std::string log = server_->Log();
  EXPECT_NE(log.find("/admin/v1/scim-tokens"), std::string::npos);  // the log is there
  EXPECT_EQ(log.find(admin_token), std::string::npos);
  EXPECT_EQ(log.find(scim_token), std::string::npos);
  EXPECT_EQ(log.find(roles_.global), std::string::npos);
}

TEST_F(PrincipalsApiTest, NonSubscriptionRolesCarryAnEmptySubscriptionList) {
  json body = CreateAdmin("user_admin");
  EXPECT_EQ(body["admin"]["subscriptions"], json::array());
}

TEST_F(PrincipalsApiTest, PostAdminRejectsUnknownFieldNamingIt) {
  HttpResponse r =
      Call("POST", "/admin/v1/admins", roles_.global, R"({"name":"a","role":"user_admin","rol":"x"})");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(Json(r)["error"]["code"], "invalid_request");
  EXPECT_NE(Json(r)["error"]["message"].get<std::string>().find("\"rol\""), std::string::npos);
}

TEST_F(PrincipalsApiTest, PostAdminRejectsWrongTypesNamingTheField) {
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"name":1,"role":"user_admin"})", "name"},
           {R"({"name":"a","role":true})", "role"},
           {R"({"name":"a","role":"subscription_admin","subscriptions":"sub-a"})", "subscriptions"},
           {R"({"name":"a","role":"subscription_admin","subscriptions":[1]})", "subscriptions"},
           {R"({"role":"user_admin"})", "name"},
           {R"({"name":"a","role":"superuser"})", "role"},
           {R"({"name":"","role":"user_admin"})", "name"},
           {R"({"name":"a","role":"subscription_admin"})", "subscriptions"},
           {R"({"name":"a","role":"user_admin","subscriptions":["sub-a"]})", "subscriptions"},
           {R"({"name":"a","role":"subscription_admin","subscriptions":["no-such-sub"]})",
            "subscriptions"},
           {R"({"name":"a","role":"subscription_admin","subscriptions":["Bad Id"]})",
            "subscriptions"},
       }) {
    HttpResponse r = Call("POST", "/admin/v1/admins", roles_.global, body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_NE(r.body.find(field), std::string::npos) << body << " " << r.body;
  }
}

TEST_F(PrincipalsApiTest, RejectedPostChangesNothing) {
  const size_t admins = Json(Call("GET", "/admin/v1/admins?limit=1000", roles_.global))["items"].size();
  const size_t events = Json(Call("GET", "/admin/v1/audit?limit=1000", roles_.global))["items"].size();
  Call("POST", "/admin/v1/admins", roles_.global,
       R"({"name":"a","role":"subscription_admin","subscriptions":["sub-a","no-such-sub"]})");
  Call("POST", "/admin/v1/scim-tokens", roles_.global, R"({"nme":"x"})");
  EXPECT_EQ(Json(Call("GET", "/admin/v1/admins?limit=1000", roles_.global))["items"].size(), admins);
  EXPECT_EQ(Json(Call("GET", "/admin/v1/audit?limit=1000", roles_.global))["items"].size(), events);
}

TEST_F(PrincipalsApiTest, RevokedAdminTokenIsRefusedAtOnce) {
  json created = CreateAdmin("user_admin");
  const std::string token = created["token"];
  const std::string id = created["admin"]["id"];
  ASSERT_EQ(Call("GET", "/admin/v1/whoami", token).status, 200);
  HttpResponse revoke = Call("DELETE", "/admin/v1/admins/" + id + "/tokens/" +
                                           created["token_id"].get<std::string>(),
                             roles_.global);
  ASSERT_EQ(revoke.status, 204) << revoke.body;
  EXPECT_EQ(Call("GET", "/admin/v1/whoami", token).status, 401);
  EXPECT_EQ(Call("GET", "/admin/v1/users", token).status, 401);
}

TEST_F(PrincipalsApiTest, DeletedAdminLosesEveryTokenAtOnce) {
  json created = CreateAdmin("user_admin");
  const std::string id = created["admin"]["id"];
  HttpResponse second = Call("POST", "/admin/v1/admins/" + id + "/tokens", roles_.global, "{}");
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string token2 = Json(second)["token"];
  ASSERT_EQ(Call("GET", "/admin/v1/whoami", token2).status, 200);
  EXPECT_EQ(Json(Call("GET", "/admin/v1/admins/" + id + "/tokens", roles_.global))["items"].size(), 2u);

  ASSERT_EQ(Call("DELETE", "/admin/v1/admins/" + id, roles_.global).status, 204);
  EXPECT_EQ(Call("GET", "/admin/v1/whoami", created["token"]).status, 401);
  EXPECT_EQ(Call("GET", "/admin/v1/whoami", token2).status, 401);
  EXPECT_EQ(Call("GET", "/admin/v1/admins/" + id, roles_.global).status, 404);
  EXPECT_EQ(Call("DELETE", "/admin/v1/admins/" + id, roles_.global).status, 404);
}

TEST_F(PrincipalsApiTest, RevokedScimTokenIsRefusedAtOnce) {
  HttpResponse created = Call("POST", "/admin/v1/scim-tokens", roles_.global, R"({"name":"Okta"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json body = Json(created);
  const std::string token = body["token"];
  EXPECT_EQ(token.rfind("allot_scim_", 0), 0u);
  EXPECT_EQ(Call("GET", "/scim/v2/Users", token).status, 200);
  ASSERT_EQ(Call("DELETE", "/admin/v1/scim-tokens/" + body["id"].get<std::string>(), roles_.global).status,
            204);
  EXPECT_EQ(Call("GET", "/scim/v2/Users", token).status, 401);
  EXPECT_EQ(Call("DELETE", "/admin/v1/scim-tokens/" + body["id"].get<std::string>(), roles_.global).status,
            404);
}

TEST_F(PrincipalsApiTest, ScimTokenListShowsNamesNeverTokens) {
  json body = Json(Call("POST", "/admin/v1/scim-tokens", roles_.global, R"({"name":"Entra ID"})"));
  HttpResponse list = Call("GET", "/admin/v1/scim-tokens?limit=1000", roles_.global);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(body["token"].get<std::string>()), std::string::npos);
  EXPECT_EQ(list.body.find(server_->scim_token()), std::string::npos);
  bool found = false;
  const json listed = Json(list);
  for (const json& item : listed["items"]) {
    EXPECT_FALSE(item.contains("token"));
    if (item["id"] == body["id"]) {
      found = true;
      EXPECT_EQ(item["name"], "Entra ID");
      EXPECT_TRUE(item["created_at"].is_string());
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(PrincipalsApiTest, EachTokenEndpointTouchesOnlyItsKindOfToken) {
  json admin = CreateAdmin("user_admin");
  EXPECT_EQ(Call("DELETE", "/admin/v1/scim-tokens/" + admin["token_id"].get<std::string>(),
                 roles_.global).status,
            404);
  EXPECT_EQ(Call("GET", "/admin/v1/whoami", admin["token"]).status, 200);
  json scim = Json(Call("POST", "/admin/v1/scim-tokens", roles_.global, "{}"));
  EXPECT_EQ(Call("POST", "/admin/v1/admins/" + scim["client_id"].get<std::string>() + "/tokens",
                 roles_.global, "{}").status,
            404);
  EXPECT_EQ(Call("DELETE", "/admin/v1/admins/" + scim["client_id"].get<std::string>(),
                 roles_.global).status,
            404);
  EXPECT_EQ(Call("DELETE", "/admin/v1/admins/" + admin["admin"]["id"].get<std::string>() +
                               "/tokens/" + scim["id"].get<std::string>(),
                 roles_.global).status,
            404);
  EXPECT_EQ(Call("GET", "/scim/v2/Users", scim["token"]).status, 200);
}

TEST_F(PrincipalsApiTest, ScimTokenNameIsOptional) {
  HttpResponse r = Call("POST", "/admin/v1/scim-tokens", roles_.global, "");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["name"], "SCIM client");
}

TEST_F(PrincipalsApiTest, AdminListPagesWithCursor) {
  std::set<std::string> seen;
  std::string path = "/admin/v1/admins?limit=1";
  for (int i = 0; i < 100; ++i) {
    json page = Json(Call("GET", path, roles_.global));
    ASSERT_LE(page["items"].size(), 1u);
    for (const json& a : page["items"]) EXPECT_TRUE(seen.insert(a["id"]).second);
    if (page["next_cursor"].is_null()) break;
    path = "/admin/v1/admins?limit=1&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(),
            Json(Call("GET", "/admin/v1/admins?limit=1000", roles_.global))["items"].size());
  EXPECT_GE(seen.size(), 3u);
}

TEST_F(PrincipalsApiTest, WhoAmIListsWhatTheRoleMayDo) {
  json me = Json(Call("GET", "/admin/v1/whoami", roles_.sub));
  EXPECT_EQ(me["tenant"], "default");
  EXPECT_EQ(me["principal"]["kind"], "admin");
  EXPECT_EQ(me["subscriptions"], json({"sub-a"}));
  EXPECT_EQ(me["permissions"]["read_directory"], "own_subscriptions");
  EXPECT_FALSE(me["permissions"].contains("manage_principals"));
}

// A token check may come from the server's cache (docs/operations.md,
// "Surfaces and credentials"): a revocation through one server applies
// there at once, and on a second server sharing the database (SQLite file
// or, in CI's PostgreSQL run, PostgreSQL) once the cache's second has
// passed. Own servers.
TEST(TokenCache, ARevocationReachesAnotherInstanceWithinASecond) {
  std::string error;
  auto a = TestServer::Start({}, &error);
  ASSERT_TRUE(a) << error;
  auto b = TestServer::Start({.data_dir = a->data_dir()}, &error);
  ASSERT_TRUE(b) << error;
  auto on_a = a->Client();
  auto on_b = b->Client();
  auto created = on_a.Post("/admin/v1/scim-tokens", a->admin_token(), R"({"name":"idp"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = json::parse(created.body)["token"];
  const std::string id = json::parse(created.body)["id"];
  for (int i = 0; i < 2; ++i) {  // the second answer may be B's cache's
    ASSERT_EQ(on_a.Get("/scim/v2/Users", token).status, 200);
    ASSERT_EQ(on_b.Get("/scim/v2/Users", token).status, 200);
  }
  ASSERT_EQ(on_a.Delete("/admin/v1/scim-tokens/" + id, a->admin_token()).status, 204);
  EXPECT_EQ(on_a.Get("/scim/v2/Users", token).status, 401) << "on the instance that revoked it";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(on_b.Get("/scim/v2/Users", token).status, 401) << "on another instance, after 1 s";
}

// Own server: the lock-out rule concerns the tenant's only Global admin.
TEST(LastGlobalAdmin, CannotBeDeletedOrLoseItsLastToken) {
  std::string error;
  auto server = TestServer::Start({}, &error);
  ASSERT_TRUE(server) << error;
  auto client = server->Client();
  const std::string token = server->admin_token();
  json me = json::parse(client.Get("/admin/v1/whoami", token).body);
  const std::string id = me["principal"]["id"];
  const std::string token_id = me["token_id"];

  HttpResponse r = client.Delete("/admin/v1/admins/" + id, token);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(client.Delete("/admin/v1/admins/" + id + "/tokens/" + token_id, token).status, 409);
  EXPECT_EQ(client.Get("/admin/v1/whoami", token).status, 200);

  // With a second Global admin, the first may go (and its token with it).
  json other = json::parse(
      client.Post("/admin/v1/admins", token, R"({"name":"second","role":"global_admin"})").body);
  EXPECT_EQ(client.Delete("/admin/v1/admins/" + id, token).status, 204);
  EXPECT_EQ(client.Get("/admin/v1/whoami", token).status, 401);
  const std::string second_id = other["admin"]["id"];
  EXPECT_EQ(client.Delete("/admin/v1/admins/" + second_id, other["token"]).status, 409);
}

// Two Global admins deleting each other at the same moment: one wins, the
// other gets 409, and the tenant keeps a usable Global admin.
TEST(LastGlobalAdmin, MutualConcurrentDeletesLeaveOneGlobalAdmin) {
  std::string error;
  auto server = TestServer::Start({}, &error);
  ASSERT_TRUE(server) << error;
  std::string token_a = server->admin_token();
  for (int round = 0; round < 10; ++round) {
    auto client = server->Client();
    const std::string id_a =
        json::parse(client.Get("/admin/v1/whoami", token_a).body)["principal"]["id"];
    json b = json::parse(
        client.Post("/admin/v1/admins", token_a, R"({"name":"b","role":"global_admin"})").body);
    const std::string token_b = b["token"];
    const std::string id_b = b["admin"]["id"];
    int status_a = 0, status_b = 0;
    std::thread ta([&] { status_a = server->Client().Delete("/admin/v1/admins/" + id_b, token_a).status; });
    std::thread tb([&] { status_b = server->Client().Delete("/admin/v1/admins/" + id_a, token_b).status; });
    ta.join();
    tb.join();
    EXPECT_EQ((status_a == 204) + (status_b == 204), 1) << status_a << " " << status_b;
    const bool a_alive = client.Get("/admin/v1/whoami", token_a).status == 200;
    const bool b_alive = client.Get("/admin/v1/whoami", token_b).status == 200;
    ASSERT_NE(a_alive, b_alive);
    if (b_alive) token_a = token_b;
  }
}

}  // namespace
}  // namespace allot::testing

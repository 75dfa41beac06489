// GET /audit through the real binary: role and token changes are recorded,
// newest first, filtered, paged, within the caller's scope.
#include "tests/admin/admin_fixture.h"

namespace allot::testing {
namespace {

using nlohmann::json;

class AuditApiTest : public AdminApiTest {};

json Find(const json& items, const std::string& action, const std::string& target_id) {
  for (const json& e : items) {
    if (e["action"] == action && e["target"]["id"] == target_id) return e;
  }
  return nullptr;
}

TEST_F(AuditApiTest, CreatingAnAdminRecordsRoleAndTokenWithoutTheToken) {
  json created = CreateAdmin("user_admin");
  const std::string id = created["admin"]["id"];
  const std::string me = Json(Call("GET", "/admin/v1/whoami", roles_.global))["principal"]["id"];
  HttpResponse r = Call("GET", "/admin/v1/audit?limit=20", roles_.global);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(created["token"].get<std::string>()), std::string::npos);
  json items = Json(r)["items"];
  json event = Find(items, "admin.created", id);
  ASSERT_FALSE(event.is_null()) << items.dump(1);
  EXPECT_EQ(event["actor"], json({{"kind", "admin"}, {"id", me}, {"name", "initial admin"}}));
  EXPECT_EQ(event["target"]["kind"], "principal");
  EXPECT_EQ(event["after"]["role"], "user_admin");
  EXPECT_FALSE(event.contains("before"));
  EXPECT_TRUE(event["at"].is_string());
  EXPECT_FALSE(Find(items, "token.issued", created["token_id"]).is_null());
}

TEST_F(AuditApiTest, RevocationsAreRecorded) {
  json token = Json(Call("POST", "/admin/v1/scim-tokens", roles_.global, "{}"));
  Call("DELETE", "/admin/v1/scim-tokens/" + token["id"].get<std::string>(), roles_.global);
  json created = CreateAdmin("user_admin");
  Call("DELETE", "/admin/v1/admins/" + created["admin"]["id"].get<std::string>(), roles_.global);
  json items = Json(Call("GET", "/admin/v1/audit?limit=50", roles_.global))["items"];
  EXPECT_FALSE(Find(items, "token.revoked", token["id"]).is_null());
  EXPECT_FALSE(Find(items, "token.revoked", created["token_id"]).is_null());
  json deleted = Find(items, "admin.deleted", created["admin"]["id"]);
  ASSERT_FALSE(deleted.is_null());
  EXPECT_EQ(deleted["before"]["role"], "user_admin");
}

TEST_F(AuditApiTest, NewestFirstAndPagedByCursor) {
  CreateAdmin("user_admin");
  json first = Json(Call("GET", "/admin/v1/audit?limit=2", roles_.global));
  ASSERT_EQ(first["items"].size(), 2u);
  EXPECT_GT(std::stoll(first["items"][0]["id"].get<std::string>()),
            std::stoll(first["items"][1]["id"].get<std::string>()));
  json second = Json(Call("GET", "/admin/v1/audit?limit=2&cursor=" +
                                     first["next_cursor"].get<std::string>(),
                                 roles_.global));
  ASSERT_FALSE(second["items"].empty());
  EXPECT_LT(std::stoll(second["items"][0]["id"].get<std::string>()),
            std::stoll(first["items"][1]["id"].get<std::string>()));
}

TEST_F(AuditApiTest, FiltersByUserSubscriptionActorAndSince) {
  json by_user = Json(Call("GET", "/admin/v1/audit?user_id=u-out", roles_.global))["items"];
  ASSERT_EQ(by_user.size(), 1u);
  EXPECT_EQ(by_user[0]["subscription_id"], "sub-b");
  json by_sub = Json(Call("GET", "/admin/v1/audit?subscription_id=sub-a", roles_.global))["items"];
  ASSERT_EQ(by_sub.size(), 1u);
  EXPECT_EQ(by_sub[0]["actor"]["kind"], "policy");
  EXPECT_EQ(Json(Call("GET", "/admin/v1/audit?actor=policy:teachers", roles_.global))["items"].size(), 1u);
  EXPECT_EQ(Json(Call("GET", "/admin/v1/audit?actor=scim", roles_.global))["items"].size(), 1u);
  json later = Json(Call("GET", "/admin/v1/audit?since=2026-06-01T00:00:00Z&limit=1000", roles_.global));
  EXPECT_TRUE(Find(later["items"], "assignment.activated", "u-in/sub-a").is_null());
}

TEST_F(AuditApiTest, UntilKeepsOnlyEarlierEvents) {
  json all = Json(Call("GET", "/admin/v1/audit?limit=1000", roles_.global))["items"];
  ASSERT_GE(all.size(), 2u);
  const std::string newest = all[0]["at"];
  json before = Json(Call("GET", "/admin/v1/audit?limit=1000&until=" + newest, roles_.global))["items"];
  EXPECT_LT(before.size(), all.size());
  for (const json& e : before) EXPECT_LT(e["at"].get<std::string>(), newest) << e.dump();
  EXPECT_EQ(Json(Call("GET", "/admin/v1/audit?until=2000-01-01", roles_.global))["items"].size(), 0u);
  EXPECT_EQ(Call("GET", "/admin/v1/audit?until=tomorrow", roles_.global).status, 400);
}

TEST_F(AuditApiTest, SubscriptionAdminSeesOnlyEventsOfItsSubscriptions) {
  json items = Json(Call("GET", "/admin/v1/audit?limit=1000", roles_.sub))["items"];
  ASSERT_FALSE(items.empty());
  for (const json& e : items) EXPECT_EQ(e.value("subscription_id", ""), "sub-a") << e.dump();
  EXPECT_EQ(Call("GET", "/admin/v1/audit?subscription_id=sub-b", roles_.sub).status, 404);
}

TEST_F(AuditApiTest, MalformedParametersAre400) {
  EXPECT_EQ(Call("GET", "/admin/v1/audit?since=yesterday", roles_.global).status, 400);
  EXPECT_EQ(Call("GET", "/admin/v1/audit?since=2026-01-01T00:00:00%2B02:00", roles_.global).status, 400);
  EXPECT_EQ(Call("GET", "/admin/v1/audit?cursor=" + std::string("YWJj"), roles_.global).status, 400);
  EXPECT_EQ(Call("GET", "/admin/v1/audit?user_id=", roles_.global).status, 400);
}

TEST_F(AuditApiTest, NoEndpointChangesTheLog) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_EQ(Call(method, "/admin/v1/audit", roles_.global, "{}").status, 405) << method;
  }
}

}  // namespace
}  // namespace allot::testing

// GET /users and /groups through the real binary, within each role's scope.
#include "tests/admin/admin_fixture.h"

namespace allot::testing {
namespace {

using nlohmann::json;

class DirectoryApiTest : public AdminApiTest {
 protected:
  static std::vector<std::string> Ids(const HttpResponse& r) {
    std::vector<std::string> ids;
    const json body = Json(r);
    for (const json& item : body["items"]) ids.push_back(item["id"]);
    return ids;
  }
};

TEST_F(DirectoryApiTest, ListsLiveUsersByUserName) {
  HttpResponse r = Call("GET", "/admin/v1/users", roles_.global);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"u-in", "u-out", "u-none", "u-pending"}));
  EXPECT_TRUE(Json(r)["next_cursor"].is_null());
}

TEST_F(DirectoryApiTest, UserShowsGroupsAndLicenses) {
  json u = Json(Call("GET", "/admin/v1/users/u-in", roles_.global));
  EXPECT_EQ(u["user_name"], "Ann.In@example.com");
  EXPECT_EQ(u["display_name"], "Ann In");
  EXPECT_EQ(u["external_id"], "ext-in");
  EXPECT_EQ(u["active"], true);
  ASSERT_EQ(u["groups"].size(), 1u);
  EXPECT_EQ(u["groups"][0]["id"], "g-in");
  ASSERT_EQ(u["licenses"].size(), 1u);
  EXPECT_EQ(u["licenses"][0]["subscription_id"], "sub-a");
  EXPECT_EQ(u["licenses"][0]["state"], "active");
  EXPECT_EQ(Json(Call("GET", "/admin/v1/users/u-out", roles_.global))["active"], false);
}

TEST_F(DirectoryApiTest, DeletedUserIsNotFoundNorListed) {
  EXPECT_EQ(Call("GET", "/admin/v1/users/u-gone", roles_.global).status, 404);
  EXPECT_EQ(Call("GET", "/admin/v1/users/no-such-user", roles_.global).status, 404);
  json list = Json(Call("GET", "/admin/v1/users?filter=userName%20sw%20%22gina%22", roles_.global));
  EXPECT_TRUE(list["items"].empty());
}

TEST_F(DirectoryApiTest, FiltersByUserNameWithoutRegardToCase) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?filter=userName%20eq%20%22ANN.IN%40EXAMPLE.COM%22",
                     roles_.global)),
            std::vector<std::string>{"u-in"});
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?filter=userName%20sw%20%22b%22", roles_.global)),
            std::vector<std::string>{"u-out"});
}

TEST_F(DirectoryApiTest, FiltersByExternalIdExactlyAndByActive) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?filter=externalId%20eq%20%22ext-out%22", roles_.global)),
            std::vector<std::string>{"u-out"});
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?filter=externalId%20eq%20%22EXT-OUT%22", roles_.global))
                  .empty());
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?filter=active%20eq%20false", roles_.global)),
            std::vector<std::string>{"u-out"});
}

TEST_F(DirectoryApiTest, LikeWildcardsInValuesAreLiteral) {
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?filter=userName%20sw%20%22%25%22", roles_.global)).empty());
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?filter=userName%20co%20%22_%22", roles_.global)).empty());
}

TEST_F(DirectoryApiTest, BadFilterIs400NamingTheProblem) {
  HttpResponse r = Call("GET", "/admin/v1/users?filter=colour%20eq%20%22x%22", roles_.global);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("colour"), std::string::npos) << r.body;
  r = Call("GET", "/admin/v1/users?filter=userName%20eq", roles_.global);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json(r)["error"]["code"], "invalid_request");
  EXPECT_EQ(Call("GET", "/admin/v1/users?limit=0", roles_.global).status, 400);
  EXPECT_EQ(Call("GET", "/admin/v1/users?cursor=%21%21", roles_.global).status, 400);
}

TEST_F(DirectoryApiTest, UsersPageWithCursor) {
  json first = Json(Call("GET", "/admin/v1/users?limit=3", roles_.global));
  ASSERT_EQ(first["items"].size(), 3u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second = Json(Call("GET", "/admin/v1/users?limit=3&cursor=" +
                                     first["next_cursor"].get<std::string>(),
                                 roles_.global));
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["id"], "u-pending");
  EXPECT_TRUE(second["next_cursor"].is_null());
}

TEST_F(DirectoryApiTest, SubscriptionAdminSeesOnlyHoldersAndWaitersOfItsSubscriptions) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users", roles_.sub)),
            (std::vector<std::string>{"u-in", "u-pending"}));
  EXPECT_EQ(Call("GET", "/admin/v1/users/u-pending", roles_.sub).status, 200);
  EXPECT_EQ(Call("GET", "/admin/v1/users/u-none", roles_.sub).status, 404);
  EXPECT_EQ(Call("GET", "/admin/v1/users/u-out", roles_.sub).status, 404);
}

TEST_F(DirectoryApiTest, SubscriptionAdminSeesOnlyLicensesOfItsSubscriptions) {
  ExecSql("INSERT INTO assignments (tenant_id, user_id, subscription_id, state, sources, "
          "wanted_since, pending_reason, activated_at) VALUES ('default', 'u-pending', 'sub-b', "
          "'active', 'admin', '2026-01-03T00:00:00.000Z', NULL, '2026-01-03T00:00:00.000Z')");
  ExecSql("UPDATE subscriptions SET assigned = assigned + 1 WHERE id = 'sub-b'");
  json u = Json(Call("GET", "/admin/v1/users/u-pending", roles_.sub));
  ASSERT_EQ(u["licenses"].size(), 1u);
  EXPECT_EQ(u["licenses"][0]["subscription_id"], "sub-a");
  EXPECT_EQ(u["licenses"][0]["state"], "pending");
  EXPECT_EQ(Json(Call("GET", "/admin/v1/users/u-pending", roles_.global))["licenses"].size(), 2u);
}

TEST_F(DirectoryApiTest, UserProvisionedAndDeletedOverScimAppearsThenDisappears) {
  HttpResponse created = server_->Client().Post(
      "/scim/v2/Users", server_->scim_token(),
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"zed@example.com",)"
      R"("displayName":"Zed","externalId":"z-1","active":true})",
      "application/scim+json");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Json(created)["id"];
  json u = Json(Call("GET", "/admin/v1/users/" + id, roles_.global));
  EXPECT_EQ(u["user_name"], "zed@example.com");
  EXPECT_EQ(u["display_name"], "Zed");
  EXPECT_EQ(u["external_id"], "z-1");
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?filter=userName%20eq%20%22Zed%40example.com%22",
                     roles_.global)),
            std::vector<std::string>{id});

  ASSERT_EQ(server_->Client().Delete("/scim/v2/Users/" + id, server_->scim_token()).status, 204);
  EXPECT_EQ(Call("GET", "/admin/v1/users/" + id, roles_.global).status, 404);
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?filter=userName%20eq%20%22zed%40example.com%22",
                       roles_.global))
                  .empty());
}

TEST_F(DirectoryApiTest, GroupsWithMembers) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/groups", roles_.global)),
            (std::vector<std::string>{"g-in", "g-out"}));
  json g = Json(Call("GET", "/admin/v1/groups/g-out", roles_.user));
  EXPECT_EQ(g["display_name"], "Sales");
  EXPECT_EQ(g["external_id"], "ext-sales");
  ASSERT_EQ(g["members"].size(), 1u);
  EXPECT_EQ(g["members"][0]["id"], "u-out");
  EXPECT_EQ(g["members"][0]["type"], "User");
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/groups?filter=displayName%20eq%20%22sales%22", roles_.global)),
            std::vector<std::string>{"g-out"});
}

TEST_F(DirectoryApiTest, SubscriptionAdminSeesGroupsOfItsUsersOnly) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/groups", roles_.sub)), std::vector<std::string>{"g-in"});
  EXPECT_EQ(Call("GET", "/admin/v1/groups/g-out", roles_.sub).status, 404);
}


// q: a case-insensitive substring of any name or email, matched in SQL on
// the search text the SCIM store writes (072_user_search.sql).
TEST_F(DirectoryApiTest, QuickSearchMatchesNamesAndEmailsAndFollowsChanges) {
  HttpClient c = server_->Client();
  HttpResponse created = c.Post(
      "/scim/v2/Users", server_->scim_token(),
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"q.one@example.com",)"
      R"("displayName":"Quincy Adams","name":{"givenName":"Quincy","familyName":"Zebulon"},)"
      R"("emails":[{"value":"QUINCY.WORK@Example.org","type":"work"}]})",
      "application/scim+json");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Json(created)["id"];
  for (const char* q : {"zebul", "ZEBUL", "quincy.work@example", "cy ad", "q.one"}) {
    EXPECT_EQ(Ids(Call("GET", std::string("/admin/v1/users?q=") + q, roles_.global)),
              std::vector<std::string>{id})
        << q;
  }
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?q=zebulon%25", roles_.global)).empty())
      << "LIKE wildcards in q are literal";
  // A replace changes what q finds.
  ASSERT_EQ(c.Patch("/scim/v2/Users/" + id, server_->scim_token(),
                    R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)"
                    R"("Operations":[{"op":"replace","path":"name.familyName","value":"Yarrow"}]})",
                    "application/scim+json")
                .status,
            200);
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?q=zebul", roles_.global)).empty());
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?q=yarrow", roles_.global)),
            std::vector<std::string>{id});
  ASSERT_EQ(c.Delete("/scim/v2/Users/" + id, server_->scim_token()).status, 204);
}

// Rows written before the search text existed (NULL there until `serve`
// fills them at start) are still found: they are checked in memory. Paging
// through matches crosses rows of both kinds.
TEST_F(DirectoryApiTest, QuickSearchFindsRowsWithoutSearchTextAndPagesThroughMatches) {
  for (const char* n : {"1", "2", "3"}) {
    ExecSql(std::string("INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, "
                        "display_name, active, resource, version, created_at, updated_at) VALUES "
                        "('default', 'u-old-") + n + "', 'old" + n + "@example.com', 'old" + n +
            "@example.com', 'Olga Old', 1, '{\"userName\":\"old" + n +
            "@example.com\",\"displayName\":\"Olga Old\",\"name\":{\"familyName\":"
            "\"Xanthe\"}}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
  }
  ExecSql("UPDATE scim_users SET search_text = 'old2@example.com\nolga old\nxanthe' "
          "WHERE id = 'u-old-2'");
  std::vector<std::string> seen;
  std::string path = "/admin/v1/users?q=XANTHE&limit=1";
  for (int i = 0; i < 5 && !path.empty(); ++i) {
    json page = Json(Call("GET", path, roles_.global));
    for (const json& u : page["items"]) seen.push_back(u["id"]);
    path = page["next_cursor"].is_string()
               ? "/admin/v1/users?q=XANTHE&limit=1&cursor=" + page["next_cursor"].get<std::string>()
               : "";
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"u-old-1", "u-old-2", "u-old-3"}));
  ExecSql("DELETE FROM scim_users WHERE id LIKE 'u-old-%'");
}

TEST_F(DirectoryApiTest, GroupFilterListsItsMembersInNameOrder) {
  EXPECT_EQ(Ids(Call("GET", "/admin/v1/users?group_id=g-in", roles_.global)),
            std::vector<std::string>{"u-in"});
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?group_id=g-in&q=bob", roles_.global)).empty());
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?group_id=no-such-group", roles_.global)).empty());
  EXPECT_TRUE(Ids(Call("GET", "/admin/v1/users?group_id=g-out", roles_.sub)).empty())
      << "a Subscription admin sees only its users, also in a group";
}

}  // namespace
}  // namespace allot::testing

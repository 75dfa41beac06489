// Microsoft Entra ID's provisioning sequence, with its requests as Entra
// sends them (Microsoft's SCIM validator / "Develop a SCIM endpoint" docs).
#include "test_util.h"

namespace allot::scim_test {
namespace {

using nlohmann::json;

TEST(EntraSequence, UserLifecycleAsSent) {
  const std::string user_name = Unique("Test_User") + "@testuser.com";
  const std::string external = Unique("ext");
  const std::string filter = "/scim/v2/Users?filter=" + UrlEncode("userName eq \"" + user_name + "\"");

  // 1. Look up: none yet.
  Reply r = S().Get(filter);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["totalResults"], 0);
  EXPECT_EQ(r.json["Resources"].size(), 0u);

  // 2. Create.
  r = S().Post("/scim/v2/Users",
               {{"schemas", {kUserSchema, kEnterprise}},
                {"externalId", external},
                {"userName", user_name},
                {"active", true},
                {"emails", {{{"primary", true}, {"type", "work"}, {"value", "Test_User@testuser.com"}}}},
                {"meta", {{"resourceType", "User"}}},
                {"name", {{"formatted", "givenName familyName"}, {"familyName", "familyName"}, {"givenName", "givenName"}}},
                {"roles", json::array()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json["id"];

  // 3. Look up by userName and by externalId.
  r = S().Get(filter);
  ASSERT_EQ(r.json["totalResults"], 1);
  EXPECT_EQ(r.json["Resources"][0]["id"], id);
  r = S().Get("/scim/v2/Users?filter=" + UrlEncode("externalId eq \"" + external + "\""));
  ASSERT_EQ(r.json["totalResults"], 1);

  // 4. Update: op names capitalised, filtered path, no-path with dotted keys.
  r = S().Patch("/scim/v2/Users/" + id,
                PatchOp({{{"op", "Replace"}, {"path", "emails[type eq \"work\"].value"}, {"value", "updatedEmail@microsoft.com"}},
                         {{"op", "Replace"}, {"path", "name.familyName"}, {"value", "updatedFamilyName"}},
                         {{"op", "replace"}, {"value", {{"name.givenName", "Barbara"},
                                                        {std::string(kEnterprise) + ":employeeNumber", "42"}}}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["emails"][0]["value"], "updatedEmail@microsoft.com");
  EXPECT_EQ(r.json["name"]["familyName"], "updatedFamilyName");
  EXPECT_EQ(r.json["name"]["givenName"], "Barbara");
  EXPECT_EQ(r.json[kEnterprise]["employeeNumber"], "42");

  // 5. Manager as a plain value; add to a filtered path that does not exist.
  const std::string manager = CreateUser(Unique("mgr"));
  r = S().Patch("/scim/v2/Users/" + id,
                PatchOp({{{"op", "Add"}, {"path", std::string(kEnterprise) + ":manager"}, {"value", manager}},
                         {{"op", "Add"}, {"path", "addresses[type eq \"work\"].streetAddress"}, {"value", "1 Main"}},
                         {{"op", "Add"}, {"path", "addresses[type eq \"work\"].locality"}, {"value", "Town"}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json[kEnterprise]["manager"]["value"], manager);
  ASSERT_EQ(r.json["addresses"].size(), 1u) << r.body;
  EXPECT_EQ(r.json["addresses"][0]["locality"], "Town");

  // 6. Disable with a boolean as a string; still returned by GET and filter.
  r = S().Patch("/scim/v2/Users/" + id, PatchOp({{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["active"], false);
  EXPECT_EQ(S().Get("/scim/v2/Users/" + id).json["active"], false);
  EXPECT_EQ(S().Get(filter).json["totalResults"], 1);

  // 7. Delete.
  EXPECT_EQ(S().Delete("/scim/v2/Users/" + id).status, 204);
  EXPECT_EQ(S().Get(filter).json["totalResults"], 0);
}

TEST(EntraSequence, GroupLifecycleAsSent) {
  const std::string u1 = CreateUser(Unique("eu1"));
  const std::string u2 = CreateUser(Unique("eu2"));
  const std::string name = Unique("Group DisplayName");

  Reply r = S().Post("/scim/v2/Groups",
                     {{"schemas", {kGroupSchema, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"}},
                      {"externalId", Unique("gext")},
                      {"displayName", name},
                      {"meta", {{"resourceType", "Group"}}},
                      {"members", json::array()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string gid = r.json["id"];

  r = S().Get("/scim/v2/Groups?excludedAttributes=members&filter=" + UrlEncode("displayName eq \"" + name + "\""));
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json["totalResults"], 1);
  EXPECT_FALSE(r.json["Resources"][0].contains("members"));

  // Add members with "$ref": null.
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "Add"}, {"path", "members"},
                          {"value", {{{"$ref", nullptr}, {"value", u1}}, {{"$ref", nullptr}, {"value", u2}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(MemberIds(gid).size(), 2u);
  EXPECT_EQ(S().Get("/scim/v2/Users/" + u1).json["groups"][0]["value"], gid);

  // Legacy removal with a value list, then removal by filter.
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "Remove"}, {"path", "members"}, {"value", {{{"$ref", nullptr}, {"value", u1}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(MemberIds(gid), std::vector<std::string>{u2});
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "Remove"}, {"path", "members[value eq \"" + u2 + "\"]"}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(MemberIds(gid).empty());

  // Rename, then delete.
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "Replace"}, {"path", "displayName"}, {"value", name + " 2"}}}));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(S().Get("/scim/v2/Groups/" + gid).json["displayName"], name + " 2");
  EXPECT_EQ(S().Delete("/scim/v2/Groups/" + gid).status, 204);
  EXPECT_EQ(S().Get("/scim/v2/Groups/" + gid).status, 404);
}

}  // namespace
}  // namespace allot::scim_test

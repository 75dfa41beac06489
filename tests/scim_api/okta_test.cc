// Okta's provisioning sequence (Okta SCIM 2.0 guide), requests as Okta
// sends them.
#include "test_util.h"

namespace allot::scim_test {
namespace {

using nlohmann::json;

TEST(OktaSequence, UserLifecycleAsSent) {
  const std::string user_name = Unique("okta") + "@example.com";
  const std::string lookup = "/scim/v2/Users?filter=" + UrlEncode("userName eq \"" + user_name + "\"") +
                             "&startIndex=1&count=100";
  Reply r = S().Get(lookup);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json["totalResults"].is_number_integer());
  EXPECT_TRUE(r.json["itemsPerPage"].is_number_integer());
  EXPECT_TRUE(r.json["startIndex"].is_number_integer());
  EXPECT_EQ(r.json["totalResults"], 0);

  json user = {{"schemas", {kUserSchema}},
               {"userName", user_name},
               {"name", {{"givenName", "John"}, {"familyName", "Doe"}}},
               {"emails", {{{"primary", true}, {"value", user_name}, {"type", "work"}}}},
               {"displayName", "John Doe"},
               {"locale", "en-US"},
               {"externalId", Unique("00u")},
               {"groups", json::array()},
               {"password", "1mz050nq"},
               {"active", true}};
  r = S().Post("/scim/v2/Users", user);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json["id"];
  EXPECT_FALSE(r.json.contains("password"));

  r = S().Get(lookup);
  ASSERT_EQ(r.json["totalResults"], 1);
  EXPECT_EQ(r.json["Resources"][0]["id"], id);

  // Full-resource PUT, deactivating.
  user["id"] = id;
  user["active"] = false;
  user["name"]["familyName"] = "Smith";
  user.erase("password");
  r = S().Put("/scim/v2/Users/" + id, user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["active"], false);
  EXPECT_EQ(r.json["name"]["familyName"], "Smith");

  // Reactivate and deactivate by PATCH without path.
  r = S().Patch("/scim/v2/Users/" + id, PatchOp({{{"op", "replace"}, {"value", {{"active", true}}}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["active"], true);
  r = S().Patch("/scim/v2/Users/" + id, PatchOp({{{"op", "replace"}, {"value", {{"active", false}}}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["active"], false);

  // A random id is 404 with a SCIM error.
  ExpectScimError(S().Get("/scim/v2/Users/010226ed-0c3c-4a3e-9e51-2a9ad5b4a7b1"), 404, "");
}

TEST(OktaSequence, GroupPushAsSent) {
  const std::string u1 = CreateUser(Unique("ou1"));
  const std::string u2 = CreateUser(Unique("ou2"));
  const std::string u3 = CreateUser(Unique("ou3"));
  Reply r = S().Post("/scim/v2/Groups", {{"schemas", {kGroupSchema}}, {"displayName", Unique("Test SCIMv2")},
                                         {"members", json::array()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string gid = r.json["id"];

  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", u1}, {"display", "u1"}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;

  // Rename sent with every membership change, remove by filter + add, one PATCH.
  const std::string renamed = Unique("Renamed");
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "replace"}, {"value", {{"id", gid}, {"displayName", renamed}}}},
                         {{"op", "remove"}, {"path", "members[value eq \"" + u1 + "\"]"}},
                         {{"op", "add"}, {"path", "members"}, {"value", {{{"value", u2}, {"display", "u2"}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  Reply g = S().Get("/scim/v2/Groups/" + gid);
  EXPECT_EQ(g.json["displayName"], renamed);
  EXPECT_EQ(MemberIds(gid), std::vector<std::string>{u2});

  // Members replaced whole.
  r = S().Patch("/scim/v2/Groups/" + gid,
                PatchOp({{{"op", "replace"}, {"value", {{"id", gid}, {"displayName", renamed}}}},
                         {{"op", "replace"}, {"path", "members"}, {"value", {{{"value", u3}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(MemberIds(gid), std::vector<std::string>{u3});

  EXPECT_EQ(S().Delete("/scim/v2/Groups/" + gid).status, 204);
  EXPECT_EQ(S().Get("/scim/v2/Groups/" + gid).status, 404);
}

}  // namespace
}  // namespace allot::scim_test

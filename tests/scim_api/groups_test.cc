// Groups over HTTP against the real binary: membership rows, PATCH forms.
#include <algorithm>

#include "test_util.h"

namespace allot::scim_test {
namespace {

using nlohmann::json;

TEST(ScimGroups, CreateWithMembersRendersThemWithDisplayAndRef) {
  const std::string uname = Unique("gm");
  const std::string uid = CreateUser(uname, {{"displayName", "Disp " + uname}});
  Reply r = S().Post("/scim/v2/Groups", {{"displayName", Unique("g")}, {"members", {{{"value", uid}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(r.json["members"].size(), 1u);
  EXPECT_EQ(r.json["members"][0]["value"], uid);
  EXPECT_EQ(r.json["members"][0]["display"], "Disp " + uname);
  EXPECT_EQ(r.json["members"][0]["type"], "User");
  EXPECT_NE(r.json["members"][0]["$ref"].get<std::string>().find("/scim/v2/Users/" + uid),
            std::string::npos);
}

TEST(ScimGroups, UnknownMemberIs400AndNothingWritten) {
  const std::string name = Unique("gu");
  Reply r = S().Post("/scim/v2/Groups", {{"displayName", name}, {"members", {{{"value", "nope"}}}}});
  ExpectScimError(r, 400, "invalidValue");
  Reply l = S().Get("/scim/v2/Groups?filter=" + UrlEncode("displayName eq \"" + name + "\""));
  EXPECT_EQ(l.json["totalResults"], 0);
}

TEST(ScimGroups, PatchAnswers204ByDefaultWithETag) {
  const std::string gid = CreateGroup(Unique("p204"));
  Reply r = S().Patch("/scim/v2/Groups/" + gid,
                      PatchOp({{{"op", "replace"}, {"path", "displayName"}, {"value", Unique("n")}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.Header("ETag"), "W/\"2\"");
}

TEST(ScimGroups, PatchWithAttributesAnswers200WithResource) {
  const std::string gid = CreateGroup(Unique("p200"));
  const std::string n = Unique("n");
  Reply r = S().Patch("/scim/v2/Groups/" + gid + "?attributes=displayName",
                      PatchOp({{{"op", "replace"}, {"path", "displayName"}, {"value", n}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["displayName"], n);
}

TEST(ScimGroups, AddingPresentMemberChangesNothing) {
  const std::string uid = CreateUser(Unique("dup"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", uid}}});
  Reply r = S().Patch("/scim/v2/Groups/" + gid,
                      PatchOp({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", uid}}}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.Header("ETag"), "W/\"1\"");
  EXPECT_EQ(MemberIds(gid).size(), 1u);
}

TEST(ScimGroups, ReplaceMembersWhole) {
  const std::string a = CreateUser(Unique("a"));
  const std::string b = CreateUser(Unique("b"));
  const std::string c = CreateUser(Unique("c"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}, {{"value", b}}});
  Reply r = S().Patch("/scim/v2/Groups/" + gid,
                      PatchOp({{{"op", "replace"}, {"path", "members"},
                                {"value", {{{"value", b}}, {{"value", c}}}}}}));
  ASSERT_EQ(r.status, 204) << r.body;
  auto ids = MemberIds(gid);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want{b, c};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
}

TEST(ScimGroups, RemoveAllMembersWithoutValue) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  EXPECT_EQ(S().Patch("/scim/v2/Groups/" + gid, PatchOp({{{"op", "remove"}, {"path", "members"}}})).status, 204);
  EXPECT_TRUE(MemberIds(gid).empty());
}

TEST(ScimGroups, ExcludedMembersLeavesThemOut) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  Reply r = S().Get("/scim/v2/Groups/" + gid + "?excludedAttributes=members");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.json.contains("members"));
  EXPECT_TRUE(r.json.contains("displayName"));
}

TEST(ScimGroups, FilterByMemberValue) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  Reply r = S().Get("/scim/v2/Groups?filter=" + UrlEncode("members.value eq \"" + a + "\""));
  ASSERT_EQ(r.json["totalResults"], 1) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["id"], gid);
}

TEST(ScimGroups, FilterByMemberValueFilter) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  CreateGroup(Unique("other"));
  Reply r = S().Get("/scim/v2/Groups?filter=" +
                    UrlEncode("members[value eq \"" + a + "\"]"));
  ASSERT_EQ(r.json["totalResults"], 1) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["id"], gid);
}

// Members are rows, not part of the stored group: filters that SQL does not
// answer must still see them.
TEST(ScimGroups, InMemoryFiltersSeeMembers) {
  const std::string tag = Unique("mem");
  const std::string a = CreateUser(tag + "-a");
  const std::string sub = CreateGroup(tag + "-sub");
  const std::string with_user = CreateGroup(tag + "-users", {{{"value", a}}});
  const std::string with_group = CreateGroup(tag + "-groups", {{{"value", sub}}});
  auto ids = [&](const std::string& filter) {
    Reply r = S().Get("/scim/v2/Groups?filter=" +
                      UrlEncode("displayName sw \"" + tag + "\" and (" + filter + ")"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& g : r.json["Resources"]) out.push_back(g["id"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids("members[type eq \"Group\"]"), std::vector<std::string>{with_group});
  EXPECT_EQ(ids("members[type eq \"User\" and value eq \"" + a + "\"]"),
            std::vector<std::string>{with_user});
  std::vector<std::string> both{with_user, with_group};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(ids("members pr"), both);
  EXPECT_EQ(ids("not (members pr)"), std::vector<std::string>{sub});
}

TEST(ScimUsersGroups, InMemoryFiltersSeeAUsersGroups) {
  const std::string tag = Unique("ug");
  const std::string a = CreateUser(tag + "-a");
  const std::string b = CreateUser(tag + "-b");
  CreateGroup(tag + "-Teachers", {{{"value", a}}});
  Reply r = S().Get("/scim/v2/Users?filter=" +
                    UrlEncode("userName sw \"" + tag + "\" and groups[display ew \"teachers\"]"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["totalResults"], 1) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["id"], a);
  r = S().Get("/scim/v2/Users?filter=" +
              UrlEncode("userName sw \"" + tag + "\" and not (groups pr)"));
  ASSERT_EQ(r.json["totalResults"], 1) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["id"], b);
}

TEST(ScimGroups, DisplayNameIsNotUnique) {
  const std::string name = Unique("same");
  CreateGroup(name);
  CreateGroup(name);
  Reply r = S().Get("/scim/v2/Groups?filter=" + UrlEncode("displayName eq \"" + name + "\""));
  EXPECT_EQ(r.json["totalResults"], 2);
}

TEST(ScimGroups, DeleteRemovesGroupAndUsersLoseIt) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  EXPECT_EQ(S().Delete("/scim/v2/Groups/" + gid).status, 204);
  EXPECT_EQ(S().Get("/scim/v2/Groups/" + gid).status, 404);
  EXPECT_FALSE(S().Get("/scim/v2/Users/" + a).json.contains("groups"));
}

TEST(ScimGroups, DeletedUserLeavesItsGroups) {
  const std::string a = CreateUser(Unique("a"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  EXPECT_EQ(S().Delete("/scim/v2/Users/" + a).status, 204);
  EXPECT_TRUE(MemberIds(gid).empty());
}

TEST(ScimGroups, PutReplacesMembersAndName) {
  const std::string a = CreateUser(Unique("a"));
  const std::string b = CreateUser(Unique("b"));
  const std::string gid = CreateGroup(Unique("g"), {{{"value", a}}});
  const std::string n = Unique("renamed");
  Reply r = S().Put("/scim/v2/Groups/" + gid, {{"displayName", n}, {"members", {{{"value", b}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["displayName"], n);
  EXPECT_EQ(MemberIds(gid), std::vector<std::string>{b});
}

TEST(ScimGroups, ThousandMemberAddAndRemoveInOnePatch) {
  // Users via Bulk, then one add PATCH of 1,000 members and one remove PATCH
  // of 1,000 filter ops.
  const std::string tag = Unique("big");
  std::vector<std::string> ids;
  json ops = json::array();
  for (int i = 0; i < 1000; ++i) {
    ops.push_back({{"method", "POST"}, {"path", "/Users"}, {"bulkId", std::to_string(i)},
                   {"data", {{"userName", tag + "-" + std::to_string(i)}}}});
  }
  Reply bulk = S().Post("/scim/v2/Bulk", {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}},
                                          {"Operations", ops}});
  ASSERT_EQ(bulk.status, 200) << bulk.body.substr(0, 400);
  for (const auto& o : bulk.json["Operations"]) {
    ASSERT_EQ(o["status"], "201");
    std::string loc = o["location"];
    ids.push_back(loc.substr(loc.rfind('/') + 1));
  }
  const std::string gid = CreateGroup(tag);
  json members = json::array();
  for (const auto& id : ids) members.push_back({{"value", id}});
  ASSERT_EQ(S().Patch("/scim/v2/Groups/" + gid,
                      PatchOp({{{"op", "add"}, {"path", "members"}, {"value", members}}})).status,
            204);
  EXPECT_EQ(MemberIds(gid).size(), 1000u);
  json removes = json::array();
  for (const auto& id : ids) {
    removes.push_back({{"op", "remove"}, {"path", "members[value eq \"" + id + "\"]"}});
  }
  ASSERT_EQ(S().Patch("/scim/v2/Groups/" + gid, PatchOp(removes)).status, 204);
  EXPECT_TRUE(MemberIds(gid).empty());
}

}  // namespace
}  // namespace allot::scim_test

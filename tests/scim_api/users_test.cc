// Users over HTTP against the real binary.
#include <set>

#include "test_util.h"

namespace allot::scim_test {
namespace {

using nlohmann::json;

TEST(ScimUsers, PostAnswers201WithLocationETagAndMeta) {
  const std::string name = Unique("post");
  Reply r = S().Post("/scim/v2/Users", {{"schemas", {kUserSchema}}, {"userName", name}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/scim+json");
  const std::string id = r.json["id"];
  EXPECT_EQ(r.Header("Location"), "http://127.0.0.1:" + std::to_string(S().port()) + "/scim/v2/Users/" + id);
  EXPECT_EQ(r.Header("ETag"), "W/\"1\"");
  EXPECT_EQ(r.json["meta"]["resourceType"], "User");
  EXPECT_EQ(r.json["meta"]["version"], "W/\"1\"");
  EXPECT_EQ(r.json["meta"]["location"], r.Header("Location"));
  EXPECT_EQ(r.json["userName"], name);
}

TEST(ScimUsers, AcceptsApplicationJsonRequests) {
  Reply r = S().Send("POST", "/scim/v2/Users", json{{"userName", Unique("aj")}}.dump(), {},
                     "application/json");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST(ScimUsers, DuplicateUserNameIgnoringCaseIs409Uniqueness) {
  const std::string name = Unique("Dup");
  CreateUser(name);
  std::string upper = name;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  ExpectScimError(S().Post("/scim/v2/Users", {{"userName", upper}}), 409, "uniqueness");
}

TEST(ScimUsers, FilterUserNameEqIsCaseInsensitive) {
  const std::string name = Unique("Filter");
  const std::string id = CreateUser(name);
  std::string lower = name;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  Reply r = S().Get("/scim/v2/Users?filter=" + UrlEncode("userName eq \"" + lower + "\""));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["totalResults"], 1);
  EXPECT_EQ(r.json["itemsPerPage"], 1);
  EXPECT_EQ(r.json["Resources"][0]["id"], id);
}

TEST(ScimUsers, PutClearsReadWriteAttributesLeftOut) {
  const std::string id = CreateUser(Unique("put"), {{"displayName", "D"}, {"title", "T"}});
  Reply r = S().Put("/scim/v2/Users/" + id, {{"schemas", {kUserSchema}}, {"userName", Unique("put2")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json.contains("displayName"));
  EXPECT_FALSE(r.json.contains("title"));
  EXPECT_EQ(r.json["meta"]["version"], "W/\"2\"");
}

TEST(ScimUsers, IfMatchMismatchIs412AndChangesNothing) {
  const std::string id = CreateUser(Unique("ifm"), {{"displayName", "before"}});
  Reply r = S().Patch("/scim/v2/Users/" + id,
                      PatchOp({{{"op", "replace"}, {"path", "displayName"}, {"value", "after"}}}),
                      {{"If-Match", "W/\"7\""}});
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_EQ(S().Get("/scim/v2/Users/" + id).json["displayName"], "before");
}

TEST(ScimUsers, IfMatchCurrentVersionSucceeds) {
  const std::string id = CreateUser(Unique("ifm2"));
  Reply r = S().Patch("/scim/v2/Users/" + id,
                      PatchOp({{{"op", "replace"}, {"path", "displayName"}, {"value", "x"}}}),
                      {{"If-Match", "W/\"1\""}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("ETag"), "W/\"2\"");
}

TEST(ScimUsers, IfNoneMatchCurrentVersionIs304) {
  const std::string id = CreateUser(Unique("inm"));
  EXPECT_EQ(S().Get("/scim/v2/Users/" + id, {{"If-None-Match", "W/\"1\""}}).status, 304);
  EXPECT_EQ(S().Get("/scim/v2/Users/" + id, {{"If-None-Match", "W/\"2\""}}).status, 200);
}

TEST(ScimUsers, DeleteDeprovisionsAnd404sAfterwards) {
  const std::string name = Unique("del");
  const std::string id = CreateUser(name);
  EXPECT_EQ(S().Delete("/scim/v2/Users/" + id).status, 204);
  EXPECT_EQ(S().Get("/scim/v2/Users/" + id).status, 404);
  EXPECT_EQ(S().Delete("/scim/v2/Users/" + id).status, 404);
  // The userName is free again.
  EXPECT_FALSE(CreateUser(name).empty());
}

TEST(ScimUsers, GroupsAttributeRenderedFromMembership) {
  const std::string uid = CreateUser(Unique("gm"));
  const std::string gname = Unique("grp");
  const std::string gid = CreateGroup(gname, {{{"value", uid}}});
  Reply r = S().Get("/scim/v2/Users/" + uid);
  ASSERT_EQ(r.json["groups"].size(), 1u) << r.body;
  EXPECT_EQ(r.json["groups"][0]["value"], gid);
  EXPECT_EQ(r.json["groups"][0]["display"], gname);
  EXPECT_EQ(r.json["groups"][0]["type"], "direct");
}

TEST(ScimUsers, PagingIsStableAndTotalExact) {
  const std::string tag = Unique("page");
  for (int i = 0; i < 7; ++i) CreateUser(tag + "-" + std::to_string(i));
  const std::string f = UrlEncode("userName sw \"" + tag + "\"");
  std::vector<std::string> seen;
  for (int start = 1; start <= 7; start += 3) {
    Reply r = S().Get("/scim/v2/Users?filter=" + f + "&startIndex=" + std::to_string(start) + "&count=3");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["totalResults"], 7);
    EXPECT_EQ(r.json["startIndex"], start);
    EXPECT_EQ(r.json["itemsPerPage"], r.json["Resources"].size());
    for (const auto& u : r.json["Resources"]) seen.push_back(u["id"]);
  }
  EXPECT_EQ(seen.size(), 7u);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 7u);
}

TEST(ScimUsers, UnfilteredWalkSeesEveryUserOnce) {
  Reply first = S().Get("/scim/v2/Users?count=0");
  ASSERT_EQ(first.status, 200);
  const int total = first.json["totalResults"];
  EXPECT_FALSE(first.json.contains("Resources"));
  std::set<std::string> ids;
  for (int start = 1; start <= total; start += 5) {
    Reply r = S().Get("/scim/v2/Users?startIndex=" + std::to_string(start) + "&count=5");
    for (const auto& u : r.json["Resources"]) ids.insert(u["id"].get<std::string>());
  }
  EXPECT_EQ(static_cast<int>(ids.size()), total);
}

TEST(ScimUsers, CursorPagingWalksAll) {
  const std::string tag = Unique("cur");
  for (int i = 0; i < 5; ++i) CreateUser(tag + "-" + std::to_string(i));
  const std::string f = UrlEncode("userName sw \"" + tag + "\"");
  std::string cursor;
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    Reply r = S().Get("/scim/v2/Users?filter=" + f + "&count=2&cursor=" + UrlEncode(cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& u : r.json["Resources"]) ids.insert(u["id"].get<std::string>());
    if (!r.json.contains("nextCursor")) break;
    cursor = r.json["nextCursor"];
  }
  EXPECT_EQ(ids.size(), 5u);
}

// externalId sw is checked in memory (LIKE is not case-exact on every
// backend): totalResults must still count every match on every page.
TEST(ScimUsers, CursorPagingWithAnInMemoryFilterCountsAllMatches) {
  const std::string tag = Unique("curmem");
  for (int i = 0; i < 5; ++i) {
    CreateUser(tag + "-" + std::to_string(i), {{"externalId", "X" + tag + "-" + std::to_string(i)}});
  }
  CreateUser(tag + "-lower", {{"externalId", "x" + tag}});  // case differs: no match
  const std::string f = UrlEncode("externalId sw \"X" + tag + "\"");
  std::string cursor;
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    Reply r = S().Get("/scim/v2/Users?filter=" + f + "&count=2&cursor=" + UrlEncode(cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["totalResults"], 5) << "page " << i << ": " << r.body;
    for (const auto& u : r.json["Resources"]) ids.insert(u["id"].get<std::string>());
    if (!r.json.contains("nextCursor")) break;
    cursor = r.json["nextCursor"];
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST(ScimUsers, SortByUserNameDescending) {
  const std::string tag = Unique("sort");
  CreateUser(tag + "-b");
  CreateUser(tag + "-a");
  CreateUser(tag + "-c");
  Reply r = S().Get("/scim/v2/Users?filter=" + UrlEncode("userName sw \"" + tag + "\"") +
                    "&sortBy=userName&sortOrder=descending");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["userName"], tag + "-c");
  EXPECT_EQ(r.json["Resources"][2]["userName"], tag + "-a");
}

TEST(ScimUsers, SortByAttributeWithoutColumnSortsInMemory) {
  const std::string tag = Unique("msort");
  CreateUser(tag + "-1", {{"title", "b"}});
  CreateUser(tag + "-2", {{"title", "C"}});
  CreateUser(tag + "-3", {{"title", "a"}});
  Reply r = S().Get("/scim/v2/Users?filter=" + UrlEncode("userName sw \"" + tag + "\"") +
                    "&sortBy=title&count=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["totalResults"], 3);
  ASSERT_EQ(r.json["Resources"].size(), 2u);
  EXPECT_EQ(r.json["Resources"][0]["title"], "a");
  EXPECT_EQ(r.json["Resources"][1]["title"], "b");
}

TEST(ScimUsers, FilterOnAttributeWithoutColumnIsEvaluatedInMemory) {
  const std::string tag = Unique("mem");
  const std::string id = CreateUser(tag + "-1", {{"title", "Chief " + tag}});
  CreateUser(tag + "-2", {{"title", "Other"}});
  Reply r = S().Get("/scim/v2/Users?filter=" +
                    UrlEncode("title co \"" + tag + "\" and userName sw \"" + tag + "\""));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["totalResults"], 1);
  EXPECT_EQ(r.json["Resources"][0]["id"], id);
}

TEST(ScimUsers, FilterOnEmailValue) {
  const std::string mail = Unique("m") + "@Example.org";
  const std::string id = CreateUser(Unique("em"), {{"emails", {{{"value", mail}, {"type", "work"}}}}});
  Reply r = S().Get("/scim/v2/Users?filter=" + UrlEncode("emails.value eq \"" + mail + "\""));
  ASSERT_EQ(r.json["totalResults"], 1) << r.body;
  EXPECT_EQ(r.json["Resources"][0]["id"], id);
}

TEST(ScimUsers, AttributesProjectionKeepsIdAndNamed) {
  const std::string id = CreateUser(Unique("proj"), {{"displayName", "D"}});
  Reply r = S().Get("/scim/v2/Users/" + id + "?attributes=userName");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.contains("id"));
  EXPECT_TRUE(r.json.contains("userName"));
  EXPECT_FALSE(r.json.contains("displayName"));
}

TEST(ScimUsers, SearchEndpointTakesBody) {
  const std::string name = Unique("srch");
  const std::string id = CreateUser(name);
  Reply r = S().Post("/scim/v2/Users/.search",
                     {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}},
                      {"filter", "userName eq \"" + name + "\""},
                      {"attributes", {"userName"}},
                      {"startIndex", 1},
                      {"count", 10}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["totalResults"], 1);
  EXPECT_EQ(r.json["Resources"][0]["id"], id);
}

TEST(ScimUsers, RootSearchFindsUsersAndGroups) {
  const std::string name = Unique("root");
  CreateUser(name);
  Reply r = S().Post("/scim/v2/.search", {{"filter", "id pr"}, {"count", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(r.json["totalResults"].get<int>(), 1);
}

}  // namespace
}  // namespace allot::scim_test

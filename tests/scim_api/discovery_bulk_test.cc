// Discovery endpoints and /Bulk.
#include "test_util.h"

namespace allot::scim_test {
namespace {

using nlohmann::json;

const json kBulkSchemas = {"urn:ietf:params:scim:api:messages:2.0:BulkRequest"};

TEST(ScimDiscovery, ServiceProviderConfigAnnouncesWhatIsSupported) {
  Reply r = S().Get("/scim/v2/ServiceProviderConfig");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["patch"]["supported"], true);
  EXPECT_EQ(r.json["bulk"]["supported"], true);
  EXPECT_EQ(r.json["bulk"]["maxOperations"], 1000);
  EXPECT_EQ(r.json["filter"]["maxResults"], 1000);
  EXPECT_EQ(r.json["etag"]["supported"], true);
  EXPECT_EQ(r.json["sort"]["supported"], true);
}

TEST(ScimDiscovery, ResourceTypesAndSchemas) {
  Reply r = S().Get("/scim/v2/ResourceTypes");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["totalResults"], 2);
  EXPECT_EQ(S().Get("/scim/v2/ResourceTypes/User").json["endpoint"], "/Users");
  r = S().Get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_GE(S().Get("/scim/v2/Schemas").json["totalResults"].get<int>(), 3);
}

TEST(ScimBulk, BulkIdReferencesResolve) {
  const std::string name = Unique("bulk");
  Reply r = S().Post("/scim/v2/Bulk",
                     {{"schemas", kBulkSchemas},
                      {"Operations",
                       {{{"method", "POST"}, {"path", "/Users"}, {"bulkId", "u"}, {"data", {{"userName", name}}}},
                        {{"method", "POST"}, {"path", "/Groups"}, {"bulkId", "g"},
                         {"data", {{"displayName", name}, {"members", {{{"value", "bulkId:u"}}}}}}},
                        {{"method", "PATCH"}, {"path", "/Users/bulkId:u"},
                         {"data", PatchOp({{{"op", "replace"}, {"path", "displayName"}, {"value", "B"}}})}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["Operations"].size(), 3u);
  EXPECT_EQ(r.json["Operations"][0]["status"], "201");
  EXPECT_EQ(r.json["Operations"][1]["status"], "201");
  EXPECT_EQ(r.json["Operations"][2]["status"], "200");
  std::string gloc = r.json["Operations"][1]["location"];
  const std::string gid = gloc.substr(gloc.rfind('/') + 1);
  EXPECT_EQ(MemberIds(gid).size(), 1u);
}

TEST(ScimBulk, FailOnErrorsStops) {
  Reply r = S().Post("/scim/v2/Bulk",
                     {{"schemas", kBulkSchemas},
                      {"failOnErrors", 1},
                      {"Operations",
                       {{{"method", "POST"}, {"path", "/Users"}, {"bulkId", "a"}, {"data", {{"displayName", "no name"}}}},
                        {{"method", "POST"}, {"path", "/Users"}, {"bulkId", "b"}, {"data", {{"userName", Unique("fo")}}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["Operations"].size(), 1u);
  EXPECT_EQ(r.json["Operations"][0]["status"], "400");
}

TEST(ScimBulk, TooManyOperationsIs413) {
  json ops = json::array();
  for (int i = 0; i < 1001; ++i) {
    ops.push_back({{"method", "DELETE"}, {"path", "/Users/x"}});
  }
  Reply r = S().Post("/scim/v2/Bulk", {{"schemas", kBulkSchemas}, {"Operations", ops}});
  EXPECT_EQ(r.status, 413) << r.body;
}

TEST(ScimBulk, UnresolvedBulkIdFailsThatOperation) {
  Reply r = S().Post("/scim/v2/Bulk",
                     {{"schemas", kBulkSchemas},
                      {"Operations", {{{"method", "PATCH"}, {"path", "/Users/bulkId:missing"},
                                       {"data", PatchOp({{{"op", "replace"}, {"path", "active"}, {"value", true}}})}}}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["Operations"][0]["status"], "409");
}

}  // namespace
}  // namespace allot::scim_test

#include "scim/discovery.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

constexpr std::string_view kBase = "https://h/scim/v2";

TEST(Discovery, ServiceProviderConfigAdvertisesFeatures) {
  ServiceProviderOptions o;
  o.bulk_max_operations = 50;
  o.bulk_max_payload_size = 2048;
  o.filter_max_results = 200;
  json c = RenderServiceProviderConfig(o, kBase);
  EXPECT_EQ(c["schemas"], json::array({"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}));
  EXPECT_EQ(c["patch"], json::parse(R"({"supported":true})"));
  EXPECT_EQ(c["bulk"], json::parse(R"({"supported":true,"maxOperations":50,"maxPayloadSize":2048})"));
  EXPECT_EQ(c["filter"], json::parse(R"({"supported":true,"maxResults":200})"));
  EXPECT_EQ(c["changePassword"]["supported"], false);
  EXPECT_EQ(c["sort"]["supported"], true);
  EXPECT_EQ(c["etag"]["supported"], true);
  EXPECT_EQ(c["authenticationSchemes"][0]["type"], "oauthbearertoken");
  EXPECT_EQ(c["meta"]["location"], "https://h/scim/v2/ServiceProviderConfig");
}

TEST(Discovery, UserResourceTypeListsExtensions) {
  json t = RenderResourceType(*DefaultRegistry().FindResourceType("User"), kBase);
  EXPECT_EQ(t["endpoint"], "/Users");
  EXPECT_EQ(t["schema"], "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_EQ(t["schemaExtensions"], json::parse(R"([
      {"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","required":false},
      {"schema":"urn:allot:params:scim:schemas:extension:licensing:2.0:User","required":false}])"));
  EXPECT_EQ(t["meta"]["location"], "https://h/scim/v2/ResourceTypes/User");
}

TEST(Discovery, SchemaRendersAttributesPerRfc) {
  json s = RenderSchema(*DefaultRegistry().FindSchema(kGroupSchema), kBase);
  EXPECT_EQ(s["id"], "urn:ietf:params:scim:schemas:core:2.0:Group");
  EXPECT_EQ(s["meta"]["location"], "https://h/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group");
  const json& members = s["attributes"][1];
  EXPECT_EQ(members["name"], "members");
  EXPECT_EQ(members["type"], "complex");
  EXPECT_EQ(members["multiValued"], true);
  EXPECT_EQ(members["subAttributes"][1]["name"], "$ref");
  EXPECT_EQ(members["subAttributes"][1]["referenceTypes"], json::parse(R"(["User","Group"])"));
  EXPECT_EQ(members["subAttributes"][0]["mutability"], "immutable");
}

TEST(Discovery, PasswordRendersWriteOnlyNever) {
  json s = RenderSchema(*DefaultRegistry().FindSchema(kUserSchema), kBase);
  for (const json& a : s["attributes"]) {
    if (a["name"] == "password") {
      EXPECT_EQ(a["mutability"], "writeOnly");
      EXPECT_EQ(a["returned"], "never");
      return;
    }
  }
  FAIL() << "no password attribute";
}

TEST(Discovery, ListsAllSchemasAndResourceTypes) {
  json schemas = RenderSchemas(DefaultRegistry(), kBase);
  EXPECT_EQ(schemas["totalResults"], 4);
  EXPECT_EQ(schemas["Resources"].size(), 4u);
  json types = RenderResourceTypes(DefaultRegistry(), kBase);
  EXPECT_EQ(types["totalResults"], 2);
  EXPECT_EQ(types["Resources"][1]["id"], "Group");
}

}  // namespace
}  // namespace scim

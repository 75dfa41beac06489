#include "scim/resource.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }
const ResourceType& Group() { return *DefaultRegistry().FindResourceType("Group"); }

json J(const char* text) { return json::parse(text); }

TEST(Resource, ParseJsonObjectRejectsInvalidJson) {
  EXPECT_EQ(ParseJsonObject("{").error().scim_type, "invalidSyntax");
  EXPECT_EQ(ParseJsonObject("[1]").error().scim_type, "invalidSyntax");
  EXPECT_TRUE(ParseJsonObject("{\"a\":1}"));
}

TEST(Resource, CreateRejectsNonObject) {
  auto r = NormalizeForCreate(User(), J("[]"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidSyntax");
}

TEST(Resource, CreateRejectsSchemasNotAnArray) {
  EXPECT_EQ(NormalizeForCreate(User(), J(R"({"schemas":"x","userName":"a"})")).error().scim_type, "invalidSyntax");
}

TEST(Resource, CreateNormalisesNamesAndSchemas) {
  auto r = NormalizeForCreate(User(), J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
      "USERNAME":"bjensen","Name":{"GivenName":"Barbara"},"active":"True","externalId":"e1"})"));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen",
      "name":{"givenName":"Barbara"},"active":true,"externalId":"e1"})"));
}

TEST(Resource, CreateRequiresUserName) {
  for (const char* body : {R"({"displayName":"x"})", R"({"userName":""})", R"({"userName":null})"}) {
    auto r = NormalizeForCreate(User(), J(body));
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().scim_type, "invalidValue");
    EXPECT_EQ(r.error().detail, "required attribute 'userName' is missing or empty");
  }
}

TEST(Resource, CreateRequiresGroupDisplayName) {
  auto r = NormalizeForCreate(Group(), J(R"({"members":[]})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "required attribute 'displayName' is missing or empty");
}

TEST(Resource, CreateIgnoresReadOnlyAndStripsPassword) {
  // Okta's create: password and "groups": [].
  auto r = NormalizeForCreate(User(), J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
      "userName":"a@x","password":"Secret1!","groups":[],"id":"client-id","meta":{"version":"1"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@x"})"));
}

TEST(Resource, CreateTypeChecksPassword) {
  EXPECT_EQ(NormalizeForCreate(User(), J(R"({"userName":"a","password":5})")).error().scim_type, "invalidValue");
}

TEST(Resource, CreateIgnoresUnknownAttributes) {
  auto r = NormalizeForCreate(User(), J(R"({"userName":"a","favouriteColour":"red","name.givenName":"x"})"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->contains("favouriteColour"));
  EXPECT_FALSE(r->contains("name"));
}

TEST(Resource, CreateKeepsExtensionUnderItsUrn) {
  auto r = NormalizeForCreate(User(), J(R"({"userName":"a",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"Department":"Sales","manager":{"value":"m1","displayName":"Boss"}}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"m1"}}})"));
}

TEST(Resource, CreateAcceptsUrnQualifiedAttributeNames) {
  auto r = NormalizeForCreate(User(), J(R"({"urn:ietf:params:scim:schemas:core:2.0:User:userName":"a",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter":"c1"})"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["userName"], "a");
  EXPECT_EQ((*r)["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["costCenter"], "c1");
}

TEST(Resource, CreateIgnoresReadOnlyLicensingExtension) {
  auto r = NormalizeForCreate(User(), J(R"({"userName":"a",
      "urn:allot:params:scim:schemas:extension:licensing:2.0:User":{"licenses":[{"productId":"p"}]}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"})"));
}

TEST(Resource, CreateGroupAcceptsUnknownSchemas) {
  // Entra ID's Group POST.
  auto r = NormalizeForCreate(Group(), J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
      "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
      "externalId":"8aa1a0c0","displayName":"Group1","members":[],
      "urn:example:unknown:2.0:Group":{"x":1}})"));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0",
      "displayName":"Group1"})"));
}

TEST(Resource, CreateGroupDropsNullRefOfMembers) {
  auto r = NormalizeForCreate(Group(), J(R"({"displayName":"g","members":[{"value":"u1","$ref":null}]})"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["members"], J(R"([{"value":"u1"}])"));
}

TEST(Resource, CreateGroupDeduplicatesMembersByValue) {
  auto r = NormalizeForCreate(Group(), J(R"({"displayName":"g","members":[{"value":"u1"},{"value":"u2"},
      {"value":"u1","display":"again"}]})"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["members"], J(R"([{"value":"u1"},{"value":"u2"}])"));
}

TEST(Resource, CreateReportsTypeErrorNamingAttribute) {
  auto r = NormalizeForCreate(User(), J(R"({"userName":"a","emails":[{"value":1}]})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidValue");
  EXPECT_EQ(r.error().detail, "attribute 'emails.value' must be of type string, got number");
  r = NormalizeForCreate(User(), J(R"({"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":7}})"));
  EXPECT_EQ(r.error().detail,
            "attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' must be of type string, got number");
}

TEST(Resource, CreateRejectsExtensionThatIsNotAnObject) {
  auto r = NormalizeForCreate(User(), J(R"({"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"})"));
  EXPECT_EQ(r.error().scim_type, "invalidSyntax");
}

TEST(Resource, ReplaceClearsOmittedReadWriteAttributes) {
  json existing = J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"a",
      "title":"Boss","active":true,"meta":{"version":"W/\"1\""}})");
  auto r = NormalizeForReplace(User(), J(R"({"userName":"a","active":false})"), existing);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":false})"));
}

TEST(Resource, ReplaceKeepsReadOnlyAttributes) {
  json existing = J(R"({"userName":"a","groups":[{"value":"g1"}],
      "urn:allot:params:scim:schemas:extension:licensing:2.0:User":{"licenses":[{"productId":"p"}]}})");
  auto r = NormalizeForReplace(User(), J(R"({"userName":"b","groups":[]})"), existing);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:allot:params:scim:schemas:extension:licensing:2.0:User"],"userName":"b","groups":[{"value":"g1"}],
      "urn:allot:params:scim:schemas:extension:licensing:2.0:User":{"licenses":[{"productId":"p"}]}})"));
}

TEST(Resource, ReplaceRejectsChangeOfImmutableAttribute) {
  Registry reg;
  Schema s;
  s.id = "urn:test:Thing";
  Attribute serial{.name = "serial"};
  serial.mutability = Mutability::kImmutable;
  s.attributes = {serial, Attribute{.name = "label"}};
  ASSERT_TRUE(reg.AddResourceType("Thing", "/Things", "", s));
  const ResourceType& t = *reg.FindResourceType("Thing");
  auto r = NormalizeForReplace(t, J(R"({"serial":"B"})"), J(R"({"serial":"A"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "mutability");
  auto kept = NormalizeForReplace(t, J(R"({"label":"x"})"), J(R"({"serial":"A"})"));
  ASSERT_TRUE(kept);
  EXPECT_EQ((*kept)["serial"], "A");
  EXPECT_TRUE(NormalizeForReplace(t, J(R"({"serial":"A"})"), J(R"({"serial":"A"})")));
  EXPECT_TRUE(NormalizeForReplace(t, J(R"({"serial":"N"})"), J(R"({})")));
}

TEST(Resource, ReplaceStillRequiresUserName) {
  EXPECT_EQ(NormalizeForReplace(User(), J(R"({"active":false})"), J(R"({"userName":"a"})")).error().scim_type,
            "invalidValue");
}

TEST(Resource, RefreshSchemasDropsEmptyExtensions) {
  json r = J(R"({"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}})");
  RefreshSchemas(User(), &r);
  EXPECT_EQ(r, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"})"));
}

}  // namespace
}  // namespace scim

#include "scim/projection.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }
const ResourceType& Group() { return *DefaultRegistry().FindResourceType("Group"); }
json J(const char* t) { return json::parse(t); }

const char* kUser = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"u1","userName":"b","displayName":"B",
  "password":"leaked","name":{"givenName":"Barbara","familyName":"Jensen"},
  "emails":[{"value":"b@x","type":"work"}],"meta":{"resourceType":"User"},
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","costCenter":"c"}})";

json Project(const ResourceType& t, const char* resource, std::string_view attrs, std::string_view excluded) {
  auto p = ParseProjection(t, attrs, excluded);
  EXPECT_TRUE(p) << p.error().detail;
  return ApplyProjection(t, *p, J(resource));
}

TEST(Projection, DefaultReturnsAllButNever) {
  json out = Project(User(), kUser, "", "");
  json expected = J(kUser);
  expected.erase("password");
  EXPECT_EQ(out, expected);
}

TEST(Projection, AttributesKeepsOnlyNamedPlusAlways) {
  EXPECT_EQ(Project(User(), kUser, "userName", ""),
            J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"u1","userName":"b",
              "meta":{"resourceType":"User"}})"));
}

TEST(Projection, AttributesSelectsSubAttributesCaseInsensitively) {
  json out = Project(User(), kUser, "NAME.givenname, emails.value", "");
  EXPECT_EQ(out["name"], J(R"({"givenName":"Barbara"})"));
  EXPECT_EQ(out["emails"], J(R"([{"value":"b@x"}])"));
  EXPECT_FALSE(out.contains("userName"));
}

TEST(Projection, AttributesSelectsUrnQualifiedExtensionAttribute) {
  json out = Project(User(), kUser, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], J(R"({"department":"Sales"})"));
}

TEST(Projection, AttributesSelectsWholeExtension) {
  json out = Project(User(), kUser, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            J(R"({"department":"Sales","costCenter":"c"})"));
}

TEST(Projection, ExcludedRemovesAttributesButNotAlways) {
  json out = Project(User(), kUser, "", "emails,id,meta,name.familyName,password");
  EXPECT_FALSE(out.contains("emails"));
  EXPECT_EQ(out["id"], "u1");
  EXPECT_TRUE(out.contains("meta"));
  EXPECT_EQ(out["name"], J(R"({"givenName":"Barbara"})"));
}

TEST(Projection, ExcludedRemovesWholeExtension) {
  json out = Project(User(), kUser, "", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  EXPECT_FALSE(out.contains("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
  EXPECT_TRUE(out["schemas"].is_array());
}

TEST(Projection, SchemasAlwaysPresent) {
  EXPECT_TRUE(Project(User(), kUser, "displayName", "").contains("schemas"));
}

TEST(Projection, UnknownNamesAreIgnored) {
  json out = Project(User(), kUser, "shoeSize", "");
  EXPECT_EQ(out, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"u1","meta":{"resourceType":"User"}})"));
}

TEST(Projection, RejectsMalformedName) {
  auto p = ParseProjection(User(), "user Name", "");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().scim_type, "invalidPath");
}

TEST(Projection, TellsWhetherMembersAreNeeded) {
  auto p = ParseProjection(Group(), "", "members");
  EXPECT_FALSE(IsReturned(Group(), *p, "members"));
  p = ParseProjection(Group(), "", "");
  EXPECT_TRUE(IsReturned(Group(), *p, "members"));
  p = ParseProjection(Group(), "displayName", "");
  EXPECT_FALSE(IsReturned(Group(), *p, "members"));
  p = ParseProjection(Group(), "members.value", "");
  EXPECT_TRUE(IsReturned(Group(), *p, "members"));
  p = ParseProjection(Group(), "", "members.display");
  EXPECT_TRUE(IsReturned(Group(), *p, "members"));
}

TEST(Projection, EntraGroupQueryExcludesMembers) {
  json out = Project(Group(), R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g","displayName":"G",
      "members":[{"value":"u"}]})", "", "members");
  EXPECT_EQ(out, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g","displayName":"G"})"));
}

}  // namespace
}  // namespace scim

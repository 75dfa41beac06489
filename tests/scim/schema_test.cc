#include "scim/schema.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }
const ResourceType& Group() { return *DefaultRegistry().FindResourceType("Group"); }

TEST(Schema, DefaultRegistryHasUserAndGroup) {
  ASSERT_NE(DefaultRegistry().FindResourceType("User"), nullptr);
  ASSERT_NE(DefaultRegistry().FindResourceType("group"), nullptr);
  EXPECT_EQ(User().endpoint, "/Users");
  EXPECT_EQ(User().schema->id, kUserSchema);
  ASSERT_EQ(User().extensions.size(), 2u);
  EXPECT_EQ(User().extensions[0].schema->id, kEnterpriseUserSchema);
  EXPECT_EQ(User().extensions[1].schema->id, kLicensingSchema);
  EXPECT_EQ(DefaultRegistry().schemas().size(), 4u);
}

TEST(Schema, UserHasEveryRfcAttribute) {
  for (const char* name :
       {"userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
        "preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers",
        "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates"}) {
    EXPECT_NE(User().schema->Find(name), nullptr) << name;
  }
}

TEST(Schema, AttributeLookupIsCaseInsensitive) {
  const Attribute* a = User().schema->Find("USERNAME");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "userName");
  EXPECT_TRUE(a->required);
  EXPECT_EQ(a->uniqueness, Uniqueness::kServer);
}

TEST(Schema, PasswordIsWriteOnlyNeverReturned) {
  const Attribute* a = User().schema->Find("password");
  EXPECT_EQ(a->mutability, Mutability::kWriteOnly);
  EXPECT_EQ(a->returned, Returned::kNever);
}

TEST(Schema, GroupsIsReadOnlyWithReadOnlySubAttributes) {
  const Attribute* a = User().schema->Find("groups");
  EXPECT_EQ(a->mutability, Mutability::kReadOnly);
  EXPECT_TRUE(a->multi_valued);
  for (const Attribute& s : a->sub_attributes) EXPECT_EQ(s.mutability, Mutability::kReadOnly) << s.name;
}

TEST(Schema, GroupMembersHaveValueRefDisplayType) {
  const Attribute* m = Group().schema->Find("members");
  ASSERT_NE(m, nullptr);
  for (const char* s : {"value", "$ref", "display", "type"}) EXPECT_NE(m->FindSub(s), nullptr) << s;
  EXPECT_EQ(m->FindSub("$ref")->type, AttrType::kReference);
}

TEST(Schema, ResolvesUrnQualifiedExtensionAttribute) {
  auto r = User().Resolve({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user", "MANAGER", "value"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->in_extension);
  EXPECT_EQ(r->schema->id, kEnterpriseUserSchema);
  EXPECT_EQ(r->attribute->name, "manager");
  EXPECT_EQ(r->target().name, "value");
}

TEST(Schema, ResolvesCoreUrnQualifiedAttribute) {
  auto r = User().Resolve({std::string(kUserSchema), "userName", ""});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->in_extension);
  EXPECT_EQ(r->attribute->name, "userName");
}

TEST(Schema, ResolvesCommonAttributes) {
  for (const char* name : {"id", "externalId", "meta"}) {
    auto r = Group().Resolve({"", name, ""});
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->schema, nullptr);
  }
  auto r = User().Resolve({"", "meta", "lastModified"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target().type, AttrType::kDateTime);
}

TEST(Schema, ResolveRejectsUnknownNames) {
  EXPECT_EQ(User().Resolve({"", "nope", ""}).error().scim_type, "invalidPath");
  EXPECT_EQ(User().Resolve({"", "name", "nope"}).error().scim_type, "invalidPath");
  EXPECT_EQ(User().Resolve({"urn:x:y", "a", ""}).error().scim_type, "invalidPath");
}

TEST(Schema, LicensingExtensionIsReadOnlyAndReturnedOnRequest) {
  auto r = User().Resolve({std::string(kLicensingSchema), "licenses", "subscriptionId"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attribute->mutability, Mutability::kReadOnly);
  EXPECT_TRUE(r->attribute->multi_valued);
  EXPECT_EQ(r->attribute->returned, Returned::kRequest);
}

TEST(Schema, AddExtensionRegistersANewSchema) {
  Registry r = MakeDefaultRegistry();
  Schema s;
  s.id = "urn:example:ext:1.0:Group";
  s.attributes.push_back(Attribute{.name = "color"});
  ASSERT_TRUE(r.AddExtension("Group", s, false));
  EXPECT_NE(r.FindResourceType("Group")->FindExtension("urn:example:ext:1.0:group"), nullptr);
  EXPECT_EQ(r.AddExtension("Group", s, false).error().status, 409);
  EXPECT_EQ(r.AddExtension("Device", s, false).error().status, 404);
}

}  // namespace
}  // namespace scim

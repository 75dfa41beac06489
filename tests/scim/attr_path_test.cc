#include "scim/attr_path.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

TEST(AttrPath, ParsesPlainAttribute) {
  auto p = ParseAttrPath("userName");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (AttrPath{"", "userName", ""}));
}

TEST(AttrPath, ParsesSubAttribute) {
  auto p = ParseAttrPath("name.givenName");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (AttrPath{"", "name", "givenName"}));
}

TEST(AttrPath, ParsesUrnQualifiedSubAttribute) {
  auto p = ParseAttrPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (AttrPath{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "value"}));
}

TEST(AttrPath, ParsesRefAttribute) {
  auto p = ParseAttrPath("members.$ref");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sub, "$ref");
}

TEST(AttrPath, ToStringRoundTrips) {
  for (const char* text : {"userName", "name.givenName",
                           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}) {
    auto p = ParseAttrPath(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(p->ToString(), text);
  }
}

TEST(AttrPath, RejectsInvalidText) {
  for (const char* text : {"", "1abc", "name.", "a b", "na*me", "name.1x", "urn:x:"}) {
    auto p = ParseAttrPath(text);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().scim_type, "invalidPath") << text;
  }
}

TEST(AttrPath, EqualsIgnoreCaseComparesAscii) {
  EXPECT_TRUE(EqualsIgnoreCase("UserName", "username"));
  EXPECT_FALSE(EqualsIgnoreCase("userName", "userNam"));
}

}  // namespace
}  // namespace scim

#include "scim/path.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

TEST(Path, ParsesSimpleAttribute) {
  auto p = ParsePath("displayName");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr, (AttrPath{"", "displayName", ""}));
  EXPECT_EQ(p->filter, nullptr);
}

TEST(Path, ParsesSubAttribute) {
  auto p = ParsePath("name.givenName");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr, (AttrPath{"", "name", "givenName"}));
}

TEST(Path, ParsesValueFilter) {
  auto p = ParsePath("members[value eq \"2819c223\"]");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr, (AttrPath{"", "members", ""}));
  ASSERT_NE(p->filter, nullptr);
  EXPECT_EQ(ToString(*p->filter), "value eq \"2819c223\"");
}

TEST(Path, ParsesValueFilterWithSubAttribute) {
  auto p = ParsePath("emails[type eq \"work\"].value");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr, (AttrPath{"", "emails", "value"}));
  EXPECT_EQ(p->ToString(), "emails[type eq \"work\"].value");
}

TEST(Path, ParsesUrnQualifiedPaths) {
  auto p = ParsePath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr, (AttrPath{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "value"}));
  p = ParsePath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attr.attr, "employeeNumber");
  EXPECT_EQ(p->attr.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
}

TEST(Path, ParsesOrFilterOnMembers) {
  auto p = ParsePath("members[value eq \"a\" or value eq \"b\"]");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ToString(), "members[value eq \"a\" or value eq \"b\"]");
}

class PathErrors : public ::testing::TestWithParam<const char*> {};

TEST_P(PathErrors, RejectWithInvalidPath) {
  auto p = ParsePath(GetParam());
  ASSERT_FALSE(p) << GetParam();
  EXPECT_EQ(p.error().scim_type, "invalidPath") << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Path, PathErrors,
                         ::testing::Values("", "emails[type eq \"work\"", "emails[type xx \"work\"]",
                                           "emails[type eq \"work\"]value", "emails[type eq \"work\"].",
                                           "name.givenName[x pr]", "emails[type eq \"work\"].a.b",
                                           "a b", "emails[]", "members[value eq \"x\"]]"));

TEST(Path, ErrorNamesThePath) {
  auto p = ParsePath("emails[type xx \"w\"]");
  EXPECT_EQ(p.error().detail.rfind("invalid path 'emails[type xx \"w\"]': invalid filter at position 13", 0), 0u)
      << p.error().detail;
}

TEST(Path, RefusesPathLongerThan8KiB) {
  std::string text = "members[value eq \"" + std::string(kMaxFilterBytes, 'x') + "\"]";
  auto p = ParsePath(text);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().scim_type, "invalidPath");
  EXPECT_EQ(p.error().detail, "the path is " + std::to_string(text.size()) +
                                  " bytes long; the limit is 8192 bytes");
}

TEST(Path, ValueFilterComparisonsAreCapped) {
  std::string filter;
  for (int i = 0; i < 201; ++i) filter += (i ? " or " : "") + std::string("value eq \"x\"");
  auto p = ParsePath("members[" + filter + "]");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().scim_type, "invalidPath");
  EXPECT_NE(p.error().detail.find("more than 200 comparisons"), std::string::npos) << p.error().detail;
}

}  // namespace
}  // namespace scim

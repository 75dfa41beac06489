// AttributePath: parsing SCIM attribute paths and visiting their values in a
// User resource.
#include "server/policy/attribute_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;

const json kUser = {
    {"userName", "bjensen"},
    {"active", false},
    {"name", {{"givenName", "Barbara"}}},
    {"emails", {{{"value", "b@example.com"}}, {{"value", "bj@example.org"}}, {{"type", "x"}}}},
    {"x509Certificates", json::array()},
    {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
     {{"department", "Tour Operations"}, {"costCenter", 4130}, {"manager", {{"value", "m1"}}}}}};

std::vector<std::string> Values(std::string_view path, const json& user = kUser) {
  auto p = AttributePath::Parse(path);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error());
  std::vector<std::string> out;
  if (p) p->Visit(user, [&](std::string_view v) { out.emplace_back(v); return true; });
  return out;
}

TEST(AttributePath, ReadsACoreAttribute) { EXPECT_THAT(Values("userName"), ElementsAre("bjensen")); }

TEST(AttributePath, ReadsASubAttribute) {
  EXPECT_THAT(Values("name.givenName"), ElementsAre("Barbara"));
}

TEST(AttributePath, ReadsEveryValueOfAMultiValuedAttribute) {
  EXPECT_THAT(Values("emails.value"), ElementsAre("b@example.com", "bj@example.org"));
}

TEST(AttributePath, ReadsAnExtensionAttribute) {
  EXPECT_THAT(Values("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
              ElementsAre("Tour Operations"));
}

TEST(AttributePath, ReadsAnExtensionSubAttribute) {
  EXPECT_THAT(Values("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
              ElementsAre("m1"));
}

TEST(AttributePath, TreatsTheCoreSchemaUrnAsTopLevel) {
  EXPECT_THAT(Values("urn:ietf:params:scim:schemas:core:2.0:User:userName"), ElementsAre("bjensen"));
}

TEST(AttributePath, MatchesNamesCaseInsensitively) {
  EXPECT_THAT(Values("NAME.GIVENNAME"), ElementsAre("Barbara"));
}

TEST(AttributePath, RendersNumbersAndBooleansAsText) {
  EXPECT_THAT(Values("active"), ElementsAre("false"));
  EXPECT_THAT(Values("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"),
              ElementsAre("4130"));
}

TEST(AttributePath, AbsentOrComplexGivesNoValue) {
  EXPECT_THAT(Values("nickName"), IsEmpty());
  EXPECT_THAT(Values("name"), IsEmpty());
  EXPECT_THAT(Values("x509Certificates.value"), IsEmpty());
  EXPECT_THAT(Values("urn:example:ext:1.0:User:thing"), IsEmpty());
}

TEST(AttributePath, StopsWhenTheVisitorSaysSo) {
  auto p = AttributePath::Parse("emails.value");
  int seen = 0;
  p->Visit(kUser, [&](std::string_view) { ++seen; return false; });
  EXPECT_EQ(seen, 1);
}

TEST(AttributePath, RejectsMalformedPaths) {
  for (const char* bad : {"", "a.b.c", "1abc", "a..b", "name.", "urn:x:", "emails[type eq \"work\"]"}) {
    auto p = AttributePath::Parse(bad);
    EXPECT_FALSE(p.has_value()) << bad;
    if (!p) {
      EXPECT_THAT(p.error(), HasSubstr("is malformed"));
    }
  }
}

}  // namespace
}  // namespace allot::policy

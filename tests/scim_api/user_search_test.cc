// The search text of a user (server/scim_api/user_search.h): what the admin
// API's `q` is matched against in SQL.
#include "server/scim_api/user_search.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace allot::scim_api {
namespace {

using nlohmann::json;

TEST(UserSearchText, HoldsEveryNameAndEmailLowerCased) {
  const json user = {{"userName", "J.Doe"},
                     {"displayName", "Jane Q"},
                     {"name", {{"formatted", "Dr Jane Doe"}, {"givenName", "Janet"}, {"familyName", "Doe"}}},
                     {"emails", {{{"value", "JANE@Example.org"}}, {{"value", "jd@home.example"}}}}};
  const std::string text = UserSearchText(user);
  for (const char* part : {"j.doe", "jane q", "dr jane doe", "janet", "jane@example.org", "jd@home.example"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << " in " << text;
  }
  EXPECT_EQ(text.find('J'), std::string::npos) << "lower-cased";
}

TEST(UserSearchText, LeavesOutValuesInsideOthers) {
  const json user = {{"userName", "ana@school.example"},
                     {"displayName", "Ana Rivera"},
                     {"name", {{"givenName", "Ana"}, {"familyName", "Rivera"}}},
                     {"emails", {{{"value", "Ana@School.example"}}}}};
  EXPECT_EQ(UserSearchText(user), "ana@school.example\nana rivera");
}

TEST(UserSearchText, NothingForAUserWithoutNames) {
  EXPECT_EQ(UserSearchText(json::object()), "");
  EXPECT_EQ(UserSearchText(json::array()), "");
}

TEST(IsPlainSearch, PrintableAsciiOnly) {
  EXPECT_TRUE(IsPlainSearch("rivera 12%_"));
  EXPECT_FALSE(IsPlainSearch(""));
  EXPECT_FALSE(IsPlainSearch("a\nb"));
  EXPECT_FALSE(IsPlainSearch("Zoë"));
}

}  // namespace
}  // namespace allot::scim_api
